import { createHash, randomBytes } from 'node:crypto'
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Kysely, type Dialect } from 'kysely'
import pg from 'pg'
import { openEmbedded, openPostgres, type Database } from '../../src/db/database.js'
import { migrateToLatest } from '../../src/db/migrator.js'
import type { DB } from '../../src/db/schema.js'

interface Teardown {
  teardown(fn: () => unknown): void
}

const root = fileURLToPath(new URL('../../', import.meta.url))

/**
 * Names the migrated state: a hash of every migration file. Migrations are frozen in time and import
 * no application code, so two databases migrated from the same files are the same database, and a
 * changed or added migration gets a new template (or snapshot) instead of a stale one.
 */
const migrationsFingerprint = fingerprint(['migrations'])

/**
 * Names the seeded state: the demo seed is application code (it writes through the modules), and some of its dates
 * are relative to today, so the seeded template is named by the migrations, every source file and the UTC date.
 */
const seededFingerprint = () => fingerprint(['migrations', 'src'], new Date().toISOString().slice(0, 10))

function fingerprint(directories: string[], ...extra: string[]): string {
  const hash = createHash('sha256')
  for (const directory of directories) {
    for (const file of (readdirSync(path.join(root, directory), { recursive: true }) as string[]).sort()) {
      const full = path.join(root, directory, file)
      if (!/\.(ts|js|sql|json)$/.test(file)) continue
      hash.update(file).update('\0').update(readFileSync(full))
    }
  }
  for (const value of extra) hash.update(value)
  return hash.digest('hex').slice(0, 16)
}

/** Runs a seed step without its progress lines. */
export async function quietly<T>(work: () => Promise<T>): Promise<T> {
  const log = console.log
  console.log = () => undefined
  try {
    return await work()
  } finally {
    console.log = log
  }
}

/** `npm run seed` into a database, without its progress lines. */
export async function seedQuietly(db: Kysely<DB>): Promise<void> {
  const { seedAll } = await import('../../src/cli/seed.js')
  await quietly(() => seedAll(db))
}

/**
 * A fresh, migrated database for one test file, so files can run in parallel:
 * a new database on the PostgreSQL server of DATABASE_URL, or an in-memory embedded one.
 */
export interface FreshDatabaseOptions {
  poolSize?: number
  /** With the demo data of `npm run seed` (on a server, copied from a seeded template made once a run). */
  seeded?: boolean
}

export async function freshDatabase(t: Teardown, options: FreshDatabaseOptions = {}): Promise<Database & { url?: string }> {
  const database = await createFreshDatabase(options)
  t.teardown(() => database.dispose())
  return database
}

/** Like freshDatabase, for callers that order their own teardown: `dispose` closes and drops it. */
export async function createFreshDatabase(options: FreshDatabaseOptions = {}): Promise<Database & { url?: string; dispose(): Promise<void> }> {
  const serverUrl = process.env.DATABASE_URL
  if (!serverUrl) {
    const database = await openEmbedded(undefined, { loadDataDir: await embeddedSnapshot() })
    if (options.seeded) await seedQuietly(database.db)
    return { ...database, dispose: () => database.close() }
  }
  const template = options.seeded ? await seededTemplateDatabase(serverUrl) : await templateDatabase(serverUrl)
  // Under the test runner (test/run.mjs) the database is named after the run and dropped when the run ends, with
  // the others (a drop makes the server take a checkpoint); a test file run on its own drops its database itself.
  const run = process.env.AVRR_TEST_RUN
  const name = run ? `avrr_test_${run}_${randomBytes(6).toString('hex')}` : `avrr_test_${randomBytes(6).toString('hex')}`
  await withAdmin(serverUrl, async (admin) => {
    await admin.query(`create database ${name} template ${template}`)
    // A test's database is dropped when the test ends, so its commits need not wait for the WAL to reach the
    // disk: that wait was most of the time of the write-heavy tests. (The fault tests, which check that
    // acknowledged writes survive a crash, run on a cluster of their own, not through this helper.)
    await admin.query(`alter database ${name} set synchronous_commit = off`)
  })
  const url = databaseUrl(serverUrl, name)
  const database = openPostgres(url, options.poolSize ?? 10)
  const dispose = async () => {
    await database.close()
    if (!run) await withAdmin(serverUrl, (admin) => admin.query(`drop database if exists ${name} with (force)`))
  }
  return { ...database, url, dispose }
}

function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  return url.toString()
}

