import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import fp from 'fastify-plugin'
import { retryScheduleMs } from '../../config.js'
import { listen, type Listener } from '../../db/notifications.js'
import { runWrite } from '../../db/unit-of-work.js'
import { expectedVersion } from '../../shared/etag.js'
import { IdempotencyKeyHeader, IfMatchHeader } from '../../shared/headers.js'
import { PROBLEM_RESPONSES, problemResponses } from '../../shared/problems.js'
import { ALL_ROLES, type Role } from '../../shared/roles.js'
import { emptyBodyAsObject, versionedRead, versionedWrite } from '../../shared/routes.js'
import { IdParams } from '../../shared/schemas.js'
import { WebhookDispatcher } from './dispatcher.js'
import { MAX_WAIT_SECONDS, readFeed } from './feed.js'
import {
  CreateWebhookSubscription,
  DeliveryListQuery,
  DeliveryParams,
  EventFeedQuery,
  EventPage,
  eventsModuleSchemas,
  RotateSecret,
  SubscriptionListQuery,
  UpdateWebhookSubscription,
  WebhookDelivery,
  WebhookDeliveryList,
  WebhookSubscription,
  WebhookSubscriptionList,
  WebhookSubscriptionWithSecret,
} from './schemas.js'
import { EventSignal } from './signal.js'
import * as subscriptions from './subscriptions.js'
import { targetPolicy } from './targets.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Rung when events may have been committed (NOTIFY from any instance, or this instance's writes). */
    eventSignal: EventSignal
  }
}

/** The channel the outbox trigger notifies at each commit that wrote events. */
export const OUTBOX_CHANNEL = 'avrr_outbox'

/**
 * The running part of the events module, on the root instance: the signal that wakes long polls
 * and the dispatcher, LISTEN on the PostgreSQL server, and the dispatcher itself where delivery is
 * on (WEBHOOK_DELIVERY_ENABLED). Registered before every module so its hook sees every write.
 */
async function eventsRuntimePlugin(app: FastifyInstance): Promise<void> {
  const signal = new EventSignal()
  app.decorate('eventSignal', signal)
  // A write answered without error has committed: its events can be read now.
  app.addHook('onResponse', async (request, reply) => {
    if (request.method !== 'GET' && request.method !== 'HEAD' && reply.statusCode < 400) signal.ring()
  })
  let listener: Listener | undefined
  let dispatcher: WebhookDispatcher | undefined
  app.addHook('onReady', async () => {
    const { config } = app
    if (app.databaseKind === 'postgres' && config.DATABASE_URL) {
      listener = listen(config.DATABASE_URL, OUTBOX_CHANNEL, () => signal.ring(), {
        onError: (error) => app.log.warn({ err: error }, 'event notifications lost; reconnecting (polling meanwhile)'),
      })
    }
    if (config.WEBHOOK_DELIVERY_ENABLED) {
      dispatcher = new WebhookDispatcher({
        db: app.db,
        log: app.log,
        signal,
        policy: targetPolicy(config.NODE_ENV),
        concurrency: config.WEBHOOK_CONCURRENCY,
        concurrencyPerSubscription: config.WEBHOOK_CONCURRENCY_PER_SUBSCRIPTION,
        timeoutMs: config.WEBHOOK_TIMEOUT_MS,
        retryScheduleMs: retryScheduleMs(config),
        disableAfterMs: config.WEBHOOK_DISABLE_AFTER_HOURS * 3_600_000,
        pollIntervalMs: config.WEBHOOK_POLL_INTERVAL_MS,
        retentionDays: config.EVENT_RETENTION_DAYS,
      })
      dispatcher.start()
    }
  })
  app.addHook('onClose', async () => {
    await dispatcher?.stop()
    await listener?.close()
  })
}

export const eventsRuntime = fp(eventsRuntimePlugin, { name: 'events-runtime', dependencies: ['config'] })

