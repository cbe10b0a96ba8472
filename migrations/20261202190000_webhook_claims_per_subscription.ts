import { sql, type Kysely } from 'kysely'

// Frozen in time: this migration never imports application code.
// The dispatcher claims, per subscription, the oldest due deliveries up to the room that subscription has left
// (WEBHOOK_CONCURRENCY_PER_SUBSCRIPTION minus what this instance has in flight for it). Walking the global due
// index for one subscription reads past every other subscription's pending rows; this index starts at its own.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index webhook_deliveries_subscription_due_idx on webhook_deliveries (subscription_id, next_attempt_at) where status = 'pending'`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index webhook_deliveries_subscription_due_idx`.execute(db)
}
