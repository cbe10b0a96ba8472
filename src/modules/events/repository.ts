import { sql, type Kysely, type Selectable, type Transaction } from 'kysely'
import type { DB, WebhookDeliveriesTable, WebhookSubscriptionsTable } from '../../db/schema.js'
import type { OutboxPosition } from '../../shared/outbox.js'
import { caseFacts, casesReferredTo } from '../return-cases/index.js'
import type { OutboxEvent } from './envelope.js'

export type WebhookSubscriptionRow = Selectable<WebhookSubscriptionsTable>
export type WebhookDeliveryRow = Selectable<WebhookDeliveriesTable>

/** Only transactions below the oldest still running have all finished: their rows can no longer be joined by an earlier one. */
const SETTLED = sql<boolean>`o.xact_id < pg_snapshot_xmin(pg_current_snapshot())`

export interface FeedFilter {
  after?: OutboxPosition
  /** Outbox event names (`return_case.approved`). */
  types?: string[]
  caseId?: string
  /** A partner office: only the events of the cases referred to it (and of its own subscriptions). */
  partnerOfficeId?: string
  limit: number
}

/**
 * Settled events after a position, in feed order (transaction id, then sequence), each with the
 * names of the fields its change touched (from the audit entry the same transaction wrote).
 */
export async function settledEventsAfter(db: Kysely<DB>, filter: FeedFilter): Promise<OutboxEvent[]> {
  let query = db
    .selectFrom('outbox_events as o')
    .select(['o.sequence', 'o.id', 'o.occurred_at', 'o.event_type', 'o.entity_type', 'o.entity_id', 'o.case_id', 'o.payload'])
    .select(sql<string>`o.xact_id::text`.as('xact_id'))
    .select(
      sql<string[] | null>`(
        select array(select jsonb_object_keys(a.changes)) from audit_events a
        where a.entity_type = o.entity_type and a.entity_id = o.entity_id and a.action = o.event_type and a.xact_id = o.xact_id
        order by a.id limit 1
      )`.as('changed'),
    )
    .where(SETTLED)
  const { after, types, caseId, partnerOfficeId } = filter
  if (after) query = query.where(sql<boolean>`(o.xact_id, o.sequence) > (${after.xact}::xid8, ${after.sequence})`)
  if (types && types.length > 0) query = query.where('o.event_type', 'in', types)
  if (caseId) query = query.where('o.case_id', '=', caseId)
  if (partnerOfficeId) {
    query = query.where((eb) =>
      eb.or([
        eb('o.case_id', 'in', casesReferredTo(db, partnerOfficeId)),
        eb.and([eb('o.entity_type', '=', 'webhook_subscription'), eb(sql`o.payload->>'office_id'`, '=', partnerOfficeId)]),
      ]),
    )
  }
  return query.orderBy('o.xact_id').orderBy('o.sequence').limit(filter.limit).execute() as Promise<OutboxEvent[]>
}

/** Where purged events end: a cursor before it has missed events. */
export async function retentionHorizon(db: Kysely<DB>): Promise<OutboxPosition | undefined> {
  const row = await db.selectFrom('event_retention_horizon').select([sql<string>`xact_id::text`.as('xact'), 'sequence']).executeTakeFirst()
  return row
}

export async function isBeforeHorizon(db: Kysely<DB>, position: OutboxPosition): Promise<boolean> {
  const row = await db
    .selectFrom('event_retention_horizon')
    .select(sql<boolean>`(${position.xact}::xid8, ${position.sequence}::bigint) < (xact_id, sequence)`.as('before'))
    .executeTakeFirst()
  return row?.before ?? false
}

/** The last settled event older than the cutoff: everything up to it may be purged. */
export async function lastSettledEventBefore(db: Kysely<DB>, cutoff: Date): Promise<OutboxPosition | undefined> {
  return db
    .selectFrom('outbox_events as o')
    .select([sql<string>`o.xact_id::text`.as('xact'), 'o.sequence'])
    .where('o.occurred_at', '<', cutoff)
    .where(SETTLED)
    .orderBy('o.xact_id', 'desc')
    .orderBy('o.sequence', 'desc')
    .limit(1)
    .executeTakeFirst()
}

