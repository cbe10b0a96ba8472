import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { Kysely, PostgresDialect, type Dialect } from 'kysely'
import pg from 'pg'
import lockfile from 'proper-lockfile'
import { observePool } from '../shared/metrics.js'
import { PreparingClient } from './prepared.js'
import type { DB } from './schema.js'

export type DatabaseKind = 'postgres' | 'embedded'

export interface Database {
  db: Kysely<DB>
  kind: DatabaseKind
  /** Human-readable location, safe to log (no credentials). */
  location: string
  close(): Promise<void>
}

// Postgres returns int8 (bigint) as text by default; every bigint column here holds
// minor units or sequence numbers far below 2^53, so they are parsed as numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value))
// Dates (not timestamps) stay ISO strings: a calendar date has no time zone to shift.
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value)

export function openPostgres(databaseUrl: string, poolSize: number): Database {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize, Client: PreparingClient })
  // An idle connection dropped by the server (restart, failover) must not crash the process;
  // the pool replaces it and the next query reports any lasting outage.
  pool.on('error', (error) => console.error(`database connection lost: ${error.message}`))
  observePool(pool as unknown as Parameters<typeof observePool>[0])
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) })
  const url = new URL(databaseUrl)
  return {
    db,
    kind: 'postgres',
    location: `${url.hostname}:${url.port || 5432}${url.pathname}`,
    close: () => db.destroy(),
  }
}

export class DataDirectoryLockedError extends Error {
  constructor(readonly directory: string) {
    super(
      `The embedded database directory ${directory} is in use by another process. ` +
        'Stop that process, or set DATA_DIR to another directory (or DATABASE_URL to a PostgreSQL server).',
    )
    this.name = 'DataDirectoryLockedError'
  }
}

export interface EmbeddedOptions {
  /** A data directory dumped by PGlite's dumpDataDir to start from instead of an empty one (tests: a migrated snapshot). */
  loadDataDir?: Blob
}

/**
 * Opens the embedded PostgreSQL (PGlite). PGlite itself does not guard its directory,
 * and two processes writing the same files corrupt it, so the directory is locked
 * for the life of the process. `dataDir` undefined means an in-memory database (tests).
 */
export async function openEmbedded(dataDir?: string, embeddedOptions: EmbeddedOptions = {}): Promise<Database> {
  const [{ PGlite }, { PGliteDialect }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('kysely-pglite-dialect'),
  ])
  let release: (() => Promise<void>) | undefined
  let directory: string | undefined
  if (dataDir) {
    directory = path.resolve(dataDir)
    mkdirSync(directory, { recursive: true })
    try {
      release = await lockfile.lock(directory, { lockfilePath: path.join(directory, '.lock'), stale: 10_000, update: 2_000 })
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ELOCKED') throw new DataDirectoryLockedError(directory)
      throw error
    }
  }
  // Same value shapes as node-pg above: calendar dates as ISO strings.
  const options = { parsers: { 1082: (value: string) => value }, loadDataDir: embeddedOptions.loadDataDir }
  const client = directory ? new PGlite(path.join(directory, 'pgdata'), options) : new PGlite(options)
  await client.waitReady
  const db = new Kysely<DB>({ dialect: new PGliteDialect(client) as Dialect })
  return {
    db,
    kind: 'embedded',
    location: directory ? `embedded (${directory})` : 'embedded (in memory)',
    async close() {
      await db.destroy()
      await release?.()
    },
  }
}

export async function openDatabase(options: { databaseUrl?: string; poolSize: number; dataDir?: string }): Promise<Database> {
  return options.databaseUrl ? openPostgres(options.databaseUrl, options.poolSize) : openEmbedded(options.dataDir)
}
