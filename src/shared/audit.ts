import type { Kysely } from 'kysely'
import type { DB } from '../db/schema.js'
import type { RequestContext } from './context.js'
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

/** Appends an audit entry. Call it with the transaction that makes the change. */
export async function recordAudit(db: Kysely<DB>, context: RequestContext, input: AuditInput): Promise<void> {
  await db
    .insertInto('audit_events')
    .values({
      actor_sub: context.actor.sub,
      actor_roles: context.actor.roles,
      actor_office_id: context.actor.officeId,
      request_id: context.requestId,
      action: input.action,
      entity_type: input.entityType,
      entity_id: input.entityId,
      case_id: input.caseId ?? null,
      changes: JSON.stringify(diff(input.before, input.after, input.maskedFields)),
    })
    .modifyEnd(PREPARED)
    .execute()
}
