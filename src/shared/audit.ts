import { sql, type Kysely, type RawBuilder } from 'kysely'
import type { DB } from '../db/schema.js'
import type { RequestContext } from './context.js'
import { emitEvent } from './outbox.js'
import { PREPARED } from '../db/prepared.js'

export const MASKED = '[restricted]'

export interface AuditInput {
  action: string
  entityType: string
  entityId: string
  caseId?: string | null
  before?: Record<string, unknown> | null
  after?: Record<string, unknown> | null
  /** Fields whose values are personal or restricted: recorded as changed, never with their values. */
  maskedFields?: readonly string[]
}

function comparable(value: unknown): string {
  return JSON.stringify(value instanceof Date ? value.toISOString() : value ?? null)
}

/** The fields that differ between two snapshots, each with its before and after value. */
export function diff(
  before: Record<string, unknown> | null | undefined,
  after: Record<string, unknown> | null | undefined,
  maskedFields: readonly string[] = [],
): Record<string, { before?: unknown; after?: unknown }> {
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])
  const changes: Record<string, { before?: unknown; after?: unknown }> = {}
  for (const key of keys) {
    if (key === 'version' || key === 'updated_at') continue
    const was = before?.[key]
    const now = after?.[key]
    if (before && after && comparable(was) === comparable(now)) continue
    const masked = maskedFields.includes(key)
    const change: { before?: unknown; after?: unknown } = {}
    if (before) change.before = masked ? MASKED : was ?? null
    if (after) change.after = masked ? MASKED : now ?? null
    changes[key] = change
  }
  return changes
}

/**
 * The columns of an audit entry. Every writer uses them: recordAudit and recordAudits below, and
 * the statements that append entries in SQL themselves (a ledger posting's), through auditInsert.
 */
export const AUDIT_COLUMNS = ['actor_sub', 'actor_roles', 'actor_office_id', 'request_id', 'action', 'entity_type', 'entity_id', 'case_id', 'changes'] as const

function auditRow(context: RequestContext, input: AuditInput) {
  return {
    actor_sub: context.actor.sub,
    actor_roles: context.actor.roles,
    actor_office_id: context.actor.officeId,
    request_id: context.requestId,
    action: input.action,
    entity_type: input.entityType,
    entity_id: input.entityId,
    case_id: input.caseId ?? null,
    changes: JSON.stringify(diff(input.before, input.after, input.maskedFields)),
  } satisfies Record<(typeof AUDIT_COLUMNS)[number], unknown>
}

/** Appends an audit entry. Call it with the transaction that makes the change. */
export async function recordAudit(db: Kysely<DB>, context: RequestContext, input: AuditInput): Promise<void> {
  await db.insertInto('audit_events').values(auditRow(context, input)).modifyEnd(PREPARED).execute()
}

/** Several audit entries in one statement (one round trip). */
export async function recordAudits(db: Kysely<DB>, context: RequestContext, inputs: readonly AuditInput[]): Promise<void> {
  if (inputs.length === 0) return
  // One statement per number of entries: a household is small, so the shapes are few.
  await auditEntriesInsert(db, context, inputs).modifyEnd(PREPARED).execute()
}

/** The insert of audit entries, not yet run: for a statement that writes them together with other writes (as a CTE). */
export function auditEntriesInsert(db: Kysely<DB>, context: RequestContext, inputs: readonly AuditInput[]) {
  return db.insertInto('audit_events').values(inputs.map((input) => auditRow(context, input)))
}

/** `insert into audit_events (AUDIT_COLUMNS) <select>`, for a statement that appends its audit entries itself; `select` yields the columns in that order. */
export function auditInsert(select: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`insert into audit_events (${sql.join(AUDIT_COLUMNS.map((column) => sql.ref(column)))}) ${select}`
}

/** A change to record: its audit entry, and the outbox event of the same action (`action` is the event type). */
export interface Change extends AuditInput {
  /** The event's payload: what may leave the system (no personal or restricted values). */
  payload: Record<string, unknown>
}

/** The audit entry and the outbox event of a change, in the caller's transaction. */
export async function recordChange(db: Kysely<DB>, context: RequestContext, change: Change): Promise<void> {
  const { payload, ...audit } = change
  await recordAudit(db, context, audit)
  await emitEvent(db, { type: audit.action, entityType: audit.entityType, entityId: audit.entityId, caseId: audit.caseId, payload })
}

/** The change of one row of a case, as `recordChange`: the action is `<entityType>.<verb>`, the entity the row's `id`, the case its `case_id`. */
export async function recordCaseRowChange(
  db: Kysely<DB>,
  context: RequestContext,
  entityType: string,
  verb: string,
  row: { id: string; case_id: string | null },
  change: Omit<Change, 'action' | 'entityType' | 'entityId' | 'caseId'>,
): Promise<void> {
  await recordChange(db, context, { action: `${entityType}.${verb}`, entityType, entityId: row.id, caseId: row.case_id, ...change })
}
