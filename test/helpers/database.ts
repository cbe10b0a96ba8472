import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { openEmbedded, openPostgres, type Database } from '../../src/db/database.js'
import { migrateToLatest } from '../../src/db/migrator.js'

interface Teardown {
  teardown(fn: () => unknown): void
}

/**
 * A fresh, migrated database for one test file, so files can run in parallel:
 * a new database on the PostgreSQL server of DATABASE_URL, or an in-memory embedded one.
 */
export async function freshDatabase(t: Teardown, options: { poolSize?: number } = {}): Promise<Database & { url?: string }> {
  const database = await createFreshDatabase(options)
  t.teardown(() => database.dispose())
  return database
}

/** Like freshDatabase, for callers that order their own teardown: `dispose` closes and drops it. */
export async function createFreshDatabase(options: { poolSize?: number } = {}): Promise<Database & { url?: string; dispose(): Promise<void> }> {
  const serverUrl = process.env.DATABASE_URL
  if (!serverUrl) {
    const database = await openEmbedded()
    await migrateToLatest(database.db)
    return { ...database, dispose: () => database.close() }
  }
  const name = `avrr_test_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: serverUrl })
  await admin.connect()
  await admin.query(`create database ${name}`)
  await admin.end()
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  const database = openPostgres(url.toString(), options.poolSize ?? 10)
  await migrateToLatest(database.db)
  const dispose = async () => {
    await database.close()
    const cleanup = new pg.Client({ connectionString: serverUrl })
    await cleanup.connect()
    await cleanup.query(`drop database if exists ${name} with (force)`)
    await cleanup.end()
  }
  return { ...database, url: url.toString(), dispose }
}
