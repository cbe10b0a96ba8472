/**
 * Every problem type the API returns. The `type` URI is stable: clients branch on it,
 * never on `title` or `detail`.
 */
export const PROBLEM_TYPES = {
  'validation-error': { status: 400, title: 'The request is not valid', description: 'A field is missing, has the wrong type or format, or is not a known property. `errors` lists each one as a JSON pointer (`/body/…`, `/query/…`, `/params/…`, `/headers/…`) with what is wrong. Fix the fields and send again.' },
  'bad-request': { status: 400, title: 'The request could not be understood', description: 'The request could not be read: malformed JSON, an empty body where one is needed, or a wrong Content-Length. Nothing was done.' },
  unauthenticated: { status: 401, title: 'Authentication is required', description: 'No bearer token, or one that is expired, not signed by the identity provider, or for another issuer or audience. Get a new token and send it as `Authorization: Bearer <token>`.' },
  forbidden: { status: 403, title: 'This role may not do this', description: 'The token is valid, but none of its roles may call this operation (each operation in the API documentation lists its roles), or a partner token does not name its office.' },
  'maker-checker-violation': { status: 403, title: 'The same person cannot both request and approve', description: 'The person who requested a payment (the maker) cannot also approve it (the checker). Ask a colleague with the approver role.' },
  'not-found': { status: 404, title: 'Not found', description: 'No resource with this id, or one the caller may not see (a partner office sees only the cases referred to it). No route at all for an unknown URL.' },
  'method-not-allowed': { status: 405, title: 'Method not allowed', description: 'The resource exists but does not support this method.' },
  'not-acceptable': { status: 406, title: 'Not acceptable', description: 'The `Accept` header asks for a representation the operation does not offer (JSON, and CSV where a list says so).' },
  conflict: { status: 409, title: 'The request conflicts with the current state', description: 'The request is valid but the current state of the resource does not allow it. `detail` says what stands in the way.' },
  'invalid-transition': { status: 409, title: 'This action is not allowed in the current state', description: 'The workflow action is not allowed from the resource\'s current status. Read the resource to see its status and the actions it allows.' },
  'duplicate-resource': { status: 409, title: 'The resource already exists', description: 'A resource with the same unique values (a code, a reference, a name within its parent) already exists.' },
  'budget-line-exhausted': { status: 409, title: 'The budget line cannot cover this amount', description: 'The budget line\'s available balance (allocated minus committed minus spent) cannot cover the amount. `available` gives the balance; re-allocate within the project or charge another line. Nothing was written.' },
  'no-budget-line-for-cost': { status: 409, title: 'The project has no budget line to charge this kind of cost to', description: 'The project has no budget line of the cost\'s category and declares no fallback for it in `cost_routing`. `category` and `cost_kind` name them; add a line or a routing to the project.' },
  'refund-exceeds-spend': { status: 409, title: 'A refund cannot exceed what was spent', description: 'The refund is more than what was spent on that line for the ticket, or a different refund was already recorded. Nothing was written.' },
  'plan-budget-exceeded': { status: 409, title: 'The reintegration plan\'s budget cannot cover this amount', description: 'The reintegration plan\'s remaining budget cannot cover the disbursement. Nothing was written.' },
  'project-budget-exceeded': { status: 409, title: 'Allocations would exceed the project total', description: 'The budget lines\' allocations would exceed the project total.' },
  'contact-not-recorded': { status: 409, title: 'The returnee\'s first contact with the partner office is not recorded', description: 'Reintegration assistance is paid only after the returnee\'s first contact with the partner office is recorded (`:record-contact`), and never after the contact deadline lapsed.' },
  'travel-document-required': { status: 409, title: 'A valid travel document is required', description: 'A traveller has no travel document valid on the travel date. Record a passport or an emergency travel document first.' },
  'transit-visa-required': { status: 409, title: 'A valid transit visa is required', description: 'A transit on the route needs a visa that is not issued or not valid on the transit date. Record the issued visa first.' },
  'travel-insurance-required': { status: 409, title: 'Travel insurance covering the journey is required' },
  'case-closed': { status: 409, title: 'The case is closed and read-only', description: 'The case is closed; it is read-only.' },
  'cursor-expired': { status: 410, title: 'The cursor is older than the events kept', description: 'The cursor points before the oldest event still kept (`EVENT_RETENTION_DAYS`). Resynchronise from the lists, then follow the feed from a new cursor.' },
  'precondition-failed': { status: 412, title: 'The resource has changed since it was read', description: '`If-Match` names a version that is no longer the current one: someone changed the resource since you read it. Read it again (the new `ETag`), check the change, and retry with the new ETag.' },
  'payload-too-large': { status: 413, title: 'The request body is too large', description: 'The body is larger than the service accepts.' },
  'uri-too-long': { status: 414, title: 'The request URL is too long', description: 'The request URL is longer than the service accepts.' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type', description: 'The body is not JSON. Send `Content-Type: application/json`.' },
  'idempotency-key-reused': { status: 422, title: 'The Idempotency-Key was used with a different request', description: 'The `Idempotency-Key` was first used with another method, path or body. Use a new key for a new request; repeat a request only with its own key and the same body.' },
  'unprocessable-entity': { status: 422, title: 'The request cannot be processed', description: 'The request is well-formed but refers to something that does not exist or does not fit (an unknown office or project, a date outside a period). `errors` points at the field.' },
  'currency-mismatch': { status: 422, title: 'The currency does not match', description: 'An amount is in another currency than the one it is charged to (the project\'s). `expected_currency` names it.' },
  'precondition-required': { status: 428, title: 'If-Match is required', description: 'This update needs `If-Match` with the `ETag` of your last read of the resource, so that it never overwrites someone else\'s change unseen.' },
  'rate-limited': { status: 429, title: 'Too many requests', description: 'The caller sent more requests than allowed in the window. Wait for the seconds in `Retry-After`; `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` tell the limit, what is left and when the window resets.' },
  'headers-too-large': { status: 431, title: 'The request headers are too large', description: 'The request headers are larger than the service accepts.' },
  'internal-error': { status: 500, title: 'Internal error', description: 'Something failed on the service\'s side. Nothing about it is in the response; quote `request_id` when reporting it.' },
  'service-unavailable': { status: 503, title: 'The service is temporarily unavailable', description: 'The service is overloaded or its database does not answer. Retry after the seconds in `Retry-After`; a request with an `Idempotency-Key` is safe to retry.' },
  'database-timeout': { status: 504, title: 'The database did not answer in time', description: 'The database did not answer within the statement or transaction time limit. Nothing was written; retry later, with the same `Idempotency-Key` for a write.' },
} as const satisfies Record<string, { status: number; title: string; description?: string }>

export type ProblemSlug = keyof typeof PROBLEM_TYPES

export const PROBLEM_BASE_URI = '/problems/'

export function problemTypeUri(slug: ProblemSlug): string {
  return `${PROBLEM_BASE_URI}${slug}`
}

export interface ProblemBody {
  type: string
  title: string
  status: number
  detail: string
  instance?: string
  request_id?: string
  errors?: Array<{ pointer: string; detail: string }>
  [extension: string]: unknown
}

/** A domain error that maps to one problem type. Services throw these; one handler renders them. */
export class ProblemError extends Error {
  readonly status: number
  constructor(
    readonly slug: ProblemSlug,
    readonly detail: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail)
    this.name = 'ProblemError'
    this.status = PROBLEM_TYPES[slug].status
  }

  toBody(): ProblemBody {
    return { type: problemTypeUri(this.slug), title: PROBLEM_TYPES[this.slug].title, status: this.status, detail: this.detail, ...this.extensions }
  }
}

