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
  /** Resolves when the database answers a query, without waiting behind the requests' connections. */
  ping(): Promise<void>
  close(): Promise<void>
}

// Postgres returns int8 (bigint) as text by default; every bigint column here holds
// minor units or sequence numbers far below 2^53, so they are parsed as numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value))
// Dates (not timestamps) stay ISO strings: a calendar date has no time zone to shift.
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value)

export interface PostgresOptions {
  poolSize: number
  /** Server-side limit on one statement, in ms (0: none). */
  statementTimeoutMs?: number
  /** Server-side limit on a transaction left idle, in ms (0: none); the server ends such a session. */
  idleInTransactionTimeoutMs?: number
  /** How long a request waits for a pooled connection (or a new one to connect), in ms (0: forever). */
  acquireTimeoutMs?: number
}

/** A pooled client (a PreparingClient), with the error that made it unfit for reuse, if any. */
type PooledClient = pg.PoolClient & { unfit?: Error }

/**
 * Opens a pool on a PostgreSQL server. Connections are made on first use, so this never fails
 * for a database that is down; `ping` tells whether it answers.
 *
 * node-pg emits `error` on a client whose connection breaks while no query runs on it, and an
 * emitted error without a listener ends the process. The pool listens only while a client is
 * idle; between two statements of a transaction the client is checked out and has none. So every
 * client gets a listener of its own the moment it is created: the error then fails only the
 * request holding the client (its next query is refused as not queryable), and a client that
 * saw a lost connection, or whose transaction could not be rolled back, is destroyed on release
 * instead of going back to the pool.
 */
export function openPostgres(databaseUrl: string, options: PostgresOptions | number): Database {
  const settings: PostgresOptions = typeof options === 'number' ? { poolSize: options } : options
  const connection = {
    connectionString: databaseUrl,
    statement_timeout: settings.statementTimeoutMs || undefined,
    idle_in_transaction_session_timeout: settings.idleInTransactionTimeoutMs || undefined,
    connectionTimeoutMillis: settings.acquireTimeoutMs || undefined,
  }
  const pool = new pg.Pool({ ...connection, max: settings.poolSize, Client: PreparingClient })
  // An idle connection dropped by the server (restart, failover) is removed by the pool; the next
  // query reports any lasting outage.
  pool.on('error', (error) => console.error(`database connection lost: ${error.message}`))
  pool.on('connect', (client: PooledClient) => {
    client.on('error', (error: Error) => {
      client.unfit = error
    })
  })
  observePool(pool as unknown as Parameters<typeof observePool>[0])
  const facade = {
    async connect(): Promise<PooledClient> {
      const client = (await pool.connect()) as PooledClient
      const release = client.release.bind(client)
      client.release = (error?: Error | boolean) => release(error || client.unfit || undefined)
      return client
    },
    end: () => pool.end(),
  }
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: facade }) })
  const url = new URL(databaseUrl)
  const probe = healthProbe(connection)
  return {
    db,
    kind: 'postgres',
    location: `${url.hostname}:${url.port || 5432}${url.pathname}`,
    ping: probe.ping,
    async close() {
      await probe.close()
      await db.destroy()
    },
  }
}

/** How long the health probe waits for the database before calling it down. */
const PROBE_TIMEOUT_MS = 2000

/**
 * A connection of its own for health checks: behind a saturated pool a check would wait for a
 * connection like any request and report a busy database as a dead one (and shed every request
 * for it). It is made on first use, replaced after any failure, and checks one at a time.
 */
function healthProbe(connection: pg.ClientConfig): { ping(): Promise<void>; close(): Promise<void> } {
  let client: pg.Client | undefined
  let running: Promise<void> | undefined
  let closed = false
  const discard = () => {
    const broken = client
    client = undefined
    broken?.end().catch(() => undefined)
  }
  const check = async () => {
    if (closed) throw new Error('Client was closed and is not queryable')
    if (!client) {
      const fresh = new pg.Client({ ...connection, connectionTimeoutMillis: PROBE_TIMEOUT_MS, application_name: 'avrr-health' })
      fresh.on('error', () => {
        if (client === fresh) discard()
      })
      client = fresh
      await fresh.connect()
    }
    await client.query({ text: 'select 1', query_timeout: PROBE_TIMEOUT_MS } as pg.QueryConfig)
  }
  return {
    ping() {
      running ??= check()
        .catch((error: unknown) => {
          discard()
          throw error
        })
        .finally(() => {
          running = undefined
        })
      return running
    },
    async close() {
      closed = true
      await running?.catch(() => undefined)
      discard()
    },
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
  // Closed once: a second close of PGlite never settles, and a closed one must not look healthy to readiness.
  let closing: Promise<void> | undefined
  return {
    db,
    kind: 'embedded',
    location: directory ? `embedded (${directory})` : 'embedded (in memory)',
    ping: async () => {
      if (closing || client.closed) throw new Error('the embedded database is closed')
      await client.query('select 1')
    },
    close() {
      closing ??= (async () => {
        await db.destroy()
        if (!client.closed) await client.close()
        await release?.()
      })()
      return closing
    },
  }
}

export async function openDatabase(options: PostgresOptions & { databaseUrl?: string; dataDir?: string }): Promise<Database> {
  return options.databaseUrl ? openPostgres(options.databaseUrl, options) : openEmbedded(options.dataDir)
}
