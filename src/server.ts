import closeWithGrace from 'close-with-grace'
import pino from 'pino'
import { buildApp, loggerOptions } from './app.js'
import { ConfigError, loadConfig } from './config.js'
import { openDatabase } from './db/database.js'
import { migrateToLatest } from './db/migrator.js'
import { purgeExpiredIdempotencyKeys } from './db/unit-of-work.js'
import { scheduleContactReminders } from './modules/reintegration/index.js'

const PURGE_INTERVAL_MS = 60 * 60 * 1000

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
  const database = await openDatabase({ databaseUrl: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE, dataDir: config.DATA_DIR })
  log.info({ database: database.location }, 'database opened')
  if (config.MIGRATE_ON_START) {
    const { results } = await migrateToLatest(database.db)
    for (const result of results ?? []) log.info({ migration: result.migrationName, status: result.status }, 'migration')
  }

  const app = await buildApp({ config, db: database.db, databaseKind: database.kind, loggerInstance: log })
  const purge = setInterval(() => {
    purgeExpiredIdempotencyKeys(database.db).then(
      (count) => count > 0 && log.info({ count }, 'expired idempotency keys purged'),
      (error: unknown) => log.warn({ err: error }, 'idempotency key purge failed'),
    )
  }, PURGE_INTERVAL_MS)
  purge.unref()
  const stopReminders = scheduleContactReminders(database.db, log, { intervalMs: config.CONTACT_REMINDER_INTERVAL_MS, dueSoonDays: config.CONTACT_DUE_SOON_DAYS })

  closeWithGrace({ delay: config.SHUTDOWN_GRACE_MS, logger: log }, async ({ signal, err }) => {
    if (err) log.error({ err }, 'shutting down after an error')
    else log.info({ signal }, 'shutting down: finishing in-flight requests')
    clearInterval(purge)
    await stopReminders()
    await app.close()
    await database.close()
  })

  const address = await app.listen({ host: config.HOST, port: config.PORT })
  const base = config.PUBLIC_URL ?? address
  log.info(`Swagger UI: ${base}/docs`)
  if (config.AUTH_MODE === 'local') {
    log.info('Get a development token: npm run token -- --sub alice --roles admin,counsellor  (then Authorize in Swagger UI)')
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
})
