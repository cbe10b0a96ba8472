import type { Kysely, Transaction } from 'kysely'
import type { DB } from '../../db/schema.js'
import { recordChange } from '../../shared/audit.js'
import type { RequestContext } from '../../shared/context.js'
import { assertVersion } from '../../shared/etag.js'
import { newId } from '../../shared/ids.js'
import { ProblemError, notFound, unprocessable } from '../../shared/problems.js'
import type { Actor } from '../../shared/roles.js'
import type { Workflow } from '../../shared/workflow.js'
import { findCaseForActor, listCaseMembers, type CaseMemberRow, type ReturnCaseRow, lockOpenCase } from '../return-cases/index.js'
import * as repository from './repository.js'
import { PRE_DEPARTURE_CASE_STATUSES, type DocumentInsertOf, type DocumentRowOf, type DocumentTable, type DocumentUpdateOf } from './repository.js'

/**
 * The workflow travel documents and transit visas share: a row for one traveller of a case,
 * written until the travellers leave, requested from an embassy or consulate and then issued or
 * refused, each change audited (personal fields masked) with its event.
 */

export type FieldError = { pointer: string; detail: string }

export type DocumentAction = 'issue' | 'refuse'

/** Requested, then issued or refused: the same for both kinds. */
export const REQUEST_RULES = {
  issue: { from: ['requested'], to: 'issued' },
  refuse: { from: ['requested'], to: 'refused' },
} as const

/** What differs between the kinds: the table, the names, what is masked and what an event carries. */
export interface DocumentKind<T extends DocumentTable, Resource> {
  table: T
  /** As a problem names it ("Travel document 0193… not found"). */
  title: string
  /** Its audit entries and events: `<entityType>.<action>`. */
  entityType: string
  /** Personal fields, and remarks that may be: recorded as changed, never with their values. */
  maskedFields: readonly string[]
  workflow: Workflow<DocumentRowOf<T>['status'], DocumentAction>
  /** The event's payload: no personal data. */
  payload(row: DocumentRowOf<T>): { [field: string]: unknown }
  present(row: DocumentRowOf<T>): Resource
}

/** Documents are recorded until the travellers leave; after departure, or once the case ended, they are history. */
export async function caseForDocumentWrite(db: Transaction<DB>, actor: Actor, caseId: string): Promise<ReturnCaseRow> {
  const caseRow = await lockOpenCase(db, actor, caseId)
  if (!PRE_DEPARTURE_CASE_STATUSES.includes(caseRow.status)) {
    throw new ProblemError('conflict', `Travel documents of case ${caseRow.reference} can no longer change: it is ${caseRow.status}`, {
      current_status: caseRow.status,
      allowed_case_statuses: PRE_DEPARTURE_CASE_STATUSES,
    })
  }
  return caseRow
}

/** A traveller of the case: a household member of *this* case (a member of another case is 422). */
export function memberOfCase(members: readonly CaseMemberRow[], caseRow: ReturnCaseRow, memberId: string, pointer: string): CaseMemberRow {
  const member = members.find((candidate) => candidate.id === memberId)
  if (!member) throw unprocessable(`${memberId} is not a household member of case ${caseRow.reference}`, [{ pointer, detail: 'not a member of this case' }])
  return member
}

export function throwIfInvalid(errors: FieldError[], what: string): void {
  if (errors.length > 0) throw unprocessable(`The ${what} is not complete or not consistent`, errors)
}

/** The columns the workflow fills in itself when a row is recorded. */
interface RecordedFor {
  id: string
  case_id: string
  member_id: string
  created_by: string
}

export class DocumentWorkflow<T extends DocumentTable, Resource> {
  constructor(readonly kind: DocumentKind<T, Resource>) {}

  private async record(db: Transaction<DB>, context: RequestContext, action: string, before: DocumentRowOf<T> | null, after: DocumentRowOf<T>): Promise<void> {
    const { entityType, maskedFields } = this.kind
    await recordChange(db, context, { action: `${entityType}.${action}`, entityType, entityId: after.id, caseId: after.case_id, before, after, maskedFields, payload: this.kind.payload(after) })
  }

  /** A new row for a traveller of the case; `values` checks the input (after the case and the traveller) and gives the row. */
  async create(db: Transaction<DB>, context: RequestContext, caseId: string, memberId: string, action: string, values: (recordedFor: RecordedFor) => DocumentInsertOf<T>): Promise<Resource> {
    const caseRow = await caseForDocumentWrite(db, context.actor, caseId)
    memberOfCase(await listCaseMembers(db, caseRow.id), caseRow, memberId, '/body/member_id')
    const row = await repository.insertRow(db, this.kind.table, values({ id: newId(), case_id: caseRow.id, member_id: memberId, created_by: context.actor.sub }))
    await this.record(db, context, action, null, row)
    return this.kind.present(row)
  }

  /** A change of a row, locked and its version checked first; `changes` checks it against the current row. */
  async change(
    db: Transaction<DB>,
    context: RequestContext,
    ids: { caseId: string; id: string },
    expectedVersion: number | undefined,
    action: string,
    changes: (current: DocumentRowOf<T>) => DocumentUpdateOf<T>,
  ): Promise<Resource> {
    const caseRow = await caseForDocumentWrite(db, context.actor, ids.caseId)
    const current = await repository.findOnCase(db, this.kind.table, caseRow.id, ids.id, { forUpdate: true })
    if (!current) throw notFound(this.kind.title, ids.id)
    assertVersion(current.version, expectedVersion)
    const updated = await repository.updateRow(db, this.kind.table, current.id, changes(current))
    await this.record(db, context, action, current, updated)
    return this.kind.present(updated)
  }

  /** Issue or refuse (409 `invalid-transition` unless requested); the audit action is the new status. */
  async decide(
    db: Transaction<DB>,
    context: RequestContext,
    ids: { caseId: string; id: string },
    expectedVersion: number | undefined,
    action: DocumentAction,
    changes: (current: DocumentRowOf<T>, status: DocumentRowOf<T>['status']) => DocumentUpdateOf<T>,
  ): Promise<Resource> {
    const status = REQUEST_RULES[action].to
    return this.change(db, context, ids, expectedVersion, status, (current) => changes(current, this.kind.workflow.target(action, current.status)))
  }

  async get(db: Kysely<DB>, actor: Actor, caseId: string, id: string): Promise<Resource> {
    await findCaseForActor(db, actor, caseId)
    const row = await repository.findOnCase(db, this.kind.table, caseId, id)
    if (!row) throw notFound(this.kind.title, id)
    return this.kind.present(row)
  }
}