export const notFound = (what: string, id: string) => new ProblemError('not-found', `${what} ${id} does not exist`)
export const forbidden = (detail: string) => new ProblemError('forbidden', detail)
export const conflict = (detail: string, extensions?: Record<string, unknown>) => new ProblemError('conflict', detail, extensions)
export const unprocessable = (detail: string, errors?: Array<{ pointer: string; detail: string }>) =>
  new ProblemError('unprocessable-entity', detail, errors ? { errors } : {})
export const invalidField = (pointer: string, detail: string) =>
  new ProblemError('validation-error', detail, { errors: [{ pointer, detail }] })

// ---------------------------------------------------------------- problem responses in the spec

const PROBLEM_RESPONSE = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: 'ProblemDetails#' } } },
})

export const PROBLEM_RESPONSES = {
  400: PROBLEM_RESPONSE('The request is not valid: `errors` lists each offending field.'),
  401: PROBLEM_RESPONSE('No valid bearer token.'),
  403: PROBLEM_RESPONSE('The token\'s roles may not call this operation.'),
  404: PROBLEM_RESPONSE('Not found (or not visible to the caller).'),
  409: PROBLEM_RESPONSE('Conflicts with the current state.'),
  410: PROBLEM_RESPONSE('Gone: the events after this cursor were purged (`cursor-expired`); resynchronise from the lists.'),
  412: PROBLEM_RESPONSE('If-Match does not match the current ETag.'),
  422: PROBLEM_RESPONSE('Cannot be processed (e.g. Idempotency-Key reused with another body).'),
  428: PROBLEM_RESPONSE('If-Match is required for this update.'),
  429: PROBLEM_RESPONSE('Rate limit exceeded.'),
  500: PROBLEM_RESPONSE('Internal error; the request id is in the body and the logs.'),
  503: PROBLEM_RESPONSE('Overloaded, starting, shutting down, or the database is unavailable; retry after `Retry-After` seconds.'),
} as const

/**
 * What any operation can answer besides its own responses, added to every route in the spec
 * (plugins/problems.ts): any other client error, a URL or headers too long, an internal error,
 * the service or its database unavailable, and a database timeout.
 */
export const ANY_OPERATION_PROBLEMS = {
  '4xx': PROBLEM_RESPONSE('Any other client error (e.g. 404 unknown path, 405 method not allowed, 406, 413 body too large, 415 media type), as problem+json.'),
  414: PROBLEM_RESPONSE('The URL (or a path segment) is too long.'),
  431: PROBLEM_RESPONSE('The request headers are too large.'),
  500: PROBLEM_RESPONSES[500],
  503: PROBLEM_RESPONSES[503],
  504: PROBLEM_RESPONSE('The database did not answer in time (statement or transaction timeout); nothing was changed and the request may be retried.'),
} as const

type ProblemStatus = keyof typeof PROBLEM_RESPONSES

/** The problem responses of a route, by status code: `response: { 200: …, ...problemResponses(400, 404, 409) }`. */
export function problemResponses<const Statuses extends readonly ProblemStatus[]>(...statuses: Statuses): { [S in Statuses[number]]: (typeof PROBLEM_RESPONSES)[S] } {
  return Object.fromEntries(statuses.map((status) => [status, PROBLEM_RESPONSES[status]])) as { [S in Statuses[number]]: (typeof PROBLEM_RESPONSES)[S] }
}
