import { sql, type Kysely } from 'kysely'

// Frozen in time: this migration never imports application code.
//
// A return case records the date it was applied for (`applied_on`, the year of its reference,
// which may lie in the past when an office enters an old file) and, once closed, why it closed
// (`closure_reason`), so figures never have to reconstruct either from the status history.
// Existing cases take their creation date; existing closed cases take the reason their status
// before closure implies, read from the history (rows closed without such a row: `other`).

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table return_cases add column applied_on date`.execute(db)
  await sql`update return_cases set applied_on = (created_at at time zone 'UTC')::date`.execute(db)
  await sql`alter table return_cases alter column applied_on set not null`.execute(db)
  await sql`alter table return_cases alter column applied_on set default current_date`.execute(db)
  await sql`alter table return_cases add constraint return_cases_applied_on_range check (applied_on >= date '2000-01-01')`.execute(db)

  await sql`alter table return_cases add column closure_reason text
    check (closure_reason in ('returned', 'no_show', 'withdrawn', 'rejected', 'other'))`.execute(db)
  await sql`
    update return_cases c set closure_reason = case h.from_status
        when 'arrived' then 'returned'
        when 'in_reintegration' then 'returned'
        when 'no_show' then 'no_show'
        when 'withdrawn' then 'withdrawn'
        when 'rejected' then 'rejected'
        else 'other' end
    from (
      select distinct on (case_id) case_id, from_status
      from case_status_history where to_status = 'closed'
      order by case_id, id desc
    ) h
    where h.case_id = c.id and c.status = 'closed'`.execute(db)
  await sql`update return_cases set closure_reason = 'other' where status = 'closed' and closure_reason is null`.execute(db)
  await sql`alter table return_cases add constraint return_cases_closure_reason_when_closed
    check ((status = 'closed') = (closure_reason is not null))`.execute(db)
  // The statistics read cases by the date they were applied for and by how they closed.
  await sql`create index return_cases_applied_idx on return_cases (applied_on, id)`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index return_cases_applied_idx`.execute(db)
  await sql`alter table return_cases drop constraint return_cases_closure_reason_when_closed`.execute(db)
  await sql`alter table return_cases drop column closure_reason`.execute(db)
  await sql`alter table return_cases drop constraint return_cases_applied_on_range`.execute(db)
  await sql`alter table return_cases drop column applied_on`.execute(db)
}
