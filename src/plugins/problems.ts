import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { recordProblem } from '../shared/metrics.js'
import { PROBLEM_TYPES, ProblemError, problemTypeUri, type ProblemBody, type ProblemSlug } from '../shared/problems.js'

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
  '57P01': { slug: 'service-unavailable', detail: 'The database is restarting; retry shortly' },
  '57P03': { slug: 'service-unavailable', detail: 'The database is not accepting connections; retry shortly' },
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

function toProblem(error: FastifyError & { code?: string }, request: FastifyRequest): ProblemBody | undefined {
  if (error instanceof ProblemError) return error.toBody()
  if (error.validation) {
    return problem('validation-error', 'One or more fields are not valid', {
      errors: validationErrors(error.validation as ValidationIssue[], error.validationContext),
    })
  }
  const frameworkSlug = error.code ? FRAMEWORK_ERRORS[error.code] : undefined
  if (frameworkSlug) return problem(frameworkSlug, error.message)
  const postgres = error.code ? POSTGRES_ERRORS[error.code] : undefined
  if (postgres) {
    request.log.warn({ err: error }, 'database constraint mapped to a problem')
    return problem(postgres.slug, postgres.detail)
  }
  if (error.statusCode === 429) return problem('rate-limited', error.message)
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    const slug = (Object.keys(PROBLEM_TYPES) as ProblemSlug[]).find((candidate) => PROBLEM_TYPES[candidate].status === error.statusCode) ?? 'bad-request'
    return problem(slug, error.message)
  }
  return undefined
}

/** One place turns every error into RFC 9457 problem details; nothing internal leaks from a 500. */
async function problemsPlugin(app: FastifyInstance): Promise<void> {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const body = toProblem(error, request)
    if (body) {
      // A 503 is the service protecting itself (load shedding, database unreachable): worth a warning, not an error with a stack.
      if (body.status === 503) request.log.warn({ problem: body.type, detail: body.detail }, 'service unavailable')
      else if (body.status >= 500) request.log.error({ err: error }, 'request failed')
      return sendProblem(request, reply, body)
    }
    request.log.error({ err: error }, 'unhandled error')
    return sendProblem(request, reply, problem('internal-error', 'Something went wrong on our side. Quote the request id when reporting it.'))
  })

  app.setNotFoundHandler((request, reply) =>
    sendProblem(request, reply, problem('not-found', `No route ${request.method} ${request.url.split('?')[0]}`)),
  )
}

export default fp(problemsPlugin, { name: 'problems' })
