import type { Kysely } from 'kysely'
import { seedAll } from '../../src/cli/seed.js'
import type { DB } from '../../src/db/schema.js'

/** `npm run seed` into the test database, without its progress lines. */
export async function seedQuietly(db: Kysely<DB>): Promise<void> {
  const log = console.log
  console.log = () => undefined
  try {
    await seedAll(db)
  } finally {
    console.log = log
  }
}
