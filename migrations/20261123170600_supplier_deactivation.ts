import type { Kysely } from 'kysely'

// Frozen in time: this migration never imports application code.
// A supplier can be deactivated (it closed, or is no longer trusted): no new disbursement may pay it.
// The history stays: its past disbursements keep pointing at it, and it can be reactivated.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('suppliers')
    .addColumn('active', 'boolean', (col) => col.notNull().defaultTo(true))
    .addColumn('deactivated_at', 'timestamptz')
    .addColumn('deactivated_by', 'text')
    .addColumn('deactivation_reason', 'text')
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('suppliers')
    .dropColumn('active')
    .dropColumn('deactivated_at')
    .dropColumn('deactivated_by')
    .dropColumn('deactivation_reason')
    .execute()
}
