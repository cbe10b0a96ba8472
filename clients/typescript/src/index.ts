import createFetchClient, { type Client, type Middleware } from 'openapi-fetch'
import type { components, paths } from './schema.js'

export type { components, operations, paths } from './schema.js'

/** A problem response (RFC 9457 `application/problem+json`) as the API sends it. */
export type ProblemDetails = components['schemas']['ProblemDetails']

/**
 * A problem response, thrown: branch on `type` (stable, e.g. `/problems/precondition-failed`), never on
 * `title` or `detail`. `errors` points at the offending fields of a 400/422; `requestId` is what to quote.
 */
export class ProblemError extends Error {
  readonly type: string
  readonly title: string
  readonly status: number
  readonly detail: string
  readonly errors: Array<{ pointer: string; detail: string }>
  readonly requestId: string | undefined
  constructor(readonly problem: ProblemDetails & Record<string, unknown>) {
    super(`${problem.status} ${problem.type}: ${problem.detail}`)
    this.name = 'ProblemError'
    this.type = problem.type
    this.title = problem.title
    this.status = problem.status
    this.detail = problem.detail
    this.errors = problem.errors ?? []
    this.requestId = problem.request_id
  }

  /** The problem's slug: `precondition-failed` for `/problems/precondition-failed`. */
  get slug(): string {
    return this.type.slice(this.type.lastIndexOf('/') + 1)
  }
}

export interface AvrrClientOptions {
  /** The service's base URL, e.g. https://avrr.example.org */
  baseUrl: string
  /** The bearer token, or a function returning a current one (called for every request). */
  token: string | (() => string | Promise<string>)
  /** A fetch of your own (tests, proxies); the global fetch by default. */
  fetch?: typeof globalThis.fetch
  /** Makes an Idempotency-Key for a write that has none; a random UUID by default. */
  idempotencyKey?: () => string
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/** `/v1/return-cases/{id}:approve` acts on `/v1/return-cases/{id}`: one ETag per resource. */
function resourcePath(url: string): string {
  const { pathname } = new URL(url)
  const verb = pathname.lastIndexOf(':')
  return verb > pathname.lastIndexOf('/') ? pathname.slice(0, verb) : pathname
}

export interface AvrrClient {
  /** The typed openapi-fetch client, JSON responses (lists can also answer CSV with `Accept: text/csv`; fetch those directly): `api.GET('/v1/offices/{id}', { params: { path: { id } } })`. */
  api: Client<paths, 'application/json'>
  /** The last ETag seen for each resource path (from reads, writes and Location of creates). */
  etags: Map<string, string>
  /** `{ 'if-match': <last ETag of the resource> }` for operations that require If-Match; throws when it was never read. */
  ifMatch(path: string): { 'if-match': string }
  /** The data of a successful call; a problem response is thrown as ProblemError. */
  data<Data>(call: Promise<{ data?: Data; error?: unknown; response: Response }>): Promise<Data>
  /** Every item of a keyset-paginated list, following `next_cursor` page by page. */
  items<Item>(page: (cursor: string | undefined) => Promise<{ data?: { items: Item[]; next_cursor: string | null }; error?: unknown; response: Response }>): AsyncGenerator<Item>
}

/**
 * A client of the AVRR API with its conventions built in:
 * - every request carries the bearer token;
 * - every write gets an `Idempotency-Key` unless you give one (so a retry of the same call, with the same
 *   key, never does the work twice: pass your own key to retry across process restarts);
 * - `If-Match` is sent from the last ETag seen for the resource when you do not give one (operations that
 *   require it take it from `ifMatch(path)`, so the type checker makes you think about it);
 * - a problem response (4xx/5xx `application/problem+json`) is thrown as a `ProblemError`.
 */
export function createAvrrClient(options: AvrrClientOptions): AvrrClient {
  const etags = new Map<string, string>()
  const newKey = options.idempotencyKey ?? (() => globalThis.crypto.randomUUID())

  const conventions: Middleware = {
    async onRequest({ request }) {
      const token = typeof options.token === 'function' ? await options.token() : options.token
      request.headers.set('authorization', `Bearer ${token}`)
      if (WRITE_METHODS.has(request.method)) {
        if (!request.headers.has('idempotency-key')) request.headers.set('idempotency-key', newKey())
        // A create (POST to a collection) has no version to match; an update or a custom method does.
        const resource = resourcePath(request.url)
        const customMethod = new URL(request.url).pathname !== resource
        const etag = etags.get(resource)
        if (etag && !request.headers.has('if-match') && (request.method !== 'POST' || customMethod)) request.headers.set('if-match', etag)
      }
      return request
    },
    async onResponse({ request, response }) {
      const etag = response.headers.get('etag')
      if (response.ok && etag) {
        const location = response.headers.get('location')
        etags.set(location ? resourcePath(new URL(location, request.url).href) : resourcePath(request.url), etag)
      }
      if (!response.ok && (response.headers.get('content-type') ?? '').startsWith('application/problem+json')) {
        throw new ProblemError((await response.clone().json()) as ProblemDetails & Record<string, unknown>)
      }
      return response
    },
  }

  const api = createFetchClient<paths, 'application/json'>({ baseUrl: options.baseUrl, ...(options.fetch ? { fetch: options.fetch } : {}) })
  api.use(conventions)

  return {
    api,
    etags,
    ifMatch(path) {
      const etag = etags.get(path)
      if (!etag) throw new Error(`No ETag seen for ${path}: read the resource first`)
      return { 'if-match': etag }
    },
    async data(call) {
      const { data, error, response } = await call
      if (error !== undefined || data === undefined) {
        throw new Error(`${response.status} ${response.statusText}: the response is not a problem document`)
      }
      return data
    },
    async *items(page) {
      let cursor: string | undefined
      do {
        const data = await this.data(page(cursor))
        yield* data.items
        cursor = data.next_cursor ?? undefined
      } while (cursor !== undefined)
    },
  }
}
