import type { FastifyRateLimitOptions, FastifyRateLimitStore, RateLimitPluginOptions } from '@fastify/rate-limit'
import type { FastifyInstance } from 'fastify'
import type { Redis } from 'ioredis'
import { sql } from 'kysely'

type StoreOptions = Pick<RateLimitPluginOptions, 'redis' | 'nameSpace' | 'store' | 'skipOnError'>

/** Namespace of every counter, so the service's keys are recognisable in a shared Redis. */
const NAMESPACE = 'avrr:rate-limit:'

/**
 * Where the rate-limit counters live (RATE_LIMIT_STORE): `memory` counts per instance (the embedded
 * default, one process); `redis` and `postgres` share the counts between every instance, so a limit
 * means the same behind a load balancer as on one instance. A store that fails lets the request through
 * (skipOnError) and the failure is logged: an outage of the counters must not become an outage of the API.
 */
export async function rateLimitStore(app: FastifyInstance): Promise<StoreOptions> {
  switch (app.config.RATE_LIMIT_STORE) {
    case 'memory':
      return {}
    case 'redis':
      return { redis: await redisClient(app), nameSpace: NAMESPACE, skipOnError: true }
    case 'postgres':
      return { store: postgresStore(app), skipOnError: true }
  }
}

/**
 * Connected before the first request (else the first requests would pass uncounted); an unreachable Redis does not
 * stop the start. The client is loaded only when Redis is configured: it is megabytes an instance without it need not hold.
 */
async function redisClient(app: FastifyInstance): Promise<Redis> {
  const { Redis } = await import('ioredis')
  const redis = new Redis(app.config.RATE_LIMIT_REDIS_URL as string, {
    connectionName: 'avrr-rate-limit',
    lazyConnect: true,
    // A request never waits for an unreachable or slow Redis: commands fail at once while it is away.
    enableOfflineQueue: false,
    connectTimeout: 2000,
    commandTimeout: 500,
    maxRetriesPerRequest: 1,
  })
  redis.on('error', (error: Error) => app.log.warn({ err: error }, 'rate-limit store (Redis) unavailable; requests are not limited meanwhile'))
  app.addHook('onClose', async () => {
    await redis.quit().catch(() => redis.disconnect())
  })
  await redis.connect().catch(() => undefined)
  return redis
}

/** How often counters of windows long past are deleted. */
const SWEEP_INTERVAL_MS = 60_000

/**
 * Counters in the unlogged table rate_limit_counters: one upsert per request, which starts a new window
 * when the caller's last one has ended. The window starts with the first request, as in the memory store.
 */
function postgresStore(app: FastifyInstance): RateLimitPluginOptions['store'] {
  const { db, log } = app
  const sweeper = setInterval(() => {
    db.deleteFrom('rate_limit_counters')
      .where('window_ends_at', '<', sql<Date>`now()`)
      .execute()
      .catch((error: unknown) => log.warn({ err: error }, 'rate-limit counters could not be swept'))
  }, SWEEP_INTERVAL_MS).unref()
  app.addHook('onClose', async () => clearInterval(sweeper))

  return class PostgresRateLimitStore implements FastifyRateLimitStore {
    constructor(
      _options?: FastifyRateLimitOptions,
      private readonly prefix = '',
    ) {}

    incr(key: string, callback: (error: Error | null, result?: { current: number; ttl: number }) => void, timeWindow: number): void {
      sql<{ current: number; ttl: number }>`
        insert into rate_limit_counters as counter (key, hits, window_ends_at)
        values (${NAMESPACE + this.prefix + key}, 1, now() + make_interval(secs => ${timeWindow / 1000}))
        on conflict (key) do update set
          hits = case when counter.window_ends_at <= now() then 1 else counter.hits + 1 end,
          window_ends_at = case when counter.window_ends_at <= now() then excluded.window_ends_at else counter.window_ends_at end
        returning hits as current, greatest(0, ceil(extract(epoch from window_ends_at - now()) * 1000))::int as ttl
      `
        .execute(db)
        .then(
          (result) => callback(null, result.rows[0]),
          (error: Error) => {
            log.warn({ err: error }, 'rate-limit store (PostgreSQL) unavailable; the request is not limited')
            callback(error)
          },
        )
    }

    /** A route with limits of its own counts apart (the plugin passes the route under routeInfo, as its Redis store reads it). */
    child(routeOptions: Parameters<FastifyRateLimitStore['child']>[0]): FastifyRateLimitStore {
      const route = (routeOptions as unknown as { routeInfo?: { method?: string; url?: string } }).routeInfo
      return new PostgresRateLimitStore(undefined, `${route?.method ?? ''}${route?.url ?? ''}:`)
    }
  }
}
