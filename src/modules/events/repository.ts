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

export interface ClaimOptions {
  instance: string
  /** At most this many in all (the room this instance has left). */
  limit: number
  /** At most this many in flight per subscription on this instance, counting `inFlight`. */
  perSubscription: number
  /** This instance's deliveries in flight, per subscription id. */
  inFlight: ReadonlyMap<string, number>
  leaseMs: number
}

export function claimDueDeliveries(db: Kysely<DB>, options: ClaimOptions) {
  return claimStatement(options).execute(db)
}

/**
 * Claims due deliveries for this instance (a lease until `leaseMs` from now), in one statement: per active
 * subscription the oldest-due ones up to the room it has left on this instance, then the oldest-due of those up
 * to `limit`; rows another instance has locked are skipped, and only the first pending delivery of each
 * subscription and ordering key is taken, so event n+1 of a case waits until n is acknowledged (or failed).
 */
export function claimStatement(options: ClaimOptions) {
  const busy = [...options.inFlight]
  return sql<ClaimedDelivery>`
    with room as (
      select s.id, ${options.perSubscription}::int - coalesce(f.in_flight, 0) as room
      from webhook_subscriptions s
      left join unnest(${busy.map(([id]) => id)}::uuid[], ${busy.map(([, count]) => count)}::int[]) as f (subscription_id, in_flight) on f.subscription_id = s.id
      where s.status = 'active' and ${options.perSubscription}::int - coalesce(f.in_flight, 0) > 0
    ),
    due as (
      select c.id from room r
      cross join lateral (
        select d.id, d.next_attempt_at from webhook_deliveries d
        where d.subscription_id = r.id and d.status = 'pending' and d.next_attempt_at <= now()
          and (d.claimed_until is null or d.claimed_until < now())
          and not exists (
            select 1 from webhook_deliveries p
            where p.subscription_id = d.subscription_id and p.ordering_key = d.ordering_key
              and p.status = 'pending' and p.event_sequence < d.event_sequence
          )
        order by d.next_attempt_at
        limit r.room
        for update of d skip locked
      ) c
      order by c.next_attempt_at
      limit ${options.limit}
    )
    update webhook_deliveries w
    set claimed_until = now() + make_interval(secs => ${options.leaseMs / 1000}), claimed_by = ${options.instance}, attempts = w.attempts + 1
    from due, webhook_subscriptions s
    where w.id = due.id and s.id = w.subscription_id
    returning w.id, w.subscription_id, w.event_id, w.event_type, w.body, w.attempts, s.url, s.secret, s.previous_secret, s.previous_secret_expires_at
  `
}

/** The result of one attempt, and what becomes of the delivery. */
export interface AttemptOutcome {
  deliveryId: string
  subscriptionId: string
  /** The claim's attempt number: the outcome is recorded only while the delivery is still at it. */
  attempt: number
  startedAt: Date
  statusCode: number | null
  latencyMs: number
  error: string | null
  status: 'succeeded' | 'failed' | 'pending'
  nextAttemptAt: Date | null
}

export interface FinishedClaims {
  /** The deliveries whose outcome was recorded (the others' claims had been taken over or deleted). */
  recorded: string[]
  /** Subscriptions whose last outcome in the batch failed, as they were before it (to check how long they have failed). */
  failing: Pick<WebhookSubscriptionRow, 'id' | 'status' | 'failing_since'>[]
}

/**
 * Records a batch of outcomes in one statement: ends each claim still held by `instance` at the same attempt
 * (a claim that expired and was taken over, by another instance or by this one again, has another claimant or
 * attempt number and is left alone), logs an attempt for each claim it ended, and sets each subscription's
 * health from its last outcome in the batch. The subscription row is written only when its health changes
 * (healthy → failing, failing → healthy), so the deliveries of one subscription do not queue on its row lock.
 */
export async function finishClaims(db: Kysely<DB>, instance: string, outcomes: AttemptOutcome[]): Promise<FinishedClaims> {
  if (outcomes.length === 0) return { recorded: [], failing: [] }
  const batch = JSON.stringify(
    outcomes.map((outcome, position) => ({
      position,
      delivery_id: outcome.deliveryId,
      subscription_id: outcome.subscriptionId,
      attempt: outcome.attempt,
      started_at: outcome.startedAt.toISOString(),
      status_code: outcome.statusCode,
      latency_ms: outcome.latencyMs,
      error: outcome.error,
      status: outcome.status,
      next_attempt_at: outcome.nextAttemptAt?.toISOString() ?? null,
    })),
  )
  const { rows } = await sql<{ kind: 'recorded' | 'failing'; id: string; status: WebhookSubscriptionRow['status'] | null; failing_since: Date | null }>`
    with outcome as (
      select * from jsonb_to_recordset(${batch}::jsonb) as o (
        position int, delivery_id uuid, subscription_id uuid, attempt int, started_at timestamptz, status_code int,
        latency_ms int, error text, status text, next_attempt_at timestamptz
      )
    ),
    finished as (
      update webhook_deliveries d
      set status = o.status, claimed_until = null, claimed_by = null,
        last_status_code = o.status_code, last_error = o.error, last_latency_ms = o.latency_ms,
        delivered_at = case when o.status = 'succeeded' then now() else d.delivered_at end,
        next_attempt_at = coalesce(o.next_attempt_at, d.next_attempt_at)
      from outcome o
      where d.id = o.delivery_id and d.claimed_by = ${instance} and d.attempts = o.attempt
      returning o.*
    ),
    logged as (
      insert into webhook_delivery_attempts (delivery_id, attempt, started_at, status_code, latency_ms, error, instance)
      select delivery_id, attempt, started_at, status_code, latency_ms, error, ${instance} from finished order by position
    ),
    health as (
      select distinct on (subscription_id) subscription_id, status = 'succeeded' as healthy
      from finished order by subscription_id, position desc
    ),
    marked as (
      update webhook_subscriptions s
      set failing_since = case when h.healthy then null else now() end
      from health h
      where s.id = h.subscription_id and (case when h.healthy then s.failing_since is not null else s.failing_since is null end)
    )
    select 'recorded' as kind, delivery_id as id, null as status, null as failing_since from finished
    union all
    select 'failing', s.id, s.status, s.failing_since from health h join webhook_subscriptions s on s.id = h.subscription_id where not h.healthy
  `.execute(db)
  return {
    recorded: rows.filter((row) => row.kind === 'recorded').map((row) => row.id),
    failing: rows.filter((row) => row.kind === 'failing').map((row) => ({ id: row.id, status: row.status as WebhookSubscriptionRow['status'], failing_since: row.failing_since })),
  }
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
