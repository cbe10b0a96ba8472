import { sql } from 'kysely'
import t from 'tap'
import { openPostgres } from '../../src/db/database.js'
import { createMigrator, migrateDown, migrateToLatest } from '../../src/db/migrator.js'
import { migrations } from '../../migrations/index.js'
import { freshDatabase } from '../helpers/database.js'

// The lock on the embedded database directory is proven across two real processes in server.test.ts.

t.test('the latest migration goes down and up again', async (t) => {
  const database = await freshDatabase(t)
  const names = Object.keys(migrations)
  const latest = names.at(-1) as string
  const down = await migrateDown(database.db)
  t.same(down.results?.map((result) => [result.migrationName, result.direction]), [[latest, 'Down']])
  const status = await createMigrator(database.db).getMigrations()
  t.equal(status.find((migration) => migration.name === latest)?.executedAt, undefined)
  const up = await migrateToLatest(database.db)
  t.same(up.results?.map((result) => result.migrationName), [latest])
})

t.test('instances starting at once migrate once', async (t) => {
  const database = await freshDatabase(t)
  await migrateDown(database.db)
  // On a server, a second pool is a second instance; the embedded database allows one process.
  const other = database.url ? openPostgres(database.url, 2) : database
  if (other !== database) t.teardown(() => other.close())
  const results = await Promise.all([migrateToLatest(database.db), migrateToLatest(other.db)])
  const applied = results.flatMap((result) => result.results ?? []).map((result) => result.migrationName)
  t.equal(applied.length, 1, 'the pending migration ran exactly once')
  const rows = await sql<{ count: number }>`select count(*)::int as count from kysely_migration`.execute(database.db)
  t.equal(rows.rows[0]?.count, Object.keys(migrations).length)
})
