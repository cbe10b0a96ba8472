/**
 * Every problem type the API returns. The `type` URI is stable: clients branch on it,
 * never on `title` or `detail`.
 */
export const PROBLEM_TYPES = {
  'validation-error': { status: 400, title: 'The request is not valid' },
  'bad-request': { status: 400, title: 'The request could not be understood' },
  unauthenticated: { status: 401, title: 'Authentication is required' },
  forbidden: { status: 403, title: 'This role may not do this' },
  'maker-checker-violation': { status: 403, title: 'The same person cannot both request and approve' },
  'not-found': { status: 404, title: 'Not found' },
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  'not-acceptable': { status: 406, title: 'Not acceptable' },
  conflict: { status: 409, title: 'The request conflicts with the current state' },
  'invalid-transition': { status: 409, title: 'This action is not allowed in the current state' },
  'duplicate-resource': { status: 409, title: 'The resource already exists' },
  'budget-line-exhausted': { status: 409, title: 'The budget line cannot cover this amount' },
  'no-budget-line-for-cost': { status: 409, title: 'The project has no budget line to charge this kind of cost to' },
  'refund-exceeds-spend': { status: 409, title: 'A refund cannot exceed what was spent' },
  'plan-budget-exceeded': { status: 409, title: 'The reintegration plan\'s budget cannot cover this amount' },
  'project-budget-exceeded': { status: 409, title: 'Allocations would exceed the project total' },
  'travel-document-required': { status: 409, title: 'A valid travel document is required' },
  'transit-visa-required': { status: 409, title: 'A valid transit visa is required' },
  'travel-insurance-required': { status: 409, title: 'Travel insurance covering the journey is required' },
  'case-closed': { status: 409, title: 'The case is closed and read-only' },
  'precondition-failed': { status: 412, title: 'The resource has changed since it was read' },
  'payload-too-large': { status: 413, title: 'The request body is too large' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  'idempotency-key-reused': { status: 422, title: 'The Idempotency-Key was used with a different request' },
  'unprocessable-entity': { status: 422, title: 'The request cannot be processed' },
  'currency-mismatch': { status: 422, title: 'The currency does not match' },
  'precondition-required': { status: 428, title: 'If-Match is required' },
  'rate-limited': { status: 429, title: 'Too many requests' },
  'internal-error': { status: 500, title: 'Internal error' },
  'service-unavailable': { status: 503, title: 'The service is temporarily unavailable' },
} as const satisfies Record<string, { status: number; title: string }>

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
  412: PROBLEM_RESPONSE('If-Match does not match the current ETag.'),
  422: PROBLEM_RESPONSE('Cannot be processed (e.g. Idempotency-Key reused with another body).'),
  428: PROBLEM_RESPONSE('If-Match is required for this update.'),
  429: PROBLEM_RESPONSE('Rate limit exceeded.'),
  500: PROBLEM_RESPONSE('Internal error; the request id is in the body and the logs.'),
  503: PROBLEM_RESPONSE('Overloaded or the database is unavailable.'),
} as const

type ProblemStatus = keyof typeof PROBLEM_RESPONSES

/** The problem responses of a route, by status code: `response: { 200: …, ...problemResponses(400, 404, 409) }`. */
export function problemResponses<const Statuses extends readonly ProblemStatus[]>(...statuses: Statuses): { [S in Statuses[number]]: (typeof PROBLEM_RESPONSES)[S] } {
  return Object.fromEntries(statuses.map((status) => [status, PROBLEM_RESPONSES[status]])) as { [S in Statuses[number]]: (typeof PROBLEM_RESPONSES)[S] }
}
