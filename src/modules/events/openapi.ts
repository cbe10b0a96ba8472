import { EVENT_CATALOGUE, TYPE_PREFIX } from './catalogue.js'

const camel = (text: string) => text.replace(/[._-]([a-z])/g, (_, letter: string) => letter.toUpperCase())

const SIGNATURE_HEADERS = [
  { name: 'webhook-id', in: 'header', required: true, description: 'The event id: the same on every retry; deduplicate on it.', schema: { type: 'string' } },
  { name: 'webhook-timestamp', in: 'header', required: true, description: 'Unix seconds when this attempt was signed; refuse ones far from now (replay).', schema: { type: 'string' } },
  {
    name: 'webhook-signature',
    in: 'header',
    required: true,
    description: 'Standard Webhooks signatures, space-separated `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`: two during a secret rotation. Verify with a Standard Webhooks library.',
    schema: { type: 'string' },
  },
]

/**
 * The OpenAPI 3.1 `webhooks` section: one entry per event type of the catalogue, each with the
 * named payload schema of its entity (`ReturnCaseEvent`, …), so generated clients get the types.
 */
export function eventWebhooks(): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(EVENT_CATALOGUE).flatMap(([entity, { schema, description, verbs }]) =>
      Object.entries(verbs).map(([verb, summary]) => [
        `${TYPE_PREFIX}${entity}.${verb}`,
        {
          post: {
            operationId: camel(`${entity}.${verb}.event`),
            tags: ['events'],
            // The service calls the receiver: no bearer token; the receiver verifies the signature headers.
            security: [],
            summary,
            description: `${description} Sent to the subscriptions whose \`event_types\` include \`${TYPE_PREFIX}${entity}.${verb}\` (or are empty), in order per case, and read the same way from \`GET /v1/events\`.`,
            parameters: SIGNATURE_HEADERS,
            requestBody: { required: true, content: { 'application/cloudevents+json': { schema: { $ref: `#/components/schemas/${schema}` } } } },
            responses: {
              '200': { description: 'Any 2xx acknowledges the event; anything else (or no answer within 10 s) is retried with backoff, and the case\'s next events wait.' },
            },
          },
        },
      ]),
    ),
  )
}
