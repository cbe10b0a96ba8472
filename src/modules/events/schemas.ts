import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { ChildParams, ListPage, ListQuery, Nullable, RecordStamps, StringEnum, Timestamp, UpdateBody, Uuid } from '../../shared/schemas.js'
import { EVENT_CATALOGUE, EVENT_TYPE_PATTERN } from './catalogue.js'

export const EventType = Type.String({ pattern: EVENT_TYPE_PATTERN, description: 'A CloudEvents type, `avrr.<entity>.<verb>` (see the `webhooks` section of the spec for the catalogue).', examples: ['avrr.return_case.approved'] })

const envelopeFields = (entity: string, verbs: readonly string[], state: TSchema) => ({
  specversion: Type.Literal('1.0', { description: 'CloudEvents version.' }),
  id: Uuid('Event id: unique, the same in the feed and in every webhook delivery (also `webhook-id`); deduplicate on it.'),
  source: Type.String({ description: 'This service (`/avrr`).', examples: ['/avrr'] }),
  type: StringEnum(verbs.map((verb) => `avrr.${entity}.${verb}`), { description: 'What happened.' }),
  subject: Type.String({ description: 'The entity path: `return_case/{case_id}/<entity>/{id}` for an entity of a case, else `<entity>/{id}`.' }),
  time: Timestamp('When the change was made.'),
  datacontenttype: Type.Literal('application/json', { description: 'Media type of `data`.' }),
  sequence: Type.String({ description: 'Order of writing (a CloudEvents extension): of two events of one case, the higher was committed later.' }),
  data: Type.Object(
    {
      entity_type: Type.Literal(entity, { description: 'The kind of entity.' }),
      entity_id: Type.String({ description: 'The entity\'s id.' }),
      case_id: Nullable(Uuid('The return case the entity belongs to, if any.')),
      status: Nullable(Type.String({ description: 'The entity\'s status after the change, where it has one.' })),
      state,
      changed: Type.Array(Type.String(), { description: 'Names of the fields the change touched (all of them on a creation); values are in `state` where they may be shown.' }),
    },
    { additionalProperties: false, description: 'The entity after the change.' },
  ),
})

/** One named schema per entity of the catalogue, for the spec's `webhooks` section and the feed. */
export const eventSchemas: TSchema[] = Object.entries(EVENT_CATALOGUE).map(([entity, { schema, description, verbs }]) =>
  Type.Object(
    envelopeFields(
      entity,
      Object.keys(verbs),
      Type.Object({}, { additionalProperties: true, description: `The new state of the ${entity.replaceAll('_', ' ')} (ids, status, amounts; never personal data, restricted codes or bank details).` }),
    ),
    { $id: schema, additionalProperties: false, description: `A CloudEvent about ${description.charAt(0).toLowerCase()}${description.slice(1)}` },
  ),
)

export const CloudEvent = Type.Object(
  {
    ...envelopeFields('entity', [], Type.Object({}, { additionalProperties: true, description: 'The new state of the entity (masked as in the API).' })),
    type: EventType,
    data: Type.Object(
      {
        entity_type: Type.String({ description: 'The kind of entity (`return_case`, `ticket`, …).' }),
        entity_id: Type.String({ description: 'The entity\'s id.' }),
        case_id: Nullable(Uuid('The return case the entity belongs to, if any.')),
        status: Nullable(Type.String({ description: 'The entity\'s status after the change, where it has one.' })),
        state: Type.Object({}, { additionalProperties: true, description: 'The new state of the entity (never personal data, restricted codes or bank details).' }),
        changed: Type.Array(Type.String(), { description: 'Names of the fields the change touched.' }),
      },
      { additionalProperties: false, description: 'The entity after the change; `data.entity_type` names its schema in the `webhooks` section.' },
    ),
  },
  {
    $id: 'CloudEvent',
    additionalProperties: false,
    description: 'A change, as a CloudEvents 1.0 JSON event. The same object is the body of a webhook delivery.',
    examples: [
      {
        specversion: '1.0',
        id: '01937c1e-7d2a-7b40-9c1f-2b4d5e6f7a80',
        source: '/avrr',
        type: 'avrr.return_case.approved',
        subject: 'return_case/01937c1e-6a00-7000-8000-000000000001',
        time: '2026-12-01T09:30:00.000Z',
        datacontenttype: 'application/json',
        sequence: '4211',
        data: {
          entity_type: 'return_case',
          entity_id: '01937c1e-6a00-7000-8000-000000000001',
          case_id: '01937c1e-6a00-7000-8000-000000000001',
          status: 'approved',
          state: { id: '01937c1e-6a00-7000-8000-000000000001', reference: 'VNO-2026-00042', from_status: 'in_counselling', to_status: 'approved', version: 5 },
          changed: ['status'],
        },
      },
    ],
  },
)

