import { sql, type Kysely } from 'kysely'

// Frozen in time: this migration never imports application code.
// Transit visas per traveller and transit country (requested from an embassy or consulate, then
// issued with a number and a validity, or refused), and the transit points of a booking that need
// one (country and visa_required, per transit airport of its route).

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('transit_visas')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('case_id', 'uuid', (col) => col.notNull().references('return_cases.id'))
    .addColumn('member_id', 'uuid', (col) => col.notNull())
    .addColumn('transit_country', 'char(2)', (col) => col.notNull().check(sql`transit_country ~ '^[A-Z]{2}$'`))
    .addColumn('status', 'text', (col) => col.notNull().check(sql`status in ('requested', 'issued', 'refused')`))
    .addColumn('issuing_authority', 'text', (col) => col.notNull())
    .addColumn('requested_on', 'date', (col) => col.notNull())
    .addColumn('visa_number', 'text')
    .addColumn('valid_from', 'date')
    .addColumn('valid_until', 'date')
    .addColumn('issued_on', 'date')
    .addColumn('refused_on', 'date')
    .addColumn('refusal_reason', 'text')
    .addColumn('notes', 'text')
    .addColumn('created_by', 'text', (col) => col.notNull())
    .addColumn('version', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addForeignKeyConstraint('transit_visas_member_of_case', ['member_id', 'case_id'], 'case_members', ['id', 'case_id'])
    .addCheckConstraint(
      'transit_visas_issued_complete',
      sql`(status = 'issued') = (visa_number is not null and valid_from is not null and valid_until is not null and issued_on is not null)
        and (valid_until is null or valid_until >= valid_from) and (issued_on is null or issued_on >= requested_on)`,
    )
    .addCheckConstraint(
      'transit_visas_refusal_complete',
      sql`(status = 'refused') = (refused_on is not null and refusal_reason is not null) and (refused_on is null or refused_on >= requested_on)`,
    )
    .execute()
  await db.schema.createIndex('transit_visas_member_idx').on('transit_visas').columns(['member_id', 'transit_country', 'id']).execute()
  await db.schema.createIndex('transit_visas_case_idx').on('transit_visas').columns(['case_id', 'id']).execute()
  await sql`alter table bookings add column transit_requirements jsonb not null default '[]'::jsonb check (jsonb_typeof(transit_requirements) = 'array')`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table bookings drop column transit_requirements`.execute(db)
  await db.schema.dropTable('transit_visas').execute()
}
