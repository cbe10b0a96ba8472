import { hostname } from 'node:os'
import { randomBytes } from 'node:crypto'
import type { FastifyBaseLogger } from 'fastify'
import type { Kysely, Transaction } from 'kysely'
import { Agent, request } from 'undici'
import type { DB } from '../../db/schema.js'
import { recordAudit } from '../../shared/audit.js'
import type { RequestContext } from '../../shared/context.js'
import { newId } from '../../shared/ids.js'
import { emitEvent } from '../../shared/outbox.js'
import { cloudEventType } from './catalogue.js'
import { toCloudEvent, type OutboxEvent } from './envelope.js'
import { positionOf } from './feed.js'
import * as repository from './repository.js'
import { purgeExpiredEvents } from './retention.js'
import type { ClaimedDelivery, NewDelivery } from './repository.js'
import type { EventSignal } from './signal.js'
import { signedHeaders, signingSecrets } from './signing.js'
import { guardedLookup, refusedLiteralHost, type TargetPolicy } from './targets.js'

export interface DispatcherOptions {
  db: Kysely<DB>
  log: FastifyBaseLogger
  signal: EventSignal
  policy: TargetPolicy
  concurrency: number
  concurrencyPerSubscription: number
  timeoutMs: number
  /** Waits before each retry, in ms; after the last, a delivery is failed. */
  retryScheduleMs: number[]
  disableAfterMs: number
  pollIntervalMs: number
  retentionDays: number
}

/** Events turned into deliveries per dispatch transaction. */
const DISPATCH_BATCH = 500
const PURGE_INTERVAL_MS = 60 * 60 * 1000
/** A claim outlives the request's timeout by this much before another instance may take it over. */
const LEASE_MARGIN_MS = 30_000
/** Outcomes are recorded in one statement when this many are waiting, or this long after the first of them. */
const OUTCOME_BATCH = 200
const OUTCOME_FLUSH_MS = 5

const SYSTEM_CONTEXT: RequestContext = { actor: { sub: 'system:webhooks', roles: [], officeId: null }, requestId: 'webhook-dispatcher' }

/** ±20 % so that retries of many deliveries that failed together do not all come back at once. */
function withJitter(ms: number): number {
  return Math.round(ms * (0.8 + Math.random() * 0.4))
}

function orderingKey(event: OutboxEvent): string {
  return event.case_id ?? `${event.entity_type}/${event.entity_id}`
}

function describeError(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause
  const code = (error as { code?: string }).code ?? (cause as { code?: string } | undefined)?.code
  const message = error instanceof Error ? error.message : String(error)
  return code && !message.includes(code) ? `${code}: ${message}` : message
}

/** Runs `step` again and again, never twice at once, until it says there is no more to do; a wake-up meanwhile runs it once more. */
class Loop {
  private running: Promise<void> | undefined
  private again = false

  constructor(
    private readonly step: () => Promise<boolean>,
    private readonly onError: (error: unknown) => void,
  ) {}

  get busy(): boolean {
    return this.running !== undefined
  }

  wake(): void {
    if (this.running) {
      this.again = true
      return
    }
    this.running = this.run().finally(() => {
      this.running = undefined
      if (this.again) {
        this.again = false
        this.wake()
      }
    })
  }

  private async run(): Promise<void> {
    try {
      while (await this.step()) this.again = false
    } catch (error) {
      this.onError(error)
    }
  }
}

/**
 * Delivers webhooks, in every instance that has delivery on, without double sends in flight:
 * one instance at a time turns settled events into deliveries (the dispatch position row is locked
 * with SKIP LOCKED), and every instance claims due deliveries with FOR UPDATE SKIP LOCKED under a
 * lease. Wake-ups come from LISTEN/NOTIFY and this process's own writes, with polling as the fallback.
 *
 * Three loops run side by side, so that none waits for another's round trips: dispatch (events into
 * deliveries), claims (as many as there is room for, per subscription, in one statement; a freed slot
 * wakes it), and outcomes (the results of finished attempts, recorded many to a statement). An outcome
 * not yet recorded leaves its delivery claimed: if the process dies first, the lease expires and the
 * delivery is sent again (at least once), and the next event of its case is not claimed before it is recorded.
 */
