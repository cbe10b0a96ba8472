import { sql, type Kysely } from 'kysely'

// Frozen in time: this migration never imports application code.
//
// The statistics count returns by departure date (the UTC calendar day of a used ticket) and
// surveys by their date: an index behind each period filter, so a year of returns is read by
// range instead of scanning every ticket.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index tickets_departed_on_idx on tickets (((departed_at at time zone 'UTC')::date), member_id, case_id) where status = 'used'`.execute(db)
  await sql`create index satisfaction_surveys_surveyed_idx on satisfaction_surveys (surveyed_on, case_id)`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index satisfaction_surveys_surveyed_idx`.execute(db)
  await sql`drop index tickets_departed_on_idx`.execute(db)
}
