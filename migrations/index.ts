import type { Migration } from 'kysely'
import * as foundation from './20261123160000_foundation.js'

/** Every migration, in order. Names are timestamp-prefixed so they sort as they were written. */
export const migrations: Record<string, Migration> = {
  '20261123160000_foundation': foundation,
}
