import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'
import { ProblemError } from '../../shared/problems.js'
import { isPartnerOnly, type Actor } from '../../shared/roles.js'
import { findCase, UUID_PATTERN, type CaseMemberRow, type ReturnCaseRow } from './repository.js'

export type { CaseMemberRow, ReturnCaseRow } from './repository.js'
export { ageOn } from './household.js'

function caseNotFound(caseId: string): ProblemError {
  return new ProblemError('not-found', `Return case ${caseId} does not exist`)
}

/**
 * The case as the actor may see it. A partner-only caller sees only the cases referred to its
 * office: any other case is the same 404 as a case that does not exist, so existence never leaks.
 * With `forUpdate` the row is locked until the caller's transaction ends.
 */
export async function findCaseForActor(db: Kysely<DB>, actor: Actor, caseId: string, options: { forUpdate?: boolean } = {}): Promise<ReturnCaseRow> {
  if (!UUID_PATTERN.test(caseId)) throw caseNotFound(caseId)
  let partnerOfficeId: string | undefined
  if (isPartnerOnly(actor)) {
    if (actor.officeId === null || !UUID_PATTERN.test(actor.officeId)) throw caseNotFound(caseId)
    partnerOfficeId = actor.officeId
  }
  const row = await findCase(db, caseId, { partnerOfficeId, forUpdate: options.forUpdate })
  if (!row) throw caseNotFound(caseId)
  return row
}

/** A closed case is read-only: 409 case-closed. */
export function assertCaseOpen(caseRow: ReturnCaseRow): void {
  if (caseRow.status === 'closed') {
    throw new ProblemError('case-closed', `Return case ${caseRow.reference} is closed and read-only`, { current_status: caseRow.status })
  }
}

/** The household of a case in the order recorded (the principal flagged by is_principal). */
export async function listCaseMembers(db: Kysely<DB>, caseId: string): Promise<CaseMemberRow[]> {
  return db.selectFrom('case_members').selectAll().where('case_id', '=', caseId).orderBy('id').execute()
}