const FEED_ROLES = ALL_ROLES
const SUBSCRIBE_ROLES: readonly Role[] = ['admin', 'integration', 'partner']
const SUBSCRIPTION_READ_ROLES: readonly Role[] = ['admin', 'integration', 'auditor', 'partner']
const TAG = 'events'
const HOOKS_TAG = 'webhook-subscriptions'
const Removed = Type.Null({ description: 'Removed.' })
const SubscriptionPath = '/v1/webhook-subscriptions/:id'

export async function eventsRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  for (const schema of eventsModuleSchemas) app.addSchema(schema)
  const policy = targetPolicy(app.config.NODE_ENV)

  app.get('/v1/events', {
    config: { roles: FEED_ROLES },
    schema: {
      tags: [TAG],
      operationId: 'listEvents',
      summary: 'Read the events feed',
      description:
        'Every change as a CloudEvent, in feed order, after the cursor `after` (the `next_cursor` of the last page). Resume from the last cursor kept ' +
        'after any outage: no event is skipped, also one whose transaction committed after a later one. A partner office sees the events of the cases ' +
        `referred to it (and of its own webhook subscriptions); other roles see all. With \`wait\` (at most ${MAX_WAIT_SECONDS} s) an empty page waits for the next event. ` +
        'Events are kept `EVENT_RETENTION_DAYS` (90 by default); a cursor older than that is 410 `cursor-expired`: resynchronise from the lists.',
      querystring: EventFeedQuery,
      response: { 200: Type.Ref(EventPage), ...problemResponses(400, 410) },
    },
    handler: (request) => readFeed(app.db, request.context.actor, request.query, app.eventSignal),
  })

  app.post('/v1/webhook-subscriptions', {
    config: { roles: SUBSCRIBE_ROLES },
    schema: {
      tags: [HOOKS_TAG],
      operationId: 'createWebhookSubscription',
      summary: 'Subscribe to events by webhook',
      description:
        'Events matching `event_types` (all when empty) are POSTed to `url` as CloudEvents, signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`, ' +
        '`webhook-signature`). The signing secret is in this response only. A partner subscribes for its own office (the events of the cases referred to it); ' +
        'admin and integration for any partner office, or for every event (`office_id: null`). In production only `https` URLs on public addresses are accepted (422).',
      headers: IdempotencyKeyHeader,
      body: Type.Ref(CreateWebhookSubscription),
      response: { 201: Type.Ref(WebhookSubscriptionWithSecret), ...problemResponses(400, 403, 422) },
    },
    handler: (request, reply) =>
      versionedWrite(request, reply, (db, context) => subscriptions.createSubscription(db, context, request.body, policy), {
        ifMatch: 'none',
        status: 201,
        location: (row) => `/v1/webhook-subscriptions/${row.id}`,
        body: (row) => ({ ...subscriptions.toSubscription(row), secret: row.secret }),
      }),
  })

  app.get('/v1/webhook-subscriptions', {
    config: { roles: SUBSCRIPTION_READ_ROLES },
    schema: {
      tags: [HOOKS_TAG],
      operationId: 'listWebhookSubscriptions',
      summary: 'List webhook subscriptions',
      description: 'Subscriptions, oldest first; a partner sees only its office\'s.',
      querystring: SubscriptionListQuery,
      response: { 200: Type.Ref(WebhookSubscriptionList), 400: PROBLEM_RESPONSES[400] },
    },
    handler: (request) => subscriptions.listSubscriptions(app.db, request.context.actor, request.query),
  })

  app.get(SubscriptionPath, {
    config: { roles: SUBSCRIPTION_READ_ROLES },
    schema: {
      tags: [HOOKS_TAG],
      operationId: 'getWebhookSubscription',
      summary: 'Get a webhook subscription',
      description: 'The subscription (never its secret); another office\'s is 404 for a partner.',
      params: IdParams,
      response: { 200: Type.Ref(WebhookSubscription), ...problemResponses(400, 404) },
    },
    handler: (request, reply) => versionedRead(reply, subscriptions.getSubscription(app.db, request.context.actor, request.params.id)),
  })

  app.patch(SubscriptionPath, {
    config: { roles: SUBSCRIBE_ROLES },
    schema: {
      tags: [HOOKS_TAG],
      operationId: 'updateWebhookSubscription',
      summary: 'Edit, pause or resume a webhook subscription',
      description: 'Changes the URL, types, description or status (`paused` holds deliveries until `active` again). Requires If-Match.',
      params: IdParams,
      headers: IfMatchHeader,
      body: Type.Ref(UpdateWebhookSubscription),
      response: { 200: Type.Ref(WebhookSubscription), ...problemResponses(400, 404, 412, 422, 428) },
    },
    handler: (request, reply) =>
      versionedWrite(request, reply, (db, context, expected) => subscriptions.updateSubscription(db, context, request.params.id, expected, request.body, policy), {
        ifMatch: 'required',
        body: subscriptions.toSubscription,
      }),
  })

  app.delete(SubscriptionPath, {
    config: { roles: SUBSCRIBE_ROLES },
    schema: {
      tags: [HOOKS_TAG],
      operationId: 'deleteWebhookSubscription',
      summary: 'Delete a webhook subscription',
      description: 'Stops deliveries and removes the subscription with its delivery log. Requires If-Match.',
      params: IdParams,
      headers: IfMatchHeader,
      response: { 204: Removed, ...problemResponses(400, 404, 412, 428) },
    },
    handler: async (request, reply) => {
      const expected = expectedVersion(request, { required: true })
      return runWrite(request, reply, async (db, context) => {
        await subscriptions.deleteSubscription(db, context, request.params.id, expected)
        return { status: 204, body: undefined }
      })
    },
  })

  app.post(`${SubscriptionPath}(^[0-9a-f-]{36})::rotate-secret`, {
    config: { roles: SUBSCRIBE_ROLES },
    preValidation: emptyBodyAsObject,
    schema: {
      tags: [HOOKS_TAG],
      operationId: 'rotateWebhookSecret',
      summary: 'Rotate the signing secret',
      description:
        'Makes a new secret (in this response only). For `overlap_hours` (24 by default) every delivery is signed with both, so a receiver can switch ' +
        'without rejecting one; then only the new one signs.',
      params: IdParams,
      headers: IfMatchHeader,
      body: Type.Ref(RotateSecret),
      response: { 200: Type.Ref(WebhookSubscriptionWithSecret), ...problemResponses(400, 404, 412) },
    },
    handler: (request, reply) =>
      versionedWrite(request, reply, (db, context, expected) => subscriptions.rotateSecret(db, context, request.params.id, expected, request.body.overlap_hours ?? 24), {
        ifMatch: 'optional',
        body: (row) => ({ ...subscriptions.toSubscription(row), secret: row.secret }),
      }),
  })

  app.get(`${SubscriptionPath}/deliveries`, {
    config: { roles: SUBSCRIPTION_READ_ROLES },
    schema: {
      tags: [HOOKS_TAG],
      operationId: 'listWebhookDeliveries',
      summary: 'List the deliveries of a subscription',
      description: 'Deliveries, newest first, each with its attempts (status code, latency, error) and next attempt.',
      params: IdParams,
      querystring: DeliveryListQuery,
      response: { 200: Type.Ref(WebhookDeliveryList), ...problemResponses(400, 404) },
    },
    handler: (request) => subscriptions.listDeliveries(app.db, request.context.actor, request.params.id, request.query),
  })

  app.post(`${SubscriptionPath}/deliveries/:delivery_id(^[0-9a-f-]{36})::redeliver`, {
    config: { roles: SUBSCRIBE_ROLES },
    preValidation: emptyBodyAsObject,
    schema: {
      tags: [HOOKS_TAG],
      operationId: 'redeliverWebhook',
      summary: 'Send a delivery again',
      description: 'Queues a failed (or acknowledged) delivery again, due now, with a fresh set of retries. A pending one is 409.',
      params: DeliveryParams,
      headers: IdempotencyKeyHeader,
      body: Type.Object({}, { additionalProperties: false }),
      response: { 200: Type.Ref(WebhookDelivery), ...problemResponses(400, 404, 409) },
    },
    handler: (request, reply) =>
      runWrite(request, reply, async (db, context) => ({ status: 200, body: await subscriptions.redeliver(db, context, request.params.id, request.params.delivery_id) })),
  })
}