export const EventPage = Type.Object(
  {
    items: Type.Array(Type.Ref(CloudEvent), { description: 'Events after the cursor, in feed order.' }),
    next_cursor: Nullable(Type.String({ description: 'Where to resume: pass it as `after` next time (also when `items` is empty). Null only when nothing was ever read.' })),
    has_more: Type.Boolean({ description: 'Whether more events are ready now (read again at once rather than waiting).' }),
  },
  { $id: 'EventPage', additionalProperties: false },
)

export const EventFeedQuery = Type.Object(
  {
    type: Type.Optional(Type.Array(EventType, { maxItems: 50, description: 'Only these types (repeat the parameter for several).' })),
    case_id: Type.Optional(Uuid('Only the events of this return case.')),
    after: Type.Optional(Type.String({ maxLength: 200, description: 'The `next_cursor` of the last page read; omit to start from the oldest event kept.' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100, description: 'Most events to return (default 100, max 500).' })),
    wait: Type.Optional(Type.Integer({ minimum: 0, maximum: 30, default: 0, description: 'Long poll: when no event is ready, wait up to this many seconds (max 30) for one before answering.' })),
  },
  { additionalProperties: false },
)

// ------------------------------------------------------------------ subscriptions

export const SubscriptionStatus = StringEnum(['active', 'paused', 'disabled'], {
  description: '`active`: delivering; `paused`: events are kept for it and sent once active again; `disabled`: nothing is kept or sent (set after 5 days of failures, or by hand).',
})

const subscriptionFields = {
  url: Type.String({ minLength: 1, maxLength: 2000, description: 'Where events are POSTed. `https` in production; private, loopback, link-local and metadata addresses are refused.', examples: ['https://tool.partner.example/avrr-events'] }),
  event_types: Type.Array(EventType, { maxItems: 200, uniqueItems: true, description: 'The types to receive; empty for every type.' }),
  description: Nullable(Type.String({ maxLength: 500, description: 'What the subscription is for.' })),
}

export const WebhookSubscription = Type.Object(
  {
    id: Uuid('Subscription id.'),
    office_id: Nullable(Uuid('The partner office whose cases\' events it receives; null: every event (systems of the country office).')),
    ...subscriptionFields,
    status: SubscriptionStatus,
    disabled_reason: Nullable(Type.String({ description: 'Why it was disabled.' })),
    failing_since: Nullable(Timestamp('Since when every delivery has failed (null while healthy).')),
    previous_secret_expires_at: Nullable(Timestamp('Until when the previous secret also signs (after a rotation).')),
    created_by: Type.String({ description: 'Who created it.' }),
    ...RecordStamps('When it was created.', { updated: 'When it was last changed.', version: 'Version, also the ETag.' }),
  },
  { $id: 'WebhookSubscription', additionalProperties: false, description: 'A webhook subscription. The signing secret is shown only when created or rotated.' },
)

export const WebhookSubscriptionWithSecret = Type.Object(
  {
    ...WebhookSubscription.properties,
    secret: Type.String({ description: 'The signing secret (Standard Webhooks, `whsec_…`). Shown only now: store it to verify deliveries.' }),
  },
  { $id: 'WebhookSubscriptionWithSecret', additionalProperties: false, description: 'A subscription with its new signing secret.' },
)

export const CreateWebhookSubscription = Type.Object(
  {
    url: subscriptionFields.url,
    event_types: Type.Optional(subscriptionFields.event_types),
    description: Type.Optional(subscriptionFields.description),
    office_id: Type.Optional(Nullable(Uuid('The partner office whose cases\' events to receive. A partner may give only its own (the default for a partner); admin and integration may give any partner office, or null for every event.'))),
  },
  {
    $id: 'CreateWebhookSubscription',
    additionalProperties: false,
    examples: [{ url: 'https://tool.partner.example/avrr-events', event_types: ['avrr.return_case.referred', 'avrr.return_case.arrived'], description: 'Arrivals board' }],
  },
)