export async function advanceHorizon(db: Kysely<DB>, position: OutboxPosition): Promise<void> {
  await db
    .insertInto('event_retention_horizon')
    .values({ xact_id: position.xact, sequence: position.sequence, purged_at: new Date() })
    .onConflict((conflict) =>
      conflict.column('singleton').doUpdateSet({ xact_id: position.xact, sequence: position.sequence, purged_at: new Date() }).where(
        sql<boolean>`(event_retention_horizon.xact_id, event_retention_horizon.sequence) < (${position.xact}::xid8, ${position.sequence}::bigint)`,
      ),
    )
    .execute()
}

/** Finished deliveries older than the cutoff (their attempts go with them). */
export async function purgeFinishedDeliveries(db: Kysely<DB>, cutoff: Date): Promise<number> {
  const result = await db.deleteFrom('webhook_deliveries').where('created_at', '<', cutoff).where('status', '<>', 'pending').executeTakeFirst()
  return Number(result.numDeletedRows)
}

// ------------------------------------------------------------------ subscriptions

export async function insertSubscription(db: Transaction<DB>, row: Omit<WebhookSubscriptionRow, 'version' | 'created_at'>): Promise<WebhookSubscriptionRow> {
  return db.insertInto('webhook_subscriptions').values(row).returningAll().executeTakeFirstOrThrow()
}

export async function findSubscription(db: Kysely<DB>, id: string, options: { forUpdate?: boolean } = {}): Promise<WebhookSubscriptionRow | undefined> {
  let query = db.selectFrom('webhook_subscriptions').selectAll().where('id', '=', id)
  if (options.forUpdate) query = query.forUpdate()
  return query.executeTakeFirst()
}

export function subscriptionsQuery(db: Kysely<DB>, filter: { officeId?: string; status?: WebhookSubscriptionRow['status'] }) {
  let query = db.selectFrom('webhook_subscriptions').selectAll()
  if (filter.officeId) query = query.where('office_id', '=', filter.officeId)
  if (filter.status) query = query.where('status', '=', filter.status)
  return query
}

export async function updateSubscription(db: Transaction<DB>, id: string, changes: Partial<Omit<WebhookSubscriptionRow, 'id' | 'version' | 'created_at'>>): Promise<WebhookSubscriptionRow> {
  return db
    .updateTable('webhook_subscriptions')
    .set((eb) => ({ ...changes, version: eb('version', '+', 1), updated_at: new Date() }))
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow()
}

export async function deleteSubscription(db: Transaction<DB>, id: string): Promise<void> {
  await db.deleteFrom('webhook_subscriptions').where('id', '=', id).execute()
}

/** The subscriptions that take new deliveries: active ones, and paused ones (held until resumed). */
export async function receivingSubscriptions(db: Kysely<DB>): Promise<Pick<WebhookSubscriptionRow, 'id' | 'office_id' | 'event_types' | 'created_at'>[]> {
  return db.selectFrom('webhook_subscriptions').select(['id', 'office_id', 'event_types', 'created_at']).where('status', 'in', ['active', 'paused']).execute()
}

/** The partner office each case is referred to. */
export async function partnerOfficesOfCases(db: Kysely<DB>, caseIds: string[]): Promise<Map<string, string | null>> {
  if (caseIds.length === 0) return new Map()
  const rows = await db.selectFrom(caseFacts(db).as('c')).select(['c.id', 'c.partner_office_id']).where('c.id', 'in', caseIds).execute()
  return new Map(rows.map((row) => [row.id, row.partner_office_id]))
}

// ------------------------------------------------------------------ dispatch and delivery

/** Locks the dispatch position, or returns undefined when another instance holds it (it is dispatching). */
export async function lockDispatchPosition(db: Transaction<DB>): Promise<OutboxPosition | undefined> {
  return db
    .selectFrom('webhook_dispatch_position')
    .select([sql<string>`xact_id::text`.as('xact'), 'sequence'])
    .forUpdate()
    .skipLocked()
    .executeTakeFirst()
}

export async function moveDispatchPosition(db: Transaction<DB>, position: OutboxPosition): Promise<void> {
  await db.updateTable('webhook_dispatch_position').set({ xact_id: position.xact, sequence: position.sequence }).execute()
}

export type NewDelivery = Pick<WebhookDeliveryRow, 'id' | 'subscription_id' | 'event_id' | 'event_type' | 'event_sequence' | 'case_id' | 'ordering_key' | 'body'>

export async function insertDeliveries(db: Transaction<DB>, deliveries: NewDelivery[]): Promise<void> {
  for (let start = 0; start < deliveries.length; start += 500) {
    await db
      .insertInto('webhook_deliveries')
      .values(deliveries.slice(start, start + 500).map((delivery) => ({ ...delivery, next_attempt_at: new Date() })))
      .onConflict((conflict) => conflict.columns(['subscription_id', 'event_id']).doNothing())
      .execute()
  }
}

