import closeWithGrace from 'close-with-grace'
import pino from 'pino'
import { buildApp, loggerOptions } from './app.js'
import { ConfigError, loadConfig, postgresOptions, type Config } from './config.js'
import { openDatabase, openPostgres, type Database } from './db/database.js'
import { migrateToLatest } from './db/migrator.js'
import { purgeExpiredIdempotencyKeys } from './db/unit-of-work.js'
import type { Startup } from './plugins/operations.js'
import { shutdownTelemetry } from './telemetry.js'
import { scheduleContactReminders } from './modules/reintegration/index.js'

const PURGE_INTERVAL_MS = 60 * 60 * 1000
const FIRST_RETRY_MS = 250
const LONGEST_RETRY_MS = 5000

type Logger = pino.Logger

async function migrate(database: Database, config: Config, log: Logger): Promise<void> {
  // Migrations run on a connection of their own without the request timeouts: a migration may
  // rightly take longer than any request should.
  const migrator = database.kind === 'postgres' && config.DATABASE_URL ? openPostgres(config.DATABASE_URL, 1) : database
  try {
    const { results } = await migrateToLatest(migrator.db)
    for (const result of results ?? []) log.info({ migration: result.migrationName, status: result.status }, 'migration')
  } finally {
    if (migrator !== database) await migrator.close()
  }
}

/**
 * Waits for a PostgreSQL server that does not answer yet (it may be starting beside the service),
 * retrying with exponential backoff until DATABASE_CONNECT_TIMEOUT_S runs out.
 */
async function waitForDatabase(database: Database, config: Config, log: Logger): Promise<void> {
  const deadline = Date.now() + config.DATABASE_CONNECT_TIMEOUT_S * 1000
  let delay = FIRST_RETRY_MS
  for (let attempt = 1; ; attempt += 1) {
    try {
      await database.ping()
      return
    } catch (error) {
      const reason = error instanceof Error ? error.message || (error as NodeJS.ErrnoException).code || error.name : String(error)
      // Given up only once the whole timeout has passed: the last wait is cut to end at the deadline, for a last try.
      const left = deadline - Date.now()
      if (left <= 0) {
        throw new Error(
          `The database at ${database.location} did not answer within DATABASE_CONNECT_TIMEOUT_S=${config.DATABASE_CONNECT_TIMEOUT_S} s ` +
            `(${attempt} attempts; last error: ${reason}). Check DATABASE_URL and that PostgreSQL is running and accepts connections.`,
        )
      }
      if (attempt === 1) log.warn({ database: database.location, reason }, 'database does not answer yet; retrying')
      await new Promise((resolve) => setTimeout(resolve, Math.min(delay, left)))
      delay = Math.min(delay * 2, LONGEST_RETRY_MS)
    }
  }
}

async function main(): Promise<void> {
  let config
  try {
    config = loadConfig()
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message)
      process.exit(1)
    }
    throw error
  }
  const log = pino(loggerOptions(config) as pino.LoggerOptions)
  const database = await openDatabase({ ...postgresOptions(config), databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR })
  log.info({ database: database.location }, 'database opened')
  // The embedded database is there once opened; a server is reached (and migrated) after the HTTP
  // server listens, so that liveness answers meanwhile and readiness tells what it waits for.
  const startup: Startup = { waitingFor: undefined }
  if (database.kind === 'embedded') {
    if (config.MIGRATE_ON_START) await migrate(database, config, log)
  } else {
    startup.waitingFor = `The service is starting: waiting for the database at ${database.location}`
  }

  const app = await buildApp({ config, db: database.db, databaseKind: database.kind, ping: database.ping, startup, loggerInstance: log })
  const purge = setInterval(() => {
    purgeExpiredIdempotencyKeys(database.db).then(
      (count) => count > 0 && log.info({ count }, 'expired idempotency keys purged'),
      (error: unknown) => log.warn({ err: error }, 'idempotency key purge failed'),
    )
  }, PURGE_INTERVAL_MS)
  purge.unref()
  const stopReminders = scheduleContactReminders(database.db, log, { intervalMs: config.CONTACT_REMINDER_INTERVAL_MS, dueSoonDays: config.CONTACT_DUE_SOON_DAYS })

  const stop = async () => {
    clearInterval(purge)
    await stopReminders()
    await app.close()
    await database.close()
    await shutdownTelemetry()
  }
  // Signals only: an error the service can survive (a lost database connection) fails its request
  // and is never seen here; an error that escapes every handler is a bug, logged before Node exits.
  closeWithGrace({ delay: config.SHUTDOWN_GRACE_MS, logger: log, skip: ['uncaughtException', 'unhandledRejection'] }, async ({ signal }) => {
    log.info({ signal }, 'shutting down: finishing in-flight requests')
    await stop()
  })
  for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
    process.on(event, (error: unknown) => {
      log.fatal({ err: error }, `${event}: exiting`)
      process.exit(1)
    })
  }

  const address = await app.listen({ host: config.HOST, port: config.PORT })
  const base = config.PUBLIC_URL ?? address
  log.info(`Swagger UI: ${base}/docs`)
  if (config.AUTH_MODE === 'local') {
    log.info('Get a development token: npm run token -- --sub alice --roles admin,counsellor  (then Authorize in Swagger UI)')
  }

  if (startup.waitingFor) {
    try {
      await waitForDatabase(database, config, log)
      if (config.MIGRATE_ON_START) await migrate(database, config, log)
    } catch (error) {
      log.fatal(error instanceof Error ? error.message : String(error))
      await stop().catch(() => undefined)
      process.exit(1)
    }
    startup.waitingFor = undefined
    log.info({ database: database.location }, 'database ready: serving requests')
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
})
