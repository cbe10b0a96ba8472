import type { Database } from '../../src/db/database.js'
import { createFreshDatabase } from '../../test/helpers/database.js'

/**
 * A fresh, migrated database of its own on the benchmark's server (the same helper the tests use);
 * `drop` closes and removes it.
 */
export async function benchDatabase(serverUrl: string): Promise<{ database: Database; url: string; drop(): Promise<void> }> {
  if (process.env.DATABASE_URL !== serverUrl) throw new Error('benchmarks run on the server of DATABASE_URL')
  const fresh = await createFreshDatabase({ poolSize: 2 })
  return { database: fresh, url: fresh.url as string, drop: () => fresh.dispose() }
}