export interface ClaimedDelivery {
  id: string
  subscription_id: string
  event_id: string
  event_type: string
  body: string
  attempts: number
  url: string
  secret: string
  previous_secret: string | null
  previous_secret_expires_at: Date | null
}

/**
 * Claims up to `limit` due deliveries for this instance (a lease until `leaseMs` from now): the
 * oldest-due first, skipping rows another instance has locked, and only the first pending delivery
 * of each subscription and case, so event n+1 of a case waits until n is acknowledged (or failed).
 */
export interface ClaimOptions {
  instance: string
  limit: number
  leaseMs: number
  excludedSubscriptions: string[]
}

export function claimDueDeliveries(db: Kysely<DB>, options: ClaimOptions) {
  return claimStatement(options).execute(db)
}

/**
 * The claim as one statement, in a transaction of its own (the benchmark replays it with pgbench). Its commit does
 * not wait for the disk (`set_config(…, true)` applies to the statement's own transaction), which saves a flush per
 * claim without a round trip more. That is safe for the dispatcher's bookkeeping (claims and outcomes): a commit is
 * visible to every other session at once, so no two instances hold one claim; a crash can lose only the last few
 * hundred milliseconds of commits and, the WAL being written in order, always a suffix of them: a claim or an outcome
 * lost that way makes its delivery due again, a resend that at-least-once delivery allows, never a gap in a case's
 * order.
 */
export function claimStatement(options: ClaimOptions) {
  return sql<ClaimedDelivery>`
    with no_flush_wait as (select set_config('synchronous_commit', 'off', true)),
    due as (
      select d.id from webhook_deliveries d
      join webhook_subscriptions s on s.id = d.subscription_id
      where d.status = 'pending' and d.next_attempt_at <= now()
        and (d.claimed_until is null or d.claimed_until < now())
        and s.status = 'active'
        and d.subscription_id <> all(${options.excludedSubscriptions}::uuid[])
        and not exists (
          select 1 from webhook_deliveries p
          where p.subscription_id = d.subscription_id and p.ordering_key = d.ordering_key
            and p.status = 'pending' and p.event_sequence < d.event_sequence
        )
      order by d.next_attempt_at
      limit ${options.limit}
      for update of d skip locked
    )
    update webhook_deliveries w
    set claimed_until = now() + make_interval(secs => ${options.leaseMs / 1000}), claimed_by = ${options.instance}, attempts = w.attempts + 1
    from due, webhook_subscriptions s, no_flush_wait
    where w.id = due.id and s.id = w.subscription_id
    returning w.id, w.subscription_id, w.event_id, w.event_type, w.body, w.attempts, s.url, s.secret, s.previous_secret, s.previous_secret_expires_at
  `
}

/** Gives claims back unattempted (their attempt is not counted). */
export async function releaseClaims(db: Kysely<DB>, deliveryIds: string[], instance: string): Promise<void> {
  await db
    .updateTable('webhook_deliveries')
    .set((eb) => ({ claimed_until: null, claimed_by: null, attempts: eb('attempts', '-', 1) }))
    .where('id', 'in', deliveryIds)
    .where('claimed_by', '=', instance)
    .execute()
}

export interface AttemptOutcome {
  deliveryId: string
  instance: string
  attempt: number
  startedAt: Date
  statusCode: number | null
  latencyMs: number
  error: string | null
}

/** Makes this transaction's commit wait for the disk again (an outcome that disables a subscription, and says so). */
export async function commitWithFlushWait(db: Transaction<DB>): Promise<void> {
  await sql`set local synchronous_commit = on`.execute(db)
}

/** The attempts of a batch, in one insert. */
export async function recordAttempts(db: Transaction<DB>, outcomes: readonly AttemptOutcome[]): Promise<void> {
  if (outcomes.length === 0) return
  await db
    .insertInto('webhook_delivery_attempts')
    .values(
      outcomes.map((outcome) => ({
        delivery_id: outcome.deliveryId,
        attempt: outcome.attempt,
        started_at: outcome.startedAt,
        status_code: outcome.statusCode,
        latency_ms: outcome.latencyMs,
        error: outcome.error,
        instance: outcome.instance,
      })),
    )
    .execute()
}

