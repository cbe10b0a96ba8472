import { hostname } from 'node:os'
import { randomBytes } from 'node:crypto'
import type { FastifyBaseLogger } from 'fastify'
import type { Kysely, Transaction } from 'kysely'
import type { Agent, request } from 'undici'
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

const SYSTEM_CONTEXT: RequestContext = { actor: { sub: 'system:webhooks', roles: [], officeId: null }, requestId: 'webhook-dispatcher' }

/** ±20 % so that retries of many deliveries that failed together do not all come back at once. */
function withJitter(ms: number): number {
  return Math.round(ms * (0.8 + Math.random() * 0.4))
}

/** An attempt's outcome waiting to be recorded, and how to tell its sender that it is (or failed to be). */
interface PendingOutcome {
  delivery: ClaimedDelivery
  outcome: repository.AttemptOutcome
  next: repository.NextDeliveryState
  settle: (error: unknown) => void
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

/**
 * Delivers webhooks, in every instance that has delivery on, without double sends in flight:
 * one instance at a time turns settled events into deliveries (the dispatch position row is locked
 * with SKIP LOCKED), and every instance claims due deliveries with FOR UPDATE SKIP LOCKED under a
 * lease. Wake-ups come from LISTEN/NOTIFY and this process's own writes, with polling as the fallback.
 */
export class WebhookDispatcher {
  readonly instance = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`
  private http: Promise<{ agent: Agent; request: typeof request }> | undefined
  private readonly inFlight = new Map<string, Promise<void>>()
  private readonly perSubscription = new Map<string, number>()
  private running = false
  private pumping = false
  private pumpAgain = false
  /** Set when events may have been written since the last dispatch (a ring, the poll, the start); a finished send only claims. */
  private dispatchDue = true
  /** Outcomes waiting for the next recording transaction, and whether one is running. */
  private unrecorded: PendingOutcome[] = []
  private recording = false
  private poll: NodeJS.Timeout | undefined
  private purge: NodeJS.Timeout | undefined
  private unsubscribe: (() => void) | undefined

  constructor(private readonly options: DispatcherOptions) {}

  /**
   * The HTTP client, loaded with the first delivery: most instances of an office deliver nothing for hours, and
   * undici with its connection pool is about 20 MB of an idle process.
   */
  private httpClient(): Promise<{ agent: Agent; request: typeof request }> {
    this.http ??= import('undici').then(({ Agent, request }) => ({
      request,
      agent: new Agent({
        keepAliveTimeout: 30_000,
        connections: this.options.concurrencyPerSubscription,
        connect: { lookup: guardedLookup(this.options.policy), timeout: this.options.timeoutMs },
        headersTimeout: this.options.timeoutMs,
        bodyTimeout: this.options.timeoutMs,
      }),
    }))
    return this.http
  }

  start(): void {
    if (this.running) return
    this.running = true
    this.unsubscribe = this.options.signal.onRing(() => this.wake(true))
    this.poll = setInterval(() => this.wake(true), this.options.pollIntervalMs)
    this.purge = setInterval(() => void purgeExpiredEvents(this.options.db, this.options.retentionDays, this.options.log).catch((error: unknown) => this.options.log.warn({ err: error }, 'event purge failed')), PURGE_INTERVAL_MS)
    this.purge.unref()
    this.wake(true)
  }

  /** Stops claiming, and waits for the deliveries in flight (each bounded by the timeout). */
  async stop(): Promise<void> {
    this.running = false
    clearInterval(this.poll)
    clearInterval(this.purge)
    this.unsubscribe?.()
    while (this.pumping || this.inFlight.size > 0) await Promise.race([...this.inFlight.values(), new Promise((resolve) => setTimeout(resolve, 20))])
    if (this.http) await (await this.http).agent.close()
  }

  /** Runs the pump (or has it run again): a dispatch first when events may be new, then claims for the free slots. */
  wake(eventsMayBeNew = false): void {
    if (eventsMayBeNew) this.dispatchDue = true
    if (!this.running) return
    if (this.pumping) {
      this.pumpAgain = true
      return
    }
    this.pumping = true
    void this.pump()
      .catch((error: unknown) => this.options.log.warn({ err: error }, 'webhook dispatch failed; retrying at the next poll'))
      .finally(() => {
        this.pumping = false
        if (this.pumpAgain && this.running) {
          this.pumpAgain = false
          this.wake()
        }
      })
  }

  private async pump(): Promise<void> {
    while (this.running) {
      if (this.dispatchDue) {
        this.dispatchDue = false
        // A full batch means more may be waiting: dispatch again on the next turn.
        if ((await this.dispatch()) === DISPATCH_BATCH) this.dispatchDue = true
      }
      // A claim that got fewer than it asked for found nothing more due: claiming again at once would scan the
      // queue for nothing (with a subscription at its limit excluded, the whole queue), so the pump waits for a
      // freed slot, a ring or the poll.
      const filled = await this.claim()
      if (!this.dispatchDue && !filled) return
    }
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

  /** Claims what this instance has room for and starts sending it; returns whether it got all it asked for. */
  private async claim(): Promise<boolean> {
    const free = this.options.concurrency - this.inFlight.size
    if (free <= 0) return false
    const saturated = [...this.perSubscription].filter(([, count]) => count >= this.options.concurrencyPerSubscription).map(([id]) => id)
    const limit = Math.min(free, this.options.concurrencyPerSubscription)
    const claimed = await repository.claimDueDeliveries(this.options.db, {
      instance: this.instance,
      limit,
      leaseMs: this.options.timeoutMs + LEASE_MARGIN_MS,
      excludedSubscriptions: saturated,
    })
    // One claim may bring a subscription over its limit (it had some in flight already): those go back at once.
    const rows: ClaimedDelivery[] = []
    const over: string[] = []
    const counts = new Map(this.perSubscription)
    for (const delivery of claimed.rows) {
      const count = counts.get(delivery.subscription_id) ?? 0
      if (count >= this.options.concurrencyPerSubscription) over.push(delivery.id)
      else rows.push(delivery)
      counts.set(delivery.subscription_id, count + 1)
    }
    if (over.length > 0) await repository.releaseClaims(this.options.db, over, this.instance)
    for (const delivery of rows) {
      this.perSubscription.set(delivery.subscription_id, (this.perSubscription.get(delivery.subscription_id) ?? 0) + 1)
      const sending = this.send(delivery)
        .catch((error: unknown) => this.options.log.warn({ err: error, delivery: delivery.id }, 'recording a webhook attempt failed; the claim expires and it is retried'))
        .finally(() => {
          this.inFlight.delete(delivery.id)
          const count = (this.perSubscription.get(delivery.subscription_id) ?? 1) - 1
          if (count <= 0) this.perSubscription.delete(delivery.subscription_id)
          else this.perSubscription.set(delivery.subscription_id, count)
          this.wake()
        })
      this.inFlight.set(delivery.id, sending)
    }
    return claimed.rows.length === limit
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
      const http = await this.httpClient()
      const response = await http.request(delivery.url, {
        method: 'POST',
        dispatcher: http.agent,
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
    const outcome = { deliveryId: delivery.id, instance: this.instance, attempt: delivery.attempts, startedAt, statusCode, latencyMs, error }
    const succeeded = error === null
    const retryIn = this.options.retryScheduleMs[delivery.attempts - 1]
    const next = succeeded
      ? { status: 'succeeded' as const, nextAttemptAt: null }
      : retryIn === undefined
        ? { status: 'failed' as const, nextAttemptAt: null }
        : { status: 'pending' as const, nextAttemptAt: new Date(Date.now() + withJitter(retryIn)) }
    await this.record({ delivery, outcome, next })
    this.options.log.info(
      { subscription: delivery.subscription_id, event: delivery.event_id, event_type: delivery.event_type, delivery: delivery.id, attempt: delivery.attempts, status_code: statusCode, latency_ms: latencyMs, outcome: next.status, error },
      'webhook delivery',
    )
  }

  /**
   * Records an attempt's outcome; resolves once it is committed (only then is its slot free, and the next event of
   * its case may be claimed). Outcomes that finish while a recording transaction runs wait for the next one and are
   * recorded together (group commit): one transaction, a few set-based statements and one commit for many attempts,
   * where an attempt at a time was a transaction each. An outcome that finds the dispatcher idle is recorded at once.
   */
  private record(entry: Omit<PendingOutcome, 'settle'>): Promise<void> {
    return new Promise((resolve, reject) => {
      this.unrecorded.push({ ...entry, settle: (error) => (error === undefined ? resolve() : reject(error)) })
      if (!this.recording) void this.recordWaiting()
    })
  }

  private async recordWaiting(): Promise<void> {
    this.recording = true
    try {
      while (this.unrecorded.length > 0) {
        const batch = this.unrecorded
        this.unrecorded = []
        try {
          await this.options.db.transaction().execute((trx) => this.recordBatch(trx, batch))
          for (const entry of batch) entry.settle(undefined)
        } catch (error) {
          for (const entry of batch) entry.settle(error)
        }
      }
    } finally {
      this.recording = false
    }
  }

  private async recordBatch(trx: Transaction<DB>, batch: PendingOutcome[]): Promise<void> {
    // A claim another instance took over (or a subscription deleted meanwhile) is no longer this attempt's to record.
    const finished = await repository.finishClaims(trx, this.instance, batch.map(({ outcome, next }) => ({ outcome, next })))
    const recorded = batch.filter((entry) => finished.has(entry.outcome.deliveryId))
    await repository.recordAttempts(trx, recorded.map((entry) => entry.outcome))
    // A subscription's health follows its attempts in the order they finished: the last one says healthy or failing,
    // and a failure after a success in the same batch starts a new failing period, as it would one at a time.
    const health = new Map<string, { healthy: boolean; anySuccess: boolean }>()
    for (const entry of recorded) {
      const succeeded = entry.outcome.error === null
      const before = health.get(entry.delivery.subscription_id)
      health.set(entry.delivery.subscription_id, { healthy: succeeded, anySuccess: succeeded || (before?.anySuccess ?? false) })
    }
    for (const [subscriptionId, { healthy, anySuccess }] of health) {
      const subscription = await repository.markSubscriptionHealth(trx, subscriptionId, healthy, { failingAnew: !healthy && anySuccess })
      if (
        !healthy &&
        subscription?.status === 'active' &&
        subscription.failing_since !== null &&
        Date.now() - new Date(subscription.failing_since).getTime() >= this.options.disableAfterMs
      ) {
        await this.disable(trx, subscription)
      }
    }
  }

  private async disable(trx: Transaction<DB>, subscription: repository.WebhookSubscriptionRow): Promise<void> {
    await repository.commitWithFlushWait(trx)
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