async function withAdmin<T>(serverUrl: string, work: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: serverUrl })
  await admin.connect()
  try {
    return await work(admin)
  } finally {
    await admin.end()
  }
}

let template: Promise<string> | undefined
let seededTemplate: Promise<string> | undefined

/**
 * The migrated template every test database on the server is copied from (`create database … template`),
 * made once per set of migrations by whichever test file needs it first.
 */
function templateDatabase(serverUrl: string): Promise<string> {
  template ??= makeTemplate(serverUrl, `avrr_template_${migrationsFingerprint}`, undefined, (db) => migrateToLatest(db))
  return template
}

/**
 * The migrated and seeded template, for the tests that check the demo data: seeding takes tens of seconds, once a
 * run (and a day) instead of once a test. Older seeded templates are dropped when a new one is made.
 */
function seededTemplateDatabase(serverUrl: string): Promise<string> {
  seededTemplate ??= (async () => {
    const base = await templateDatabase(serverUrl)
    const name = `avrr_seeded_${seededFingerprint()}`
    return makeTemplate(serverUrl, name, base, seedQuietly, async (admin) => {
      const { rows } = await admin.query<{ datname: string }>(String.raw`select datname from pg_database where datname like 'avrr\_seeded\_%' and datname <> $1`, [name])
      for (const { datname } of rows) {
        await admin.query(`alter database ${datname} with is_template false`).catch(() => undefined)
        await admin.query(`drop database if exists ${datname} with (force)`).catch(() => undefined)
      }
    })
  })()
  return seededTemplate
}

/**
 * Makes a template database once: the other test files (and parallel runs) wait on an advisory lock and then copy
 * it. It is marked as a template that allows no connections, since PostgreSQL copies only a database nobody is
 * connected to; a template left half-made by an interrupted run is not marked yet and is made again.
 */
function makeTemplate(
  serverUrl: string,
  name: string,
  base: string | undefined,
  fill: (db: Kysely<DB>) => Promise<unknown>,
  afterMade?: (admin: pg.Client) => Promise<void>,
): Promise<string> {
  return withAdmin(serverUrl, async (admin) => {
    const ready = async () =>
      ((await admin.query('select 1 from pg_database where datname = $1 and datistemplate and not datallowconn', [name])).rowCount ?? 0) > 0
    if (await ready()) return name
    await admin.query('select pg_advisory_lock(hashtext($1))', [name])
    try {
      if (await ready()) return name
      await admin.query(`drop database if exists ${name} with (force)`)
      await admin.query(base ? `create database ${name} template ${base}` : `create database ${name}`)
      const database = openPostgres(databaseUrl(serverUrl, name), 1)
      try {
        await fill(database.db)
      } finally {
        await database.close()
      }
      await admin.query(`alter database ${name} with is_template true allow_connections false`)
      await afterMade?.(admin)
      return name
    } finally {
      await admin.query('select pg_advisory_unlock(hashtext($1))', [name])
    }
  })
}

let snapshot: Promise<Blob> | undefined

/**
 * A dump of a migrated embedded data directory (PGlite's dumpDataDir), which each embedded test database
 * starts from (loadDataDir) instead of running initdb and every migration again. It is kept in
 * node_modules/.cache per set of migrations and PGlite version; a file is written whole (rename) so a
 * parallel test file never reads half of one.
 */
function embeddedSnapshot(): Promise<Blob> {
  snapshot ??= (async () => {
    const pgliteVersion = (JSON.parse(readFileSync(path.join(root, 'node_modules/@electric-sql/pglite/package.json'), 'utf8')) as { version: string }).version
    const directory = path.join(root, 'node_modules', '.cache', 'avrr-tests')
    const file = path.join(directory, `pglite-${pgliteVersion}-${migrationsFingerprint}.tar`)
    try {
      return new Blob([readFileSync(file)])
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    }
    const [{ PGlite }, { PGliteDialect }] = await Promise.all([import('@electric-sql/pglite'), import('kysely-pglite-dialect')])
    const client = new PGlite()
    const db = new Kysely({ dialect: new PGliteDialect(client) as Dialect })
    try {
      await migrateToLatest(db)
      const dump = await client.dumpDataDir('none')
      mkdirSync(directory, { recursive: true })
      const partial = `${file}.${process.pid}.partial`
      writeFileSync(partial, Buffer.from(await dump.arrayBuffer()))
      renameSync(partial, file)
      return dump
    } finally {
      await db.destroy()
    }
  })()
  return snapshot
}
