import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import fp from 'fastify-plugin'
import { retryScheduleMs } from '../../config.js'
import { listen, type Listener } from '../../db/notifications.js'
import { runWrite } from '../../db/unit-of-work.js'
import { IdempotencyKeyHeader } from '../../shared/headers.js'
import { problemResponses } from '../../shared/problems.js'
import { ALL_ROLES, type Role } from '../../shared/roles.js'
import { createRoute, deleteRoute, emptyBodyAsObject, listRoute, readRoute, registerCustomMethods, updateRoute } from '../../shared/routes.js'
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
import type { WebhookSubscriptionRow } from './repository.js'
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
const HOOKS_TAGS = ['webhook-subscriptions']
const Removed = Type.Null({ description: 'Removed.' })
const SubscriptionPath = '/v1/webhook-subscriptions/:id'

/** A subscription as answered where its secret was just made: the only time the secret is shown. */
const withSecret = (row: WebhookSubscriptionRow) => ({ ...subscriptions.toSubscription(row), secret: row.secret })

export async function eventsRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  for (const schema of eventsModuleSchemas) app.addSchema(schema)
  const policy = targetPolicy(app.config.NODE_ENV)

  listRoute(app, {
    path: '/v1/events',
    tags: [TAG],
    roles: FEED_ROLES,
    operationId: 'listEvents',
    summary: 'Read the events feed',
    description:
      'Every change as a CloudEvent, in feed order, after the cursor `after` (the `next_cursor` of the last page). Resume from the last cursor kept ' +
      'after any outage: no event is skipped, also one whose transaction committed after a later one. A partner office sees the events of the cases ' +
      `referred to it (and of its own webhook subscriptions); other roles see all. With \`wait\` (at most ${MAX_WAIT_SECONDS} s) an empty page waits for the next event. ` +
      'Events are kept `EVENT_RETENTION_DAYS` (90 by default); a cursor older than that is 410 `cursor-expired`: resynchronise from the lists.',
    query: EventFeedQuery,
    list: EventPage,
    problems: [400, 410],
    run: ({ db, context, query }) => readFeed(db, context.actor, query, app.eventSignal),
  })

  createRoute(app, {
    path: '/v1/webhook-subscriptions',
    tags: HOOKS_TAGS,
    roles: SUBSCRIBE_ROLES,
    operationId: 'createWebhookSubscription',
    summary: 'Subscribe to events by webhook',
    description:
      'Events matching `event_types` (all when empty) are POSTed to `url` as CloudEvents, signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`, ' +
      '`webhook-signature`). The signing secret is in this response only. A partner subscribes for its own office (the events of the cases referred to it); ' +
      'admin and integration for any partner office, or for every event (`office_id: null`). In production only `https` URLs on public addresses are accepted (422).',
    body: CreateWebhookSubscription,
    resource: WebhookSubscriptionWithSecret,
    problems: [400, 403, 422],
    run: ({ db, context, body }) => subscriptions.createSubscription(db, context, body, policy),
    location: (row) => `/v1/webhook-subscriptions/${row.id}`,
    present: withSecret,
  })

  listRoute(app, {
    path: '/v1/webhook-subscriptions',
    tags: HOOKS_TAGS,
    roles: SUBSCRIPTION_READ_ROLES,
    operationId: 'listWebhookSubscriptions',
    summary: 'List webhook subscriptions',
    description: 'Subscriptions, oldest first; a partner sees only its office\'s.',
    query: SubscriptionListQuery,
    list: WebhookSubscriptionList,
    run: ({ db, context, query }) => subscriptions.listSubscriptions(db, context.actor, query),
  })

  readRoute(app, {
    path: SubscriptionPath,
    tags: HOOKS_TAGS,
    roles: SUBSCRIPTION_READ_ROLES,
    operationId: 'getWebhookSubscription',
    summary: 'Get a webhook subscription',
    description: 'The subscription (never its secret); another office\'s is 404 for a partner.',
    params: IdParams,
    resource: WebhookSubscription,
    run: ({ db, context, params }) => subscriptions.getSubscription(db, context.actor, params.id),
  })

  updateRoute(app, {
    path: SubscriptionPath,
    tags: HOOKS_TAGS,
    roles: SUBSCRIBE_ROLES,
    operationId: 'updateWebhookSubscription',
    summary: 'Edit, pause or resume a webhook subscription',
    description: 'Changes the URL, types, description or status (`paused` holds deliveries until `active` again). Requires If-Match.',
    params: IdParams,
    body: UpdateWebhookSubscription,
    resource: WebhookSubscription,
    problems: [400, 404, 412, 422, 428],
    run: ({ db, context, params, expectedVersion, body }) => subscriptions.updateSubscription(db, context, params.id, expectedVersion, body, policy),
    present: subscriptions.toSubscription,
  })

  deleteRoute(app, {
    path: SubscriptionPath,
    tags: HOOKS_TAGS,
    roles: SUBSCRIBE_ROLES,
    operationId: 'deleteWebhookSubscription',
    summary: 'Delete a webhook subscription',
    description: 'Stops deliveries and removes the subscription with its delivery log. Requires If-Match.',
    params: IdParams,
    removed: Removed,
    problems: [400, 404, 412, 428],
    run: ({ db, context, params, expectedVersion }) => subscriptions.deleteSubscription(db, context, params.id, expectedVersion),
  })

  registerCustomMethods(
    app,
    { path: `${SubscriptionPath}(^[0-9a-f-]{36})`, tags: HOOKS_TAGS, params: IdParams, response: { 200: Type.Ref(WebhookSubscriptionWithSecret), ...problemResponses(400, 404, 412) }, present: withSecret },
    [
      {
        verb: 'rotate-secret',
        roles: SUBSCRIBE_ROLES,
        operationId: 'rotateWebhookSecret',
        summary: 'Rotate the signing secret',
        description:
          'Makes a new secret (in this response only). For `overlap_hours` (24 by default) every delivery is signed with both, so a receiver can switch ' +
          'without rejecting one; then only the new one signs.',
        body: RotateSecret,
        optionalBody: true,
        run: (db, context, params, expected, body) => subscriptions.rotateSecret(db, context, params.id, expected, body.overlap_hours ?? 24),
      },
    ],
  )

  listRoute(app, {
    path: `${SubscriptionPath}/deliveries`,
    tags: HOOKS_TAGS,
    roles: SUBSCRIPTION_READ_ROLES,
    operationId: 'listWebhookDeliveries',
    summary: 'List the deliveries of a subscription',
    description: 'Deliveries, newest first, each with its attempts (status code, latency, error) and next attempt.',
    params: IdParams,
    query: DeliveryListQuery,
    list: WebhookDeliveryList,
    run: ({ db, context, params, query }) => subscriptions.listDeliveries(db, context.actor, params.id, query),
  })

  app.post(`${SubscriptionPath}/deliveries/:delivery_id(^[0-9a-f-]{36})::redeliver`, {
    config: { roles: SUBSCRIBE_ROLES },
    preValidation: emptyBodyAsObject,
    schema: {
      tags: HOOKS_TAGS,
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
