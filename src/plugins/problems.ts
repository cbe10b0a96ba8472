import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { Socket } from 'node:net'
import Router, { type HTTPMethod } from 'find-my-way'
import { isAcquireTimeout, isConnectionLost, isDatabaseTimeout } from '../db/faults.js'
import { ANY_OPERATION_PROBLEMS, PROBLEM_TYPES, ProblemError, problemTypeUri, type ProblemBody, type ProblemSlug } from '../shared/problems.js'
import { recordProblem } from '../shared/metrics.js'

interface ValidationIssue {
  instancePath: string
  message?: string
  params?: Record<string, unknown>
  keyword?: string
}

const CONTEXT_PREFIX: Record<string, string> = { body: '/body', querystring: '/query', params: '/params', headers: '/headers' }

/** Turns validator output into JSON pointers a client can put next to the offending field. */
export function validationErrors(issues: ValidationIssue[], context: string | undefined): Array<{ pointer: string; detail: string }> {
  const prefix = CONTEXT_PREFIX[context ?? 'body'] ?? '/body'
  return issues.map((issue) => {
    let pointer = issue.instancePath
    const missing = issue.params?.missingProperty
    const extra = issue.params?.additionalProperty
    if (typeof missing === 'string') pointer += `/${missing}`
    if (typeof extra === 'string') pointer += `/${extra}`
    let detail = issue.message ?? 'is not valid'
    if (typeof extra === 'string') detail = 'is not a known property'
    if (issue.keyword === 'enum' && Array.isArray(issue.params?.allowedValues)) detail = `must be one of ${(issue.params.allowedValues as unknown[]).join(', ')}`
    return { pointer: `${prefix}${pointer}`, detail }
  })
}

const ALL_METHODS: HTTPMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']

// Framework errors that are the client's fault, by code, mapped to our problem types.
const FRAMEWORK_ERRORS: Record<string, ProblemSlug> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload-too-large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported-media-type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad-request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'bad-request',
  FST_ERR_CTP_INVALID_JSON_BODY: 'bad-request',
  FST_ERR_VALIDATION: 'validation-error',
  FST_ERR_NOT_ACCEPTABLE: 'not-acceptable',
}

const POSTGRES_ERRORS: Record<string, { slug: ProblemSlug; detail: string }> = {
  '23505': { slug: 'duplicate-resource', detail: 'A resource with the same unique values already exists' },
  '23503': { slug: 'unprocessable-entity', detail: 'The request refers to a resource that does not exist' },
  '40001': { slug: 'service-unavailable', detail: 'The request collided with a concurrent change; retry it' },
  '40P01': { slug: 'service-unavailable', detail: 'The request collided with a concurrent change; retry it' },
  '23502': { slug: 'unprocessable-entity', detail: 'A required value is missing' },
  '23514': { slug: 'unprocessable-entity', detail: 'A value breaks a rule of the resource' },
  '23P01': { slug: 'conflict', detail: 'The request overlaps an existing resource' },
}

/** Retry-After, in seconds, of a request refused because the database was away: a restart takes a few seconds. */
export const DATABASE_RETRY_AFTER_S = 2

/**
 * Database failures that are not the client's doing nor a bug: the database was away (503, retry
 * after a moment) or too slow (504). Then, as a safety net behind the validation at the edge, the
 * SQLSTATE classes a client's values can cause: 22 (a value the column cannot hold) and 23 (a
 * constraint), as 4xx problems. Anything else from the database stays a 500.
 */
function databaseProblem(error: FastifyError & { code?: string }, request: FastifyRequest, reply: FastifyReply): ProblemBody | undefined {
  if (isConnectionLost(error)) {
    request.log.warn({ err: error }, 'database connection lost during the request')
    void reply.header('retry-after', String(DATABASE_RETRY_AFTER_S))
    return problem('service-unavailable', 'The database connection was lost; retry shortly')
  }
  if (isAcquireTimeout(error)) {
    void reply.header('retry-after', String(DATABASE_RETRY_AFTER_S))
    return problem('service-unavailable', 'Every database connection stayed busy; retry shortly')
  }
  if (isDatabaseTimeout(error)) {
    request.log.warn({ err: error }, 'database timeout')
    return problem('database-timeout', 'The database did not finish the request in time; it was rolled back and may be retried')
  }
  const code = error.code
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return undefined
  const known = POSTGRES_ERRORS[code]
  if (known) {
    request.log.warn({ err: error }, 'database constraint mapped to a problem')
    return problem(known.slug, known.detail)
  }
  if (code.startsWith('22')) {
    request.log.warn({ err: error }, 'database refused a value')
    return problem('unprocessable-entity', 'A value is outside what the service can store')
  }
  if (code.startsWith('23')) {
    request.log.warn({ err: error }, 'database constraint mapped to a problem')
    return problem('conflict', 'The request conflicts with a rule of the stored data')
  }
  return undefined
}

