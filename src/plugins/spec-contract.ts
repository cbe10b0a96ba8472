/**
 * The conventions every route follows, written into the spec once for all routes (the swagger plugin's
 * transformObject), so a route added anywhere is described with the headers it really gets:
 *
 * - every response: `X-Request-Id`; every response of a rate-limited operation: `RateLimit-*`
 *   (the IETF draft headers);
 *   429 and 503: `Retry-After`;
 * - 201: `Location`; a 2xx of a versioned resource (its schema has `version`): `ETag`;
 * - a 2xx of an operation that takes `Idempotency-Key`: `Idempotent-Replayed`;
 * - `If-Match` is required on every operation that answers 428 without it, so generated clients enforce it.
 */

interface Schema {
  $ref?: string
  properties?: Record<string, unknown>
}
interface Response {
  description: string
  headers?: Record<string, unknown>
  content?: Record<string, { schema?: Schema; examples?: unknown }>
}
interface Parameter {
  in: string
  name: string
  required?: boolean
}
interface Operation {
  parameters?: Parameter[]
  responses?: Record<string, Response>
}
interface OpenApiDocument {
  paths?: Record<string, Record<string, Operation>>
  components?: { schemas?: Record<string, Schema>; headers?: Record<string, unknown>; [key: string]: unknown }
  [key: string]: unknown
}

const header = (description: string, schema: Record<string, unknown>) => ({ description, schema })

export const RESPONSE_HEADERS = {
  'X-Request-Id': header('The request id: the client\'s own `X-Request-Id` when it sent one, else a new UUIDv7. Quote it when reporting a problem; it is in every log line of the request.', { type: 'string' }),
  ETag: header('The version of the resource returned. Send it back as `If-Match` to change the resource.', { type: 'string', examples: ['"3"'] }),
  Location: header('The URL of the resource created.', { type: 'string', format: 'uri-reference' }),
  'Idempotent-Replayed': header('`true` when this is the stored response of an earlier request with the same `Idempotency-Key`: nothing was done again.', { type: 'string', enum: ['true'] }),
  'RateLimit-Limit': header('Requests allowed per caller per window (IETF draft `RateLimit` header fields).', { type: 'integer' }),
  'RateLimit-Remaining': header('Requests left in the current window.', { type: 'integer' }),
  'RateLimit-Reset': header('Seconds until the window resets.', { type: 'integer' }),
  'Retry-After': header('Seconds to wait before retrying.', { type: 'integer' }),
} as const

type HeaderName = keyof typeof RESPONSE_HEADERS

const ref = (name: HeaderName) => ({ $ref: `#/components/headers/${name}` })

/** Operations that the rate limit does not count (the probes). */
const UNLIMITED_PATHS = new Set(['/healthz', '/readyz'])

function isVersionedResource(document: OpenApiDocument, response: Response): boolean {
  const reference = response.content?.['application/json']?.schema?.$ref
  if (!reference) return false
  const schema = document.components?.schemas?.[reference.replace('#/components/schemas/', '')]
  return Boolean(schema?.properties && 'version' in schema.properties)
}

export function declareConventions(document: OpenApiDocument): OpenApiDocument {
  const components = (document.components ??= {})
  components.headers = { ...RESPONSE_HEADERS, ...components.headers }
  for (const [path, operations] of Object.entries(document.paths ?? {})) {
    for (const operation of Object.values(operations)) {
      const responses = operation.responses ?? {}
      const parameters = operation.parameters ?? []
      const idempotent = parameters.some((parameter) => parameter.in === 'header' && parameter.name === 'idempotency-key')
      if ('428' in responses) {
        for (const parameter of parameters) if (parameter.in === 'header' && parameter.name === 'if-match') parameter.required = true
      }
      for (const [status, response] of Object.entries(responses)) {
        const names: HeaderName[] = ['X-Request-Id']
        if (!UNLIMITED_PATHS.has(path)) names.push('RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset')
        if (status === '429' || status === '503') names.push('Retry-After')
        if (status.startsWith('2')) {
          if (status === '201') names.push('Location')
          if (isVersionedResource(document, response)) names.push('ETag')
          if (idempotent) names.push('Idempotent-Replayed')
        }
        response.headers = { ...Object.fromEntries(names.map((name) => [name, ref(name)])), ...response.headers }
      }
    }
  }
  return document
}
