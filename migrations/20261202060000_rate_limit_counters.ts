import { sql, type Kysely } from 'kysely'

// Frozen in time: this migration never imports application code.
// Rate-limit counters shared by every instance (RATE_LIMIT_STORE=postgres): one row per caller and window.
// Unlogged: a counter is worth nothing after a crash, so its writes skip the WAL.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create unlogged table rate_limit_counters (
      key text primary key,
      hits integer not null,
      window_ends_at timestamptz not null
    )
  `.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('rate_limit_counters').execute()
}