export class WebhookDispatcher {
  readonly instance = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`
  private readonly agent: Agent
  private readonly inFlight = new Map<string, Promise<void>>()
  private readonly perSubscription = new Map<string, number>()
  private readonly outcomes: repository.AttemptOutcome[] = []
  private readonly dispatching: Loop
  private readonly claiming: Loop
  private readonly recording: Loop
  private running = false
  private flushTimer: NodeJS.Timeout | undefined
  private poll: NodeJS.Timeout | undefined
  private purge: NodeJS.Timeout | undefined
  private unsubscribe: (() => void) | undefined

  constructor(private readonly options: DispatcherOptions) {
    // The agent keeps a pool per origin, and several subscriptions may share one: it allows what the instance may have in flight.
    this.agent = new Agent({
      keepAliveTimeout: 30_000,
      connections: options.concurrency,
      connect: { lookup: guardedLookup(options.policy), timeout: options.timeoutMs },
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    })
    this.dispatching = new Loop(
      async () => {
        if (!this.running) return false
        const dispatched = await this.dispatch()
        if (dispatched > 0) this.claiming.wake()
        return dispatched === DISPATCH_BATCH
      },
      (error) => this.options.log.warn({ err: error }, 'webhook dispatch failed; retrying at the next poll'),
    )
    this.claiming = new Loop(
      () => (this.running ? this.claim() : Promise.resolve(false)),
      (error) => this.options.log.warn({ err: error }, 'claiming webhook deliveries failed; retrying at the next poll'),
    )
    this.recording = new Loop(
      () => this.recordOutcomes(),
      (error) => {
        this.options.log.warn({ err: error }, 'recording webhook attempts failed; retrying at the next poll (an expired claim is sent again)')
      },
    )
  }

  start(): void {
    if (this.running) return
    this.running = true
    this.unsubscribe = this.options.signal.onRing(() => this.wake())
    this.poll = setInterval(() => {
      this.wake()
      if (this.outcomes.length > 0) this.recording.wake()
    }, this.options.pollIntervalMs)
    this.purge = setInterval(() => void purgeExpiredEvents(this.options.db, this.options.retentionDays, this.options.log).catch((error: unknown) => this.options.log.warn({ err: error }, 'event purge failed')), PURGE_INTERVAL_MS)
    this.purge.unref()
    this.wake()
  }

  /** Stops claiming, waits for the deliveries in flight (each bounded by the timeout), and records their outcomes. */
  async stop(): Promise<void> {
    this.running = false
    clearInterval(this.poll)
    clearInterval(this.purge)
    this.unsubscribe?.()
    const pause = () => new Promise((resolve) => setTimeout(resolve, 20))
    while (this.dispatching.busy || this.claiming.busy || this.inFlight.size > 0) await Promise.race([...this.inFlight.values(), pause()])
    clearTimeout(this.flushTimer)
    // One last try for what is left: if the database is gone, those claims expire and are sent again.
    if (this.outcomes.length > 0) this.recording.wake()
    while (this.recording.busy) await pause()
    await this.agent.close()
  }

  /** New events may be there, or deliveries may have come due. */
  wake(): void {
    if (!this.running) return
    this.dispatching.wake()
    this.claiming.wake()
  }

  /** Turns the next settled events into deliveries for the subscriptions they match; returns how many events it read. */
  async dispatch(): Promise<number> {
    return this.options.db.transaction().execute(async (trx) => {
      const position = await repository.lockDispatchPosition(trx)
      if (!position) return 0
      const events = await repository.settledEventsAfter(trx, { after: position, limit: DISPATCH_BATCH })
      const last = events.at(-1)
      if (!last) return 0
      const subscriptions = await repository.receivingSubscriptions(trx)
      const scoped = subscriptions.some((subscription) => subscription.office_id !== null)
      const referrals = scoped ? await repository.partnerOfficesOfCases(trx, [...new Set(events.flatMap((event) => (event.case_id ? [event.case_id] : [])))]) : new Map<string, string | null>()
      const deliveries: NewDelivery[] = []
      for (const event of events) {
        const type = cloudEventType(event.event_type)
        const officeOfEvent = event.case_id ? referrals.get(event.case_id) : event.entity_type === 'webhook_subscription' ? (event.payload.office_id as string | null) : undefined
        let body: string | undefined
        for (const subscription of subscriptions) {
          // A subscription receives the changes made after it was created; the feed has the ones before.
          if (event.occurred_at < subscription.created_at) continue
          if (subscription.event_types.length > 0 && !subscription.event_types.includes(type)) continue
          if (subscription.office_id !== null && subscription.office_id !== officeOfEvent) continue
          body ??= JSON.stringify(toCloudEvent(event))
          deliveries.push({
            id: newId(),
            subscription_id: subscription.id,
            event_id: event.id,
            event_type: type,
            event_sequence: event.sequence,
            case_id: event.case_id,
            ordering_key: orderingKey(event),
            body,
          })
        }
      }
      await repository.insertDeliveries(trx, deliveries)
      await repository.moveDispatchPosition(trx, positionOf(last))
      return events.length
    })
  }

  /** Claims what this instance has room for and starts sending it; true when it filled the room (there may be more). */
  private async claim(): Promise<boolean> {
    const free = this.options.concurrency - this.inFlight.size
    if (free <= 0) return false
    const claimed = await repository.claimDueDeliveries(this.options.db, {
      instance: this.instance,
      limit: free,
      perSubscription: this.options.concurrencyPerSubscription,
      inFlight: this.perSubscription,
      leaseMs: this.options.timeoutMs + LEASE_MARGIN_MS,
    })
    for (const delivery of claimed.rows) {
      this.perSubscription.set(delivery.subscription_id, (this.perSubscription.get(delivery.subscription_id) ?? 0) + 1)
      const sending = this.send(delivery)
        .catch((error: unknown) => this.options.log.warn({ err: error, delivery: delivery.id }, 'a webhook attempt failed unexpectedly; the claim expires and it is retried'))
        .finally(() => {
          this.inFlight.delete(delivery.id)
          const count = (this.perSubscription.get(delivery.subscription_id) ?? 1) - 1
          if (count <= 0) this.perSubscription.delete(delivery.subscription_id)
          else this.perSubscription.set(delivery.subscription_id, count)
          // The slot is free; the delivery itself stays claimed until its outcome is recorded.
          this.claiming.wake()
        })
      this.inFlight.set(delivery.id, sending)
    }
    return claimed.rows.length > 0 && claimed.rows.length === free
  }

  private async send(delivery: ClaimedDelivery): Promise<void> {
    const startedAt = new Date()
    const started = performance.now()
    let statusCode: number | null = null
    let error: string | null = null
    try {
      const literal = refusedLiteralHost(delivery.url, this.options.policy)
      if (literal) throw new Error(`${literal} is not an address webhooks may reach`)
      const headers = signedHeaders(signingSecrets(delivery), delivery.event_id, startedAt, delivery.body)
      const response = await request(delivery.url, {
        method: 'POST',
        dispatcher: this.agent,
        headers: { ...headers, 'content-type': 'application/cloudevents+json; charset=utf-8', 'user-agent': 'avrr-webhooks/1' },
        body: delivery.body,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      })
      statusCode = response.statusCode
      await response.body.dump({ limit: 64 * 1024 }).catch(() => undefined)
      if (statusCode < 200 || statusCode > 299) error = `HTTP ${statusCode}`
    } catch (caught) {
      error = (caught as Error).name === 'TimeoutError' ? `timeout after ${this.options.timeoutMs} ms` : describeError(caught)
    }
    const latencyMs = Math.round(performance.now() - started)
    const retryIn = this.options.retryScheduleMs[delivery.attempts - 1]
    const next =
      error === null
        ? { status: 'succeeded' as const, nextAttemptAt: null }
        : retryIn === undefined
          ? { status: 'failed' as const, nextAttemptAt: null }
          : { status: 'pending' as const, nextAttemptAt: new Date(Date.now() + withJitter(retryIn)) }
    this.outcomes.push({ deliveryId: delivery.id, subscriptionId: delivery.subscription_id, attempt: delivery.attempts, startedAt, statusCode, latencyMs, error, ...next })
    if (this.outcomes.length >= OUTCOME_BATCH) this.recording.wake()
    else this.flushTimer ??= setTimeout(() => this.recording.wake(), OUTCOME_FLUSH_MS)
    this.options.log.info(
      { subscription: delivery.subscription_id, event: delivery.event_id, event_type: delivery.event_type, delivery: delivery.id, attempt: delivery.attempts, status_code: statusCode, latency_ms: latencyMs, outcome: next.status, error },
      'webhook delivery',
    )
  }

  /**
   * Records the waiting outcomes, up to a batch, in one statement; true when more are waiting. A batch that fails
   * goes back to the front of the queue for the next try (a claim that expired meanwhile is then left alone).
   */
  private async recordOutcomes(): Promise<boolean> {
    clearTimeout(this.flushTimer)
    this.flushTimer = undefined
    const batch = this.outcomes.splice(0, OUTCOME_BATCH)
    if (batch.length === 0) return false
    let finished: repository.FinishedClaims
    try {
      finished = await repository.finishClaims(this.options.db, this.instance, batch)
    } catch (error) {
      this.outcomes.unshift(...batch)
      throw error
    }
    // Recorded acknowledgements let the next event of those cases be claimed.
    if (this.running) this.claiming.wake()
    for (const subscription of finished.failing) {
      const since = subscription.failing_since
      if (subscription.status === 'active' && since !== null && Date.now() - new Date(since).getTime() >= this.options.disableAfterMs) {
        await this.options.db.transaction().execute(async (trx) => {
          const current = await repository.findSubscription(trx, subscription.id, { forUpdate: true })
          if (current?.status === 'active' && current.failing_since !== null && Date.now() - new Date(current.failing_since).getTime() >= this.options.disableAfterMs) await this.disable(trx, current)
        })
      }
    }
    return this.outcomes.length > 0
  }

  private async disable(trx: Transaction<DB>, subscription: repository.WebhookSubscriptionRow): Promise<void> {
    const reason = `every delivery failed since ${new Date(subscription.failing_since as Date).toISOString()}`
    const updated = await repository.updateSubscription(trx, subscription.id, { status: 'disabled', disabled_reason: reason })
    await recordAudit(trx, SYSTEM_CONTEXT, { action: 'webhook_subscription.disabled', entityType: 'webhook_subscription', entityId: subscription.id, before: { status: subscription.status }, after: { status: 'disabled', disabled_reason: reason } })
    await emitEvent(trx, {
      type: 'webhook_subscription.disabled',
      entityType: 'webhook_subscription',
      entityId: subscription.id,
      payload: { id: updated.id, office_id: updated.office_id, url: updated.url, status: updated.status, disabled_reason: reason, failing_since: new Date(subscription.failing_since as Date).toISOString() },
    })
    this.options.log.warn({ subscription: subscription.id, reason }, 'webhook subscription disabled')
  }
}
