import type { Kysely, Transaction } from 'kysely'
import type { DB } from '../../db/schema.js'
import { recordAudit } from '../../shared/audit.js'
import type { RequestContext } from '../../shared/context.js'
import { assertVersion } from '../../shared/etag.js'
import { newId } from '../../shared/ids.js'
import { paginate, type Page } from '../../shared/pagination.js'
import { forbidden, invalidField, notFound, ProblemError } from '../../shared/problems.js'
import { hasRole, isPartnerOnly, type Actor } from '../../shared/roles.js'
import { findOffice } from '../offices/index.js'
import { EVENT_TYPES } from './catalogue.js'
import * as repository from './repository.js'
import type { WebhookDeliveryRow, WebhookSubscriptionRow } from './repository.js'
import type { CreateWebhookSubscriptionInput, UpdateWebhookSubscriptionInput, WebhookDeliveryRecord, WebhookSubscriptionRecord } from './schemas.js'
import { newSigningSecret } from './signing.js'
import { assertAllowedTarget, type TargetPolicy } from './targets.js'

const iso = (value: Date | string | null): string | null => (value === null ? null : new Date(value).toISOString())

export function toSubscription(row: WebhookSubscriptionRow): WebhookSubscriptionRecord {
  return {
    id: row.id,
    office_id: row.office_id,
    url: row.url,
    event_types: row.event_types,
    description: row.description,
    status: row.status,
    disabled_reason: row.disabled_reason,
    failing_since: iso(row.failing_since),
    previous_secret_expires_at: row.previous_secret !== null ? iso(row.previous_secret_expires_at) : null,
    created_by: row.created_by,
    version: row.version,
    created_at: iso(row.created_at) as string,
    updated_at: iso(row.updated_at) as string,
  }
}

/** What the audit trail keeps of a subscription: never its secrets. */
function auditSnapshot(row: WebhookSubscriptionRow): Record<string, unknown> {
  const { secret: _secret, previous_secret: _previous, ...rest } = row
  return { ...rest, secret_rotated: row.previous_secret !== null }
}

function assertKnownTypes(types: readonly string[] | undefined): void {
  const unknown = (types ?? []).map((type, index) => ({ type, index })).filter(({ type }) => !EVENT_TYPES.includes(type))
  if (unknown.length > 0) {
    throw new ProblemError('validation-error', `Unknown event types: ${unknown.map(({ type }) => type).join(', ')}`, {
      errors: unknown.map(({ index }) => ({ pointer: `/body/event_types/${index}`, detail: 'not an event type of the catalogue' })),
    })
  }
}

/** A partner-only actor's office (it may see and manage only that office's subscriptions). */
function ownOffice(actor: Actor): string | undefined {
  if (!isPartnerOnly(actor)) return undefined
  if (actor.officeId === null) throw forbidden('A partner token needs an office')
  return actor.officeId
}

/** The subscription as the actor may see it: another office's is the same 404 as one that does not exist. */
async function visibleSubscription(db: Kysely<DB>, actor: Actor, id: string, options: { forUpdate?: boolean } = {}): Promise<WebhookSubscriptionRow> {
  const row = await repository.findSubscription(db, id, options)
  const office = ownOffice(actor)
  if (!row || (office !== undefined && row.office_id !== office)) throw notFound('Webhook subscription', id)
  return row
}

export async function createSubscription(
  db: Transaction<DB>,
  context: RequestContext,
  input: CreateWebhookSubscriptionInput,
  policy: TargetPolicy,
): Promise<WebhookSubscriptionRow> {
  const { actor } = context
  const own = ownOffice(actor)
  let officeId: string | null
  if (own !== undefined) {
    if (input.office_id !== undefined && input.office_id !== own) throw forbidden('A partner office subscribes only to its own cases\' events')
    officeId = own
  } else {
    officeId = input.office_id ?? null
    if (officeId === null && !hasRole(actor, 'admin', 'integration')) throw forbidden('Only admin and integration may subscribe to every event')
  }
  if (officeId !== null) {
    const office = await findOffice(db, officeId)
    if (!office) throw invalidField('/body/office_id', `office ${officeId} does not exist`)
    if (office.kind !== 'partner_office') throw invalidField('/body/office_id', 'must be a partner office (or null for every event)')
  }
  assertKnownTypes(input.event_types)
  await assertAllowedTarget(input.url, policy)
  const row = await repository.insertSubscription(db, {
    id: newId(),
    office_id: officeId,
    url: input.url,
    event_types: input.event_types ?? [],
    description: input.description ?? null,
    status: 'active',
    secret: newSigningSecret(),
    previous_secret: null,
    previous_secret_expires_at: null,
    failing_since: null,
    disabled_reason: null,
    created_by: actor.sub,
    updated_at: new Date(),
  })
  await recordAudit(db, context, { action: 'webhook_subscription.created', entityType: 'webhook_subscription', entityId: row.id, after: auditSnapshot(row) })
  return row
}

export async function getSubscription(db: Kysely<DB>, actor: Actor, id: string): Promise<WebhookSubscriptionRecord> {
  return toSubscription(await visibleSubscription(db, actor, id))
}

export async function listSubscriptions(
  db: Kysely<DB>,
  actor: Actor,
  query: { status?: WebhookSubscriptionRow['status']; office_id?: string; limit?: number; cursor?: string },
): Promise<Page<WebhookSubscriptionRecord>> {
  const own = ownOffice(actor)
  if (own !== undefined && query.office_id !== undefined && query.office_id !== own) return { items: [], next_cursor: null }
  return paginate(repository.subscriptionsQuery(db, { officeId: own ?? query.office_id, status: query.status }), query, (rows) => rows.map(toSubscription))
}

