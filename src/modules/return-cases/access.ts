import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'
import type { Page } from '../../shared/pagination.js'
import { notFound, ProblemError } from '../../shared/problems.js'
import { assertVersion } from '../../shared/etag.js'
import { isPartnerOnly, type Actor } from '../../shared/roles.js'
import { findCase, findCaseWithMembers, type CaseMemberRow, type MemberWithVulnerabilities, type ReturnCaseRow } from './repository.js'
import { UUID_PATTERN } from '../../shared/ids.js'

export type { CaseMemberRow, ReturnCaseRow } from './repository.js'
export { ageOn } from './household.js'

function caseNotFound(caseId: string): ProblemError {
  return new ProblemError('not-found', `Return case ${caseId} does not exist`)
}

/** The partner office a partner-only actor is confined to (undefined for everyone else); 404 for a partner token without a usable office. */
function partnerScope(actor: Actor, caseId: string): string | undefined {
  if (!UUID_PATTERN.test(caseId)) throw caseNotFound(caseId)
  if (!isPartnerOnly(actor)) return undefined
  if (actor.officeId === null || !UUID_PATTERN.test(actor.officeId)) throw caseNotFound(caseId)
  return actor.officeId
}

/**
 * The case as the actor may see it. A partner-only caller sees only the cases referred to its
 * office: any other case is the same 404 as a case that does not exist, so existence never leaks.
 * With `forUpdate` the row is locked until the caller's transaction ends.
 */
export async function findCaseForActor(db: Kysely<DB>, actor: Actor, caseId: string, options: { forUpdate?: boolean } = {}): Promise<ReturnCaseRow> {
  const row = await findCase(db, caseId, { partnerOfficeId: partnerScope(actor, caseId), forUpdate: options.forUpdate })
  if (!row) throw caseNotFound(caseId)
  return row
}

/** Like findCaseForActor, with the case's members (each with its vulnerability entries), in one query. */
export async function findCaseWithMembersForActor(
  db: Kysely<DB>,
  actor: Actor,
  caseId: string,
): Promise<{ row: ReturnCaseRow; members: MemberWithVulnerabilities[] }> {
  const found = await findCaseWithMembers(db, caseId, partnerScope(actor, caseId))
  if (!found) throw caseNotFound(caseId)
  return found
}

/** A closed case is read-only: 409 case-closed. */
export function assertCaseOpen(caseRow: ReturnCaseRow): void {
  if (caseRow.status === 'closed') {
    throw new ProblemError('case-closed', `Return case ${caseRow.reference} is closed and read-only`, { current_status: caseRow.status })
  }
}

/**
 * The case as the actor may see it, locked until the caller's transaction ends, for a write: 409
 * case-closed when it is closed; 412 when `expectedVersion` (If-Match) is given and not the case's.
 */
export async function lockOpenCase(db: Kysely<DB>, actor: Actor, caseId: string, expectedVersion?: number): Promise<ReturnCaseRow> {
  const caseRow = await findCaseForActor(db, actor, caseId, { forUpdate: true })
  assertCaseOpen(caseRow)
  assertVersion(caseRow.version, expectedVersion)
  return caseRow
}

/**
 * The list and the get of one kind of a case's records as a caller reads them: the case first (404
 * when it is not one they may see), then its records; a get of a record the case does not have is
 * 404 `<label> <id> does not exist`.
 */
export function caseRecordReads<Filter, Row, Item>(
  label: string,
  reads: {
    list: (db: Kysely<DB>, caseId: string, filter: Filter) => Promise<Page<Item>>
    find: (db: Kysely<DB>, caseId: string, id: string) => Promise<Row | undefined>
    present: (db: Kysely<DB>, row: Row) => Item | Promise<Item>
  },
) {
  return {
    async list(db: Kysely<DB>, actor: Actor, caseId: string, filter: Filter): Promise<Page<Item>> {
      const caseRow = await findCaseForActor(db, actor, caseId)
      return reads.list(db, caseRow.id, filter)
    },
    async get(db: Kysely<DB>, actor: Actor, caseId: string, id: string): Promise<Item> {
      const caseRow = await findCaseForActor(db, actor, caseId)
      const row = await reads.find(db, caseRow.id, id)
      if (!row) throw notFound(label, id)
      return reads.present(db, row)
    },
  }
}

/** The household of a case in the order recorded (the principal flagged by is_principal). */
export async function listCaseMembers(db: Kysely<DB>, caseId: string): Promise<CaseMemberRow[]> {
  return db.selectFrom('case_members').selectAll().where('case_id', '=', caseId).orderBy('id').execute()
}
