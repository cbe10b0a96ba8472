import { sql, type Kysely } from 'kysely'

// Frozen in time: this migration never imports application code.
//
// Projects, their co-funders and budget lines, and the append-only ledger of commitments,
// releases and spends charged to the lines. A line's committed and spent columns are a cache
// of its ledger, changed in the same statement that appends the entry; the CHECK on the line
// is the last guard that it can never be overspent, whatever the application does.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('projects')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('code', 'text', (col) => col.notNull().unique().check(sql`code ~ '^[A-Z0-9][A-Z0-9-]{1,31}$'`))
    .addColumn('title', 'text', (col) => col.notNull())
    .addColumn('starts_on', 'date', (col) => col.notNull())
    .addColumn('ends_on', 'date', (col) => col.notNull())
    .addColumn('currency', 'char(3)', (col) => col.notNull().check(sql`currency ~ '^[A-Z]{3}$'`))
    .addColumn('total_minor', 'bigint', (col) => col.notNull().check(sql`total_minor >= 0`))
    .addColumn('status', 'text', (col) => col.notNull().defaultTo('planned').check(sql`status in ('planned', 'active', 'closed')`))
    .addColumn('second_approval_threshold_minor', 'bigint', (col) => col.check(sql`second_approval_threshold_minor >= 0`))
    .addColumn('cash_grant_rule_kind', 'text', (col) => col.check(sql`cash_grant_rule_kind in ('per_person', 'per_household')`))
    .addColumn('cash_grant_adult_minor', 'bigint', (col) => col.check(sql`cash_grant_adult_minor >= 0`))
    .addColumn('cash_grant_child_minor', 'bigint', (col) => col.check(sql`cash_grant_child_minor >= 0`))
    .addColumn('cash_grant_flat_minor', 'bigint', (col) => col.check(sql`cash_grant_flat_minor >= 0`))
    .addColumn('target_persons', 'integer', (col) => col.check(sql`target_persons >= 0`))
    .addColumn('target_individuals', 'integer', (col) => col.check(sql`target_individuals >= 0`))
    .addColumn('target_families', 'integer', (col) => col.check(sql`target_families >= 0`))
    .addColumn('version', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('projects_period_check', sql`ends_on >= starts_on`)
    .addCheckConstraint(
      'projects_cash_grant_rule_check',
      sql`(cash_grant_rule_kind is null and cash_grant_adult_minor is null and cash_grant_child_minor is null and cash_grant_flat_minor is null)
        or (cash_grant_rule_kind = 'per_person' and cash_grant_adult_minor is not null and cash_grant_child_minor is not null and cash_grant_flat_minor is null)
        or (cash_grant_rule_kind = 'per_household' and cash_grant_flat_minor is not null and cash_grant_adult_minor is null and cash_grant_child_minor is null)`,
    )
    .execute()
  await db.schema.createIndex('projects_status_idx').on('projects').columns(['status', 'id']).execute()

  await db.schema
    .createTable('project_co_funders')
    .addColumn('project_id', 'uuid', (col) => col.notNull().references('projects.id'))
    .addColumn('position', 'integer', (col) => col.notNull().check(sql`position >= 0`))
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('share_bp', 'integer', (col) => col.notNull().check(sql`share_bp between 1 and 10000`))
    .addPrimaryKeyConstraint('project_co_funders_pk', ['project_id', 'position'])
    .addUniqueConstraint('project_co_funders_name_unique', ['project_id', 'name'])
    .execute()
  // Shares are checked when the transaction commits, so a project's co-funders can be replaced
  // row by row inside one transaction but never be left summing to anything but 100 %.
  await sql`
    create function project_co_funders_sum_check() returns trigger language plpgsql as $$
    declare
      checked_project uuid := coalesce(new.project_id, old.project_id);
      total integer;
    begin
      select coalesce(sum(share_bp), 0) into total from project_co_funders where project_id = checked_project;
      if total <> 10000 then
        raise exception 'co-funder shares of project % sum to % basis points, not 10000', checked_project, total
          using errcode = 'check_violation';
      end if;
      return null;
    end
    $$`.execute(db)
  await sql`
    create constraint trigger project_co_funders_sum after insert or update or delete on project_co_funders
    deferrable initially deferred for each row execute function project_co_funders_sum_check()`.execute(db)

  await db.schema
    .createTable('budget_lines')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('project_id', 'uuid', (col) => col.notNull().references('projects.id'))
    .addColumn('category', 'text', (col) =>
      col.notNull().check(sql`category in ('travel', 'excess_baggage', 'cash_grant', 'in_kind_reintegration', 'other')`),
    )
    .addColumn('name', 'text', (col) => col.notNull())
    // The project's currency, copied so the hot commit statement checks it without a join.
    .addColumn('currency', 'char(3)', (col) => col.notNull())
    // Whether the project is active, kept by the project's activate and close in the same
    // transaction: the one conditional UPDATE that commits funds checks it on the row it locks.
    .addColumn('accepts_commitments', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('allocated_minor', 'bigint', (col) => col.notNull().check(sql`allocated_minor >= 0`))
    .addColumn('committed_minor', 'bigint', (col) => col.notNull().defaultTo(0).check(sql`committed_minor >= 0`))
    .addColumn('spent_minor', 'bigint', (col) => col.notNull().defaultTo(0).check(sql`spent_minor >= 0`))
    .addColumn('version', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('budget_lines_name_unique', ['project_id', 'name'])
    .addCheckConstraint('budget_lines_never_overspent', sql`committed_minor + spent_minor <= allocated_minor`)
    .execute()
  await db.schema.createIndex('budget_lines_project_category_idx').on('budget_lines').columns(['project_id', 'category', 'id']).execute()

  await db.schema
    .createTable('ledger_entries')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('budget_line_id', 'uuid', (col) => col.notNull().references('budget_lines.id'))
    .addColumn('kind', 'text', (col) => col.notNull().check(sql`kind in ('commit', 'release', 'spend')`))
    .addColumn('amount_minor', 'bigint', (col) => col.notNull().check(sql`amount_minor > 0`))
    .addColumn('currency', 'char(3)', (col) => col.notNull())
    .addColumn('source_type', 'text', (col) =>
      col.notNull().check(sql`source_type in ('ticket', 'excess_baggage', 'cash_grant', 'disbursement', 'reintegration_plan', 'other')`),
    )
    .addColumn('source_id', 'uuid', (col) => col.notNull())
    .addColumn('case_id', 'uuid')
    // No foreign key: payment requests are a later module's table.
    .addColumn('payment_request_id', 'uuid')
    .addColumn('actor_sub', 'text', (col) => col.notNull())
    .addColumn('request_id', 'text')
    .addColumn('note', 'text')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema.createIndex('ledger_entries_line_idx').on('ledger_entries').columns(['budget_line_id', 'id']).execute()
  await db.schema.createIndex('ledger_entries_source_idx').on('ledger_entries').columns(['budget_line_id', 'source_type', 'source_id']).execute()
  await sql`create index ledger_entries_case_idx on ledger_entries (case_id) where case_id is not null`.execute(db)
  await sql`create index ledger_entries_payment_request_idx on ledger_entries (payment_request_id) where payment_request_id is not null`.execute(db)
  // The ledger is the book of record: corrections are new entries, never edits.
  await sql`
    create function ledger_entries_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'ledger_entries is append-only: % is not allowed', tg_op using errcode = 'insufficient_privilege';
    end
    $$`.execute(db)
  await sql`
    create trigger ledger_entries_no_update_delete before update or delete on ledger_entries
    for each row execute function ledger_entries_append_only()`.execute(db)
  await sql`
    create trigger ledger_entries_no_truncate before truncate on ledger_entries
    for each statement execute function ledger_entries_append_only()`.execute(db)

  // Return cases were created before projects existed; their project reference gets its key now.
  await sql`alter table return_cases add constraint return_cases_project_fk foreign key (project_id) references projects (id)`.execute(db)
  await sql`alter table ledger_entries add constraint ledger_entries_case_fk foreign key (case_id) references return_cases (id)`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table return_cases drop constraint return_cases_project_fk`.execute(db)
  await db.schema.dropTable('ledger_entries').execute()
  await sql`drop function ledger_entries_append_only()`.execute(db)
  await db.schema.dropTable('budget_lines').execute()
  await db.schema.dropTable('project_co_funders').execute()
  await sql`drop function project_co_funders_sum_check()`.execute(db)
  await db.schema.dropTable('projects').execute()
}
