import { sql, type Kysely } from 'kysely'

// Frozen in time: this migration never imports application code.
// Project targets for children and vulnerable persons (null: no target), counted like the
// achieved figures of the donor report.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('projects')
    .addColumn('target_children', 'integer', (col) => col.check(sql`target_children >= 0`))
    .addColumn('target_vulnerable', 'integer', (col) => col.check(sql`target_vulnerable >= 0`))
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('projects').dropColumn('target_children').dropColumn('target_vulnerable').execute()
}
