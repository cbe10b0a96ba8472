import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { openPostgres, type Database } from '../../src/db/database.js'
import { migrateToLatest } from '../../src/db/migrator.js'

/** A fresh, migrated database of its own on the benchmark's server; `drop` closes and removes it. */
export async function createBenchDatabase(serverUrl: string): Promise<{ database: Database; url: string; drop(): Promise<void> }> {
  const name = `avrr_bench_${randomBytes(5).toString('hex')}`
  const admin = new pg.Client({ connectionString: serverUrl })
  await admin.connect()
  await admin.query(`create database ${name}`)
  await admin.end()
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  const database = openPostgres(url.toString(), 2)
  await migrateToLatest(database.db)
  return {
    database,
    url: url.toString(),
    drop: async () => {
      await database.close()
      const cleanup = new pg.Client({ connectionString: serverUrl })
      await cleanup.connect()
      await cleanup.query(`drop database if exists ${name} with (force)`)
      await cleanup.end()
    },
  }
}
