import helmet from '@fastify/helmet'
import rateLimit from '@fastify/rate-limit'
import underPressure from '@fastify/under-pressure'
import { Type } from '@sinclair/typebox'
import { createHash } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { sql } from 'kysely'
import { PROBLEM_RESPONSES, ProblemError } from '../shared/problems.js'
import { rateLimitStore } from './rate-limit-store.js'

const HealthStatus = Type.Object(
  { status: Type.String({ description: '`ok` when healthy.' }), database: Type.Optional(Type.String({ description: 'Which database answers: postgres or embedded.' })) },
  { $id: 'HealthStatus', additionalProperties: false },
)

/** Security headers, rate limits, load shedding and the health probes. */
async function operationsPlugin(app: FastifyInstance): Promise<void> {
  await app.register(helmet, {
    // Swagger UI sets its own CSP on /docs (staticCSP); API responses are JSON and need none.
    contentSecurityPolicy: false,
    crossOriginEmbedderPolicy: false,
  })

  await app.register(rateLimit, {
    ...(await rateLimitStore(app)),
    // Not per route: a route-level hook would run after authentication (an instance hook), so floods of
    // bad tokens (401) or wrong roles (403) would never be limited. The instance hook below runs first.
    global: false,
    max: app.config.RATE_LIMIT_MAX,
    timeWindow: app.config.RATE_LIMIT_WINDOW_MS,
    // Per caller: a SHA-256 of the Authorization header when there is one (the token itself is never
    // stored), else the client address. Keyed before the token is verified, so it costs no verification.
    keyGenerator: (request) => {
      const authorization = request.headers.authorization
      return authorization ? createHash('sha256').update(authorization).digest('base64url') : request.ip
    },
    allowList: (request) => request.url === '/healthz' || request.url === '/readyz',
    errorResponseBuilder: (_request, context) =>
      new ProblemError('rate-limited', `Rate limit of ${context.max} requests per ${context.after} exceeded; retry later`),
  })
  // Registered before the auth plugin, so every request is counted before its token is even read.
  app.addHook('onRequest', app.rateLimit())

  await app.register(underPressure, {
    maxEventLoopDelay: app.config.MAX_EVENT_LOOP_DELAY_MS,
    retryAfter: 5,
    // A database that stops answering sheds every request with a 503 until it answers again.
    healthCheck: async () => {
      await sql`select 1`.execute(app.db)
      return true
    },
    healthCheckInterval: app.config.HEALTH_CHECK_INTERVAL_MS,
    // A rejected promise hands the error to the error handler, which renders the 503 problem.
    pressureHandler: async () => {
      throw new ProblemError('service-unavailable', 'The service is overloaded or the database does not answer; retry shortly')
    },
  })

  app.addSchema(HealthStatus)

  app.get('/healthz', {
    // Liveness is never shed: an overloaded process is still alive and must not be restarted for it.
    config: { public: true, pressureHandler: () => undefined },
    schema: {
      tags: ['operations'],
      operationId: 'getLiveness',
      summary: 'Liveness: the process is up',
      description: 'Answers 200 while the process runs. No authentication.',
      security: [],
      response: { 200: Type.Ref(HealthStatus) },
    },
    handler: async () => ({ status: 'ok' }),
  })

  app.get('/readyz', {
    config: { public: true },
    schema: {
      tags: ['operations'],
      operationId: 'getReadiness',
      summary: 'Readiness: the database answers',
      description: 'Answers 200 when a query on the database succeeds, otherwise a 503 problem. No authentication.',
      security: [],
      response: { 200: Type.Ref(HealthStatus), 503: PROBLEM_RESPONSES[503] },
    },
    handler: async () => {
      try {
        await sql`select 1`.execute(app.db)
      } catch (error) {
        app.log.warn({ err: error }, 'readiness check failed')
        throw new ProblemError('service-unavailable', 'The database does not answer')
      }
      return { status: 'ok', database: app.databaseKind }
    },
  })
}

export default fp(operationsPlugin, { name: 'operations', dependencies: ['config'] })