/** Where a delivery goes after an attempt: done, given up, or due again at `nextAttemptAt`. */
export interface NextDeliveryState {
  status: 'succeeded' | 'failed' | 'pending'
  nextAttemptAt: Date | null
}

/**
 * Ends this instance's claims with their outcomes, in one statement; a claim another instance took over in the
 * meantime is left alone. Returns the deliveries whose claim it ended.
 */
export async function finishClaims(
  db: Transaction<DB>,
  instance: string,
  finished: readonly { outcome: AttemptOutcome; next: NextDeliveryState }[],
): Promise<Set<string>> {
  if (finished.length === 0) return new Set()
  const column = <T>(value: (entry: (typeof finished)[number]) => T) => finished.map(value)
  // The transaction's commit does not wait for the disk (see claimStatement), set here without a round trip more.
  const { rows } = await sql<{ id: string }>`
    with no_flush_wait as (select set_config('synchronous_commit', 'off', true))
    update webhook_deliveries d
    set status = f.status,
        claimed_until = null,
        claimed_by = null,
        last_status_code = f.status_code,
        last_error = f.error,
        last_latency_ms = f.latency_ms,
        delivered_at = case when f.status = 'succeeded' then now() else d.delivered_at end,
        next_attempt_at = coalesce(f.next_attempt_at, d.next_attempt_at)
    from unnest(
      ${column((entry) => entry.outcome.deliveryId)}::uuid[],
      ${column((entry) => entry.next.status)}::text[],
      ${column((entry) => entry.outcome.statusCode)}::integer[],
      ${column((entry) => entry.outcome.error)}::text[],
      ${column((entry) => entry.outcome.latencyMs)}::integer[],
      ${column((entry) => entry.next.nextAttemptAt)}::timestamptz[]
    ) as f (id, status, status_code, error, latency_ms, next_attempt_at), no_flush_wait
    where d.id = f.id and d.claimed_by = ${instance}
    returning d.id
  `.execute(db)
  return new Set(rows.map((row) => row.id))
}

/**
 * Records that a subscription's deliveries succeeded or failed. The row is written only when its
 * health changes (healthy → failing, failing → healthy), so the deliveries of one subscription do
 * not queue on its row lock; `failingAnew` (a failure after a success) starts a new failing period.
 * Returns the subscription after a failure (to check how long it has failed).
 */
export async function markSubscriptionHealth(
  db: Transaction<DB>,
  id: string,
  healthy: boolean,
  options: { failingAnew?: boolean } = {},
): Promise<WebhookSubscriptionRow | undefined> {
  if (healthy) {
    await db.updateTable('webhook_subscriptions').set({ failing_since: null }).where('id', '=', id).where('failing_since', 'is not', null).execute()
    return undefined
  }
  let update = db.updateTable('webhook_subscriptions').set({ failing_since: sql<Date>`now()` }).where('id', '=', id)
  if (!options.failingAnew) update = update.where('failing_since', 'is', null)
  await update.execute()
  return findSubscription(db, id)
}

export function deliveriesQuery(db: Kysely<DB>, subscriptionId: string, status?: WebhookDeliveryRow['status']) {
  let query = db.selectFrom('webhook_deliveries').selectAll().where('subscription_id', '=', subscriptionId)
  if (status) query = query.where('status', '=', status)
  return query
}

export async function attemptsOf(db: Kysely<DB>, deliveryIds: string[]) {
  if (deliveryIds.length === 0) return []
  return db.selectFrom('webhook_delivery_attempts').selectAll().where('delivery_id', 'in', deliveryIds).orderBy('id').execute()
}

export async function findDelivery(db: Kysely<DB>, subscriptionId: string, deliveryId: string, options: { forUpdate?: boolean } = {}): Promise<WebhookDeliveryRow | undefined> {
  let query = db.selectFrom('webhook_deliveries').selectAll().where('id', '=', deliveryId).where('subscription_id', '=', subscriptionId)
  if (options.forUpdate) query = query.forUpdate()
  return query.executeTakeFirst()
}

/** Puts a delivery back in the queue, due now, with a fresh set of attempts. */
export async function requeueDelivery(db: Transaction<DB>, deliveryId: string): Promise<WebhookDeliveryRow> {
  return db
    .updateTable('webhook_deliveries')
    .set({ status: 'pending', attempts: 0, next_attempt_at: new Date(), claimed_until: null, claimed_by: null })
    .where('id', '=', deliveryId)
    .returningAll()
    .executeTakeFirstOrThrow()
}
