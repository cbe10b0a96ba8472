import { sql, type Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'

/**
 * Who left and when: one row per traveller whose departure was confirmed (a `used` ticket), with
 * the calendar dates (UTC) of departure and of the confirmed arrival (null until confirmed).
 * A derived table for figures to join on `member_id`; the tickets stay this module's own.
 */
export function departures(db: Kysely<DB>) {
  return db
    .selectFrom('tickets')
    .where('status', '=', 'used')
    .select([
      'member_id',
      'case_id',
      sql<string>`(departed_at at time zone 'UTC')::date`.as('departed_on'),
      sql<string | null>`(arrived_at at time zone 'UTC')::date`.as('arrived_on'),
    ])
}
