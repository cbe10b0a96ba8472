import { sql, type Kysely } from 'kysely'

// Frozen in time: this migration never imports application code.
// A returnee must contact the partner office within the project's contact period after arrival
// (one calendar month unless the project says otherwise), or the reintegration assistance lapses.
// The deadline of each arrived case, its first contact or its lapse, and the markers of the
// reminder events (each set once, by the statement that writes the event).

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('projects')
    .addColumn('contact_period_months', 'integer', (col) => col.notNull().defaultTo(1).check(sql`contact_period_months between 0 and 24`))
    .addColumn('contact_period_days', 'integer', (col) => col.notNull().defaultTo(0).check(sql`contact_period_days between 0 and 366`))
    .execute()
  await sql`alter table projects add constraint projects_contact_period_positive check (contact_period_months > 0 or contact_period_days > 0)`.execute(db)

  await db.schema
    .createTable('reintegration_contact_deadlines')
    .addColumn('case_id', 'uuid', (col) => col.primaryKey().references('return_cases.id'))
    .addColumn('project_id', 'uuid', (col) => col.notNull().references('projects.id'))
    .addColumn('arrived_on', 'date', (col) => col.notNull())
    .addColumn('contact_period_months', 'integer', (col) => col.notNull())
    .addColumn('contact_period_days', 'integer', (col) => col.notNull())
    .addColumn('due_on', 'date', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull().check(sql`status in ('awaiting_contact', 'contacted', 'lapsed')`))
    .addColumn('contacted_on', 'date')
    .addColumn('contact_channel', 'text', (col) => col.check(sql`contact_channel in ('in_person', 'phone', 'email', 'online', 'other')`))
    .addColumn('contact_recorded_by', 'text')
    .addColumn('contact_recorded_at', 'timestamptz')
    .addColumn('lapsed_by', 'text')
    .addColumn('lapsed_at', 'timestamptz')
    .addColumn('lapse_reason', 'text')
    .addColumn('due_soon_notified_at', 'timestamptz')
    .addColumn('overdue_notified_at', 'timestamptz')
    .addColumn('version', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('reintegration_contact_deadlines_due_after_arrival', sql`due_on > arrived_on`)
    .addCheckConstraint('reintegration_contact_deadlines_contact_not_before_arrival', sql`contacted_on is null or contacted_on >= arrived_on`)
    .execute()
  // The work queue and the reminder job read the deadlines still awaiting contact, by due date.
  await sql`create index reintegration_contact_deadlines_awaiting_idx on reintegration_contact_deadlines (due_on, case_id) where status = 'awaiting_contact'`.execute(db)

  // Cases that arrived before deadlines were tracked: the deadline runs from the day they arrived
  // (their last move to `arrived`). Those already in reintegration had their contact; its day
  // and channel were not recorded.
  await sql`
    insert into reintegration_contact_deadlines
      (case_id, project_id, arrived_on, contact_period_months, contact_period_days, due_on, status, contact_recorded_by, contact_recorded_at)
    select c.id, c.project_id, arrival.arrived_on, 1, 0, (arrival.arrived_on + interval '1 month')::date,
           case when c.status = 'in_reintegration' then 'contacted' else 'awaiting_contact' end,
           case when c.status = 'in_reintegration' then 'system:before-contact-tracking' end,
           case when c.status = 'in_reintegration' then now() end
      from return_cases c
      cross join lateral (
        select coalesce(
          (select (h.occurred_at at time zone 'UTC')::date from case_status_history h where h.case_id = c.id and h.to_status = 'arrived' order by h.id desc limit 1),
          (c.updated_at at time zone 'UTC')::date
        ) as arrived_on
      ) arrival
     where c.status in ('arrived', 'in_reintegration') and c.project_id is not null`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('reintegration_contact_deadlines').execute()
  await sql`alter table projects drop constraint projects_contact_period_positive`.execute(db)
  await db.schema.alterTable('projects').dropColumn('contact_period_months').dropColumn('contact_period_days').execute()
}
