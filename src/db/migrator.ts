import { Migrator, type Kysely, type MigrationResultSet } from 'kysely'

// The migrator works on whatever schema the database has, not the application's DB type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDatabase = Kysely<any>
import { migrations } from '../../migrations/index.js'

export function createMigrator(db: AnyDatabase): Migrator {
  return new Migrator({ db, provider: { getMigrations: async () => migrations } })
}

function unwrap(result: MigrationResultSet): MigrationResultSet {
  if (result.error) throw result.error
  return result
}

/** Kysely's migrator takes an advisory lock, so instances starting at once migrate once. */
export async function migrateToLatest(db: AnyDatabase): Promise<MigrationResultSet> {
  return unwrap(await createMigrator(db).migrateToLatest())
}

export async function migrateDown(db: AnyDatabase): Promise<MigrationResultSet> {
  return unwrap(await createMigrator(db).migrateDown())
}
