import helmet from '@fastify/helmet'
import rateLimit from '@fastify/rate-limit'
import underPressure, { TYPE_EVENT_LOOP_DELAY } from '@fastify/under-pressure'
import { Type } from '@sinclair/typebox'
import { createHash } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { sql } from 'kysely'
import { PROBLEM_RESPONSES, ProblemError } from '../shared/problems.js'
import { DATABASE_RETRY_AFTER_S } from './problems.js'
import { rateLimitStore } from './rate-limit-store.js'

const HealthStatus = Type.Object(
  { status: Type.String({ description: '`ok` when healthy.' }), database: Type.Optional(Type.String({ description: 'Which database answers: postgres or embedded.' })) },
  { $id: 'HealthStatus', additionalProperties: false },
)

/** Security headers, rate limits, load shedding and the health probes. */
async function operationsPlugin(app: FastifyInstance, options: OperationsOptions): Promise<void> {
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
    // The IETF draft headers (RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset; Retry-After on 429),
    // not the X-RateLimit-* ones, as the spec declares them (ADR 0053).
    enableDraftSpec: true,
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

  const health = await databaseHealth(app, options)

  // Requests are refused with a 503 problem while the database is not there: before the server has
  // reached it at start-up (and migrated it), and while the health check finds it gone.
  let closing = false
  app.addHook('preClose', async () => {
    closing = true
  })
  app.addHook('onRequest', async (request, reply) => {
    if (closing) {
      // Requests arriving after SIGTERM: the load balancer should send them elsewhere; those in flight finish.
      void reply.header('connection', 'close')
      throw new ProblemError('service-unavailable', 'The service is shutting down; retry (another instance will answer)')
    }
    if (request.routeOptions.config.withoutDatabase) return
    const unavailable = health.unavailable()
    if (unavailable) {
      void reply.header('retry-after', String(DATABASE_RETRY_AFTER_S))
      throw new ProblemError('service-unavailable', unavailable)
    }
  })

  // Event-loop delay is sampled over the last second, so right after start it still holds the
  // start-up work (schema compilation, migrations, the first requests' compilation) that blocked the
  // loop: shedding on it would refuse the first requests of a healthy process while /healthz and
  // /readyz are green. It counts only once the warm-up period after start (and after listening) is over.
  let warmFrom = Date.now() + app.config.EVENT_LOOP_WARM_UP_MS
  app.addHook('onListen', async () => {
    warmFrom = Date.now() + app.config.EVENT_LOOP_WARM_UP_MS
  })
  await app.register(underPressure, {
    maxEventLoopDelay: app.config.MAX_EVENT_LOOP_DELAY_MS,
    retryAfter: 5,
    // A rejected promise hands the error to the error handler, which renders the 503 problem.
    pressureHandler: async (_request: unknown, _reply: unknown, type: string) => {
      if (type === TYPE_EVENT_LOOP_DELAY && Date.now() < warmFrom) return
      throw new ProblemError('service-unavailable', 'The service is overloaded; retry shortly')
    },
  })

  app.addSchema(HealthStatus)

  app.get('/healthz', {
    // Liveness is never shed: an overloaded process is still alive and must not be restarted for it.
    config: { public: true, withoutDatabase: true, pressureHandler: () => undefined },
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
      description: 'Answers 200 when the database has been reached (and migrated) at start-up and answers a query now, otherwise a 503 problem. No authentication.',
      security: [],
      response: { 200: Type.Ref(HealthStatus), 503: PROBLEM_RESPONSES[503] },
    },
    handler: async () => {
      const unavailable = await health.check()
      if (unavailable) {
        app.log.warn({ reason: unavailable }, 'readiness check failed')
        throw new ProblemError('service-unavailable', unavailable)
      }
      return { status: 'ok', database: app.databaseKind }
    },
  })
}

/** While the database is away it is checked this often, so the service serves again soon after it is back. */
const RECHECK_WHILE_DOWN_MS = 500

interface DatabaseHealth {
  /** Why requests cannot be served now (start-up, database away), or undefined when they can. */
  unavailable(): string | undefined
  /** Checks the database now, and tells as `unavailable` does. */
  check(): Promise<string | undefined>
}

/**
 * Whether the database answers, checked every HEALTH_CHECK_INTERVAL_MS (every half second while it
 * does not) on the database's health connection, which never waits behind the requests' pool.
 */
async function databaseHealth(app: FastifyInstance, options: OperationsOptions): Promise<DatabaseHealth> {
  const ping = options.ping ?? (async () => void (await sql`select 1`.execute(app.db)))
  const startup = options.startup ?? { waitingFor: undefined }
  let up = true
  let timer: NodeJS.Timeout | undefined
  let closed = false
  const state = () => startup.waitingFor ?? (up ? undefined : 'The database does not answer; retry shortly')
  const check = async () => {
    if (startup.waitingFor) return state()
    try {
      await ping()
      if (!up) app.log.info('database answers again')
      up = true
    } catch (error) {
      if (up) app.log.warn({ err: error }, 'database does not answer; requests get 503 until it does')
      up = false
    }
    return state()
  }
  const schedule = () => {
    if (closed) return
    timer = setTimeout(() => void check().finally(schedule), up && !startup.waitingFor ? app.config.HEALTH_CHECK_INTERVAL_MS : RECHECK_WHILE_DOWN_MS)
    timer.unref()
  }
  app.addHook('onClose', async () => {
    closed = true
    clearTimeout(timer)
  })
  await check()
  schedule()
  return { unavailable: state, check }
}

export interface OperationsOptions {
  /** Checks that the database answers, on a connection of its own (Database.ping); by default a query on the pool. */
  ping?: () => Promise<void>
  /** Set by the server while it waits for the database at start-up: the reason given to requests meanwhile. */
  startup?: Startup
}

/** Start-up state shared with the server: `waitingFor` is set until the database is reached and migrated. */
export interface Startup {
  waitingFor: string | undefined
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Served even while the database is away (liveness). */
    withoutDatabase?: boolean
  }
}

export default fp(operationsPlugin, { name: 'operations', dependencies: ['config'] })
