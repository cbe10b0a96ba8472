import { sql, type Kysely } from 'kysely'

// Frozen in time: this migration never imports application code.
//
// The statistics read model (ADR 0059): one row per returned traveller (a used ticket) with what
// the return figures count, kept current by the statistics module in the transaction of every
// write. The migration creates the table empty and marks it stale; the server (on start) and the
// seed rebuild it from the owners' facts while it is marked stale, since only the application
// knows the facts' SQL.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table statistics_returnees (
      member_id uuid not null,
      case_id uuid not null,
      office_id uuid not null,
      partner_office_id uuid,
      project_id uuid,
      country_of_return text not null,
      legal_status text not null,
      sex text not null,
      departed_on date not null,
      arrived_on date,
      age int,
      travellers int not null,
      codes text[] not null,
      open_codes text[] not null,
      planned boolean not null,
      reached boolean not null
    )`.execute(db)
  await sql`create index statistics_returnees_case_idx on statistics_returnees (case_id)`.execute(db)
  await sql`create index statistics_returnees_project_idx on statistics_returnees (project_id, departed_on)`.execute(db)
  await sql`create index statistics_returnees_departed_idx on statistics_returnees (departed_on)`.execute(db)
  await sql`create index statistics_returnees_office_idx on statistics_returnees (office_id, departed_on)`.execute(db)
  await sql`create index statistics_returnees_partner_idx on statistics_returnees (partner_office_id, departed_on) where partner_office_id is not null`.execute(db)
  await sql`
    create table statistics_read_models (
      name text primary key,
      built_at timestamptz
    )`.execute(db)
  await sql`insert into statistics_read_models (name, built_at) values ('returnees', null)`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table statistics_read_models`.execute(db)
  await sql`drop table statistics_returnees`.execute(db)
}
