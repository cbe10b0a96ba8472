import { loadConfig } from '../config.js'
import { openDatabase } from '../db/database.js'
import { createMigrator, migrateDown, migrateToLatest } from '../db/migrator.js'

const USAGE = 'usage: npm run migrate -- [up|down|status]'

async function main(): Promise<void> {
  const command = process.argv[2] ?? 'up'
  if (!['up', 'down', 'status'].includes(command)) throw new Error(USAGE)
  const config = loadConfig()
  const database = await openDatabase({ databaseUrl: config.DATABASE_URL, poolSize: 1, dataDir: config.DATA_DIR })
  try {
    if (command === 'status') {
      for (const migration of await createMigrator(database.db).getMigrations()) {
        console.log(`${migration.executedAt ? `applied ${migration.executedAt.toISOString()}` : 'pending                         '}  ${migration.name}`)
      }
      return
    }
    const { results } = command === 'up' ? await migrateToLatest(database.db) : await migrateDown(database.db)
    if (!results || results.length === 0) console.log('nothing to do')
    for (const result of results ?? []) console.log(`${result.direction === 'Up' ? 'applied' : 'reverted'} ${result.migrationName}`)
  } finally {
    await database.close()
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
})