function problem(slug: ProblemSlug, detail: string, extensions: Record<string, unknown> = {}): ProblemBody {
  return { type: problemTypeUri(slug), title: PROBLEM_TYPES[slug].title, status: PROBLEM_TYPES[slug].status, detail, ...extensions }
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, body: ProblemBody): FastifyReply {
  if (body.status === 503 && !reply.hasHeader('retry-after')) void reply.header('retry-after', '5')
  recordProblem(request, body.status, body.type)
  return reply
    .code(body.status)
    .type('application/problem+json')
    .send({ ...body, instance: request.url.split('?')[0], request_id: request.id })
}

function toProblem(error: FastifyError & { code?: string }, request: FastifyRequest, reply: FastifyReply): ProblemBody | undefined {
  if (error instanceof ProblemError) return error.toBody()
  if (error.validation) {
    return problem('validation-error', 'One or more fields are not valid', {
      errors: validationErrors(error.validation as ValidationIssue[], error.validationContext),
    })
  }
  const frameworkSlug = error.code ? FRAMEWORK_ERRORS[error.code] : undefined
  if (frameworkSlug) return problem(frameworkSlug, error.message)
  const database = databaseProblem(error, request, reply)
  if (database) return database
  if (error.statusCode === 429) return problem('rate-limited', error.message)
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    const slug = (Object.keys(PROBLEM_TYPES) as ProblemSlug[]).find((candidate) => PROBLEM_TYPES[candidate].status === error.statusCode) ?? 'bad-request'
    return problem(slug, error.message)
  }
  return undefined
}

/** Longest URL served (path and query); a longer one is a 414 problem. Headers past 16 KB (Node's limit, the URL included) are a 431. */
export const MAX_URL_LENGTH = 8192
/** Longest path parameter (ids are 36 characters, codes and verbs far fewer). */
export const MAX_PARAM_LENGTH = 200

/** Answers the router's own errors (a path parameter too long, a malformed escape) as problems. */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') void sendProblem(request, reply, problem('uri-too-long', `A path segment is longer than ${MAX_PARAM_LENGTH} characters`))
  else void sendProblem(request, reply, problem('bad-request', 'The URL is not valid (a malformed percent-escape?)'))
}

/**
 * Requests Node's HTTP parser refuses before any route sees them (headers past the size limit,
 * malformed requests) get a problem+json answer written to the socket, then the socket is closed.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy()
    return
  }
  const slug: ProblemSlug = error.code === 'HPE_HEADER_OVERFLOW' ? 'headers-too-large' : 'bad-request'
  const detail = slug === 'headers-too-large' ? 'The request line and headers are larger than 16 KB' : 'The request could not be parsed as HTTP'
  const body = JSON.stringify(problem(slug, detail))
  const status = PROBLEM_TYPES[slug].status
  const reason = slug === 'headers-too-large' ? 'Request Header Fields Too Large' : 'Bad Request'
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/problem+json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  )
}

/** One place turns every error into RFC 9457 problem details; nothing internal leaks from a 500. */
async function problemsPlugin(app: FastifyInstance): Promise<void> {
  // Every route's methods by path, to tell a 405 (the path exists, not with this method) from a 404.
  const routes = Router({ ignoreTrailingSlash: true, maxParamLength: MAX_PARAM_LENGTH })
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method]
    for (const method of methods) {
      if (method !== 'HEAD' && !routes.hasRoute(method as HTTPMethod, route.url)) routes.on(method as HTTPMethod, route.url, () => undefined)
    }
    const schema = route.schema as { hide?: boolean; response?: Record<string, unknown> } | undefined
    // The spec declares, for every operation, the problems any operation can answer.
    if (schema && !schema.hide) route.schema = { ...schema, response: { ...ANY_OPERATION_PROBLEMS, ...schema.response } }
  })

  app.addHook('onRequest', async (request) => {
    if (request.url.length > MAX_URL_LENGTH) throw new ProblemError('uri-too-long', `The URL is longer than ${MAX_URL_LENGTH} characters`)
  })

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const body = toProblem(error, request, reply)
    if (body) {
      // A 503 is the service protecting itself (load shedding, database unreachable): worth a warning, not an error with a stack.
      if (body.status === 503) request.log.warn({ problem: body.type, detail: body.detail }, 'service unavailable')
      else if (body.status >= 500) request.log.error({ err: error }, 'request failed')
      return sendProblem(request, reply, body)
    }
    request.log.error({ err: error }, 'unhandled error')
    return sendProblem(request, reply, problem('internal-error', 'Something went wrong on our side. Quote the request id when reporting it.'))
  })

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] as string
    if (request.url.length > MAX_URL_LENGTH) return sendProblem(request, reply, problem('uri-too-long', `The URL is longer than ${MAX_URL_LENGTH} characters`))
    const allowed = ALL_METHODS.filter((method) => method !== request.method && routes.find(method, path) !== null)
    if (allowed.length > 0) {
      if (allowed.includes('GET')) allowed.push('HEAD')
      void reply.header('allow', allowed.join(', '))
      return sendProblem(request, reply, problem('method-not-allowed', `${request.method} is not allowed on ${path}; allowed: ${allowed.join(', ')}`))
    }
    return sendProblem(request, reply, problem('not-found', `No route ${request.method} ${path}`))
  })
}

export default fp(problemsPlugin, { name: 'problems' })