export async function updateSubscription(
  db: Transaction<DB>,
  context: RequestContext,
  id: string,
  expected: number | undefined,
  input: UpdateWebhookSubscriptionInput,
  policy: TargetPolicy,
): Promise<WebhookSubscriptionRow> {
  const current = await visibleSubscription(db, context.actor, id, { forUpdate: true })
  assertVersion(current.version, expected)
  assertKnownTypes(input.event_types)
  if (input.url !== undefined) await assertAllowedTarget(input.url, policy)
  const reactivated = input.status === 'active' && current.status !== 'active'
  const updated = await repository.updateSubscription(db, id, {
    ...(input.url !== undefined ? { url: input.url } : {}),
    ...(input.event_types !== undefined ? { event_types: input.event_types } : {}),
    ...(input.description !== undefined ? { description: input.description } : {}),
    ...(input.status !== undefined ? { status: input.status } : {}),
    ...(input.status === 'disabled' && current.status !== 'disabled' ? { disabled_reason: `disabled by ${context.actor.sub}` } : {}),
    ...(reactivated ? { failing_since: null, disabled_reason: null } : {}),
  })
  await recordAudit(db, context, { action: 'webhook_subscription.updated', entityType: 'webhook_subscription', entityId: id, before: auditSnapshot(current), after: auditSnapshot(updated) })
  return updated
}

export async function deleteSubscription(db: Transaction<DB>, context: RequestContext, id: string, expected: number | undefined): Promise<void> {
  const current = await visibleSubscription(db, context.actor, id, { forUpdate: true })
  assertVersion(current.version, expected)
  await repository.deleteSubscription(db, id)
  await recordAudit(db, context, { action: 'webhook_subscription.deleted', entityType: 'webhook_subscription', entityId: id, before: auditSnapshot(current) })
}

/**
 * A new signing secret; the old one keeps signing beside it for `overlapHours`, so receivers can
 * switch without losing a delivery. The new secret is returned once.
 */
export async function rotateSecret(db: Transaction<DB>, context: RequestContext, id: string, expected: number | undefined, overlapHours: number): Promise<WebhookSubscriptionRow> {
  const current = await visibleSubscription(db, context.actor, id, { forUpdate: true })
  assertVersion(current.version, expected)
  const updated = await repository.updateSubscription(db, id, {
    secret: newSigningSecret(),
    previous_secret: overlapHours > 0 ? current.secret : null,
    previous_secret_expires_at: overlapHours > 0 ? new Date(Date.now() + overlapHours * 3_600_000) : null,
  })
  await recordAudit(db, context, { action: 'webhook_subscription.secret_rotated', entityType: 'webhook_subscription', entityId: id, after: { overlap_hours: overlapHours } })
  return updated
}

// ------------------------------------------------------------------ deliveries

export async function listDeliveries(
  db: Kysely<DB>,
  actor: Actor,
  subscriptionId: string,
  query: { status?: WebhookDeliveryRow['status']; limit?: number; cursor?: string },
): Promise<Page<WebhookDeliveryRecord>> {
  await visibleSubscription(db, actor, subscriptionId)
  return paginate(repository.deliveriesQuery(db, subscriptionId, query.status), query, (rows) => presentDeliveries(db, rows), { direction: 'desc' })
}

async function presentDeliveries(db: Kysely<DB>, rows: WebhookDeliveryRow[]): Promise<WebhookDeliveryRecord[]> {
  const attempts = await repository.attemptsOf(db, rows.map((row) => row.id))
  return rows.map((row) => ({
    id: row.id,
    subscription_id: row.subscription_id,
    event_id: row.event_id,
    event_type: row.event_type,
    case_id: row.case_id,
    status: row.status,
    attempts: row.attempts,
    next_attempt_at: row.status === 'pending' ? iso(row.next_attempt_at) : null,
    last_status_code: row.last_status_code,
    last_error: row.last_error,
    last_latency_ms: row.last_latency_ms,
    created_at: iso(row.created_at) as string,
    delivered_at: iso(row.delivered_at),
    attempt_log: attempts
      .filter((attempt) => attempt.delivery_id === row.id)
      .map((attempt) => ({ attempt: attempt.attempt, started_at: iso(attempt.started_at) as string, status_code: attempt.status_code, latency_ms: attempt.latency_ms, error: attempt.error })),
  }))
}

/** Sends a delivery again (a failed one, or one already acknowledged), due now, with a fresh set of retries. */
export async function redeliver(db: Transaction<DB>, context: RequestContext, subscriptionId: string, deliveryId: string): Promise<WebhookDeliveryRecord> {
  await visibleSubscription(db, context.actor, subscriptionId)
  const delivery = await repository.findDelivery(db, subscriptionId, deliveryId, { forUpdate: true })
  if (!delivery) throw notFound('Delivery', deliveryId)
  if (delivery.status === 'pending') {
    throw new ProblemError('invalid-transition', `Delivery ${deliveryId} is still pending`, { current_status: delivery.status, action: 'redeliver', allowed_from: ['succeeded', 'failed'] })
  }
  const requeued = await repository.requeueDelivery(db, deliveryId)
  await recordAudit(db, context, { action: 'webhook_delivery.redelivered', entityType: 'webhook_delivery', entityId: deliveryId, before: { status: delivery.status }, after: { status: requeued.status } })
  const [record] = await presentDeliveries(db, [requeued])
  return record as WebhookDeliveryRecord
}