export const UpdateWebhookSubscription = UpdateBody(
  'UpdateWebhookSubscription',
  {
    url: Type.Optional(subscriptionFields.url),
    event_types: Type.Optional(subscriptionFields.event_types),
    description: Type.Optional(subscriptionFields.description),
    status: Type.Optional(SubscriptionStatus),
  },
  { description: 'Fields to change. Setting `active` again clears a failure record.', examples: [{ status: 'paused' }] },
)

export const RotateSecret = Type.Object(
  {
    overlap_hours: Type.Optional(Type.Integer({ minimum: 0, maximum: 168, default: 24, description: 'How long the old secret keeps signing beside the new one (0: stop at once).' })),
  },
  { $id: 'RotateSecret', additionalProperties: false },
)

export const WebhookSubscriptionList = ListPage('WebhookSubscriptionList', WebhookSubscription, 'Subscriptions, oldest first.')

export const DeliveryStatus = StringEnum(['pending', 'succeeded', 'failed'], {
  description: '`pending`: waiting for its turn or its next attempt; `succeeded`: acknowledged with a 2xx; `failed`: every retry failed (redeliver to try again).',
})

export const DeliveryAttempt = Type.Object(
  {
    attempt: Type.Integer({ description: 'Attempt number (1 first).' }),
    started_at: Timestamp('When it was sent.'),
    status_code: Nullable(Type.Integer({ description: 'HTTP status of the answer; null when none came (timeout, refused connection).' })),
    latency_ms: Type.Integer({ description: 'Time to the answer (or the failure), in ms.' }),
    error: Nullable(Type.String({ description: 'Why it failed, when it did.' })),
  },
  { $id: 'DeliveryAttempt', additionalProperties: false },
)

export const WebhookDelivery = Type.Object(
  {
    id: Uuid('Delivery id.'),
    subscription_id: Uuid('Subscription.'),
    event_id: Uuid('The event delivered (`webhook-id`).'),
    event_type: EventType,
    case_id: Nullable(Uuid('The case of the event, if any.')),
    status: DeliveryStatus,
    attempts: Type.Integer({ description: 'Attempts made.' }),
    next_attempt_at: Nullable(Timestamp('When it is tried next (pending only).')),
    last_status_code: Nullable(Type.Integer({ description: 'HTTP status of the last answer.' })),
    last_error: Nullable(Type.String({ description: 'Why the last attempt failed.' })),
    last_latency_ms: Nullable(Type.Integer({ description: 'Latency of the last attempt, in ms.' })),
    created_at: Timestamp('When the event was dispatched to this subscription.'),
    delivered_at: Nullable(Timestamp('When it was acknowledged.')),
    attempt_log: Type.Array(Type.Ref(DeliveryAttempt), { description: 'Every attempt, oldest first.' }),
  },
  { $id: 'WebhookDelivery', additionalProperties: false },
)

export const WebhookDeliveryList = ListPage('WebhookDeliveryList', WebhookDelivery, 'Deliveries, newest first.')

export const DeliveryListQuery = ListQuery({ status: Type.Optional(DeliveryStatus) }, { page: 'last' })

export const SubscriptionListQuery = ListQuery(
  {
    status: Type.Optional(SubscriptionStatus),
    office_id: Type.Optional(Uuid('Only the subscriptions of this office.')),
  },
  { page: 'last' },
)

export const DeliveryParams = ChildParams('Subscription id.', 'delivery_id', 'Delivery id.')

export type EventFeedQueryInput = Static<typeof EventFeedQuery>
export type CloudEventRecord = Static<typeof CloudEvent>
export type WebhookSubscriptionRecord = Static<typeof WebhookSubscription>
export type CreateWebhookSubscriptionInput = Static<typeof CreateWebhookSubscription>
export type UpdateWebhookSubscriptionInput = Static<typeof UpdateWebhookSubscription>
export type WebhookDeliveryRecord = Static<typeof WebhookDelivery>

export const eventsModuleSchemas: TSchema[] = [CloudEvent, EventPage, WebhookSubscription, WebhookSubscriptionWithSecret, CreateWebhookSubscription, UpdateWebhookSubscription, RotateSecret, WebhookSubscriptionList, DeliveryAttempt, WebhookDelivery, WebhookDeliveryList, ...eventSchemas]
