import { sql, type Kysely } from 'kysely'

// Frozen in time: this migration never imports application code.
//
// Payment requests (maker-checker) for every cost charged to a budget line, and the cash grants
// on arrival that are paid through them. The CHECKs repeat the service's rules in the database,
// as a last guard: nobody approves what they requested or approves twice, nothing is paid above
// what was approved, a local payment records its whole conversion, and a cost has at most one
// live payment request.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('payment_requests')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('kind', 'text', (col) => col.notNull().check(sql`kind in ('ticket', 'excess_baggage', 'cash_grant', 'disbursement')`))
    .addColumn('status', 'text', (col) =>
      col.notNull().check(sql`status in ('requested', 'awaiting_second_approval', 'approved', 'paid', 'rejected', 'cancelled')`),
    )
    .addColumn('project_id', 'uuid', (col) => col.notNull().references('projects.id'))
    .addColumn('budget_line_id', 'uuid', (col) => col.notNull().references('budget_lines.id'))
    .addColumn('case_id', 'uuid', (col) => col.references('return_cases.id'))
    .addColumn('source_type', 'text', (col) =>
      col.notNull().check(sql`source_type in ('ticket', 'excess_baggage', 'cash_grant', 'disbursement', 'reintegration_plan', 'other')`),
    )
    .addColumn('source_id', 'uuid', (col) => col.notNull())
    .addColumn('commit_on_approval', 'boolean', (col) => col.notNull())
    .addColumn('commitment_source_type', 'text', (col) =>
      col.notNull().check(sql`commitment_source_type in ('ticket', 'excess_baggage', 'cash_grant', 'disbursement', 'reintegration_plan', 'other')`),
    )
    .addColumn('commitment_source_id', 'uuid', (col) => col.notNull())
    .addColumn('amount_minor', 'bigint', (col) => col.notNull().check(sql`amount_minor > 0`))
    .addColumn('currency', 'char(3)', (col) => col.notNull().check(sql`currency ~ '^[A-Z]{3}$'`))
    .addColumn('payee_type', 'text', (col) => col.notNull().check(sql`payee_type in ('supplier', 'carrier', 'returnee', 'other')`))
    .addColumn('payee_id', 'text')
    .addColumn('payee_name', 'text', (col) => col.notNull())
    .addColumn('description', 'text', (col) => col.notNull())
    .addColumn('requested_by', 'text', (col) => col.notNull())
    .addColumn('requested_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('second_approval_required', 'boolean')
    .addColumn('first_approved_by', 'text')
    .addColumn('first_approved_at', 'timestamptz')
    .addColumn('second_approved_by', 'text')
    .addColumn('second_approved_at', 'timestamptz')
    .addColumn('committed_minor', 'bigint', (col) => col.notNull().defaultTo(0))
    .addColumn('rejected_by', 'text')
    .addColumn('rejected_at', 'timestamptz')
    .addColumn('rejection_reason', 'text')
    .addColumn('cancelled_by', 'text')
    .addColumn('cancelled_at', 'timestamptz')
    .addColumn('cancellation_reason', 'text')
    .addColumn('released_minor', 'bigint', (col) => col.notNull().defaultTo(0))
    .addColumn('paid_by', 'text')
    .addColumn('paid_recorded_at', 'timestamptz')
    .addColumn('paid_on', 'date')
    .addColumn('payment_reference', 'text')
    .addColumn('paid_amount_minor', 'bigint')
    .addColumn('local_amount_minor', 'bigint', (col) => col.check(sql`local_amount_minor > 0`))
    .addColumn('local_currency', 'char(3)', (col) => col.check(sql`local_currency ~ '^[A-Z]{3}$'`))
    .addColumn('exchange_rate', 'text', (col) => col.check(sql`exchange_rate ~ '^(0|[1-9][0-9]{0,11})(\\.[0-9]{1,18})?$'`))
    .addColumn('rate_date', 'date')
    .addColumn('rate_source', 'text')
    .addColumn('version', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addCheckConstraint(
      'payment_requests_maker_checker',
      sql`(first_approved_by is null or first_approved_by <> requested_by)
        and (second_approved_by is null or (second_approved_by <> requested_by and second_approved_by <> first_approved_by))`,
    )
    .addCheckConstraint('payment_requests_committed_within_amount', sql`committed_minor between 0 and amount_minor and released_minor between 0 and committed_minor`)
    .addCheckConstraint(
      'payment_requests_paid_complete',
      sql`(status = 'paid') = (paid_amount_minor is not null)
        and (paid_amount_minor is null or (paid_amount_minor > 0 and paid_amount_minor <= amount_minor
          and paid_by is not null and paid_on is not null and payment_reference is not null and paid_recorded_at is not null))`,
    )
    .addCheckConstraint(
      'payment_requests_local_complete',
      sql`(local_amount_minor is null and local_currency is null and exchange_rate is null and rate_date is null and rate_source is null)
        or (paid_amount_minor is not null and local_amount_minor is not null and local_currency is not null and local_currency <> currency
          and exchange_rate is not null and rate_date is not null and rate_source is not null)`,
    )
    .addCheckConstraint(
      'payment_requests_decisions_complete',
      sql`(status <> 'rejected' or (rejected_by is not null and rejection_reason is not null))
        and (status <> 'cancelled' or (cancelled_by is not null and cancellation_reason is not null))
        and (status not in ('approved', 'paid') or first_approved_by is not null)
        and (status not in ('approved', 'paid') or not second_approval_required or second_approved_by is not null)`,
    )
    .execute()
  await db.schema.createIndex('payment_requests_status_idx').on('payment_requests').columns(['status', 'id']).execute()
  await db.schema.createIndex('payment_requests_kind_idx').on('payment_requests').columns(['kind', 'id']).execute()
  await db.schema.createIndex('payment_requests_project_idx').on('payment_requests').columns(['project_id', 'id']).execute()
  await db.schema.createIndex('payment_requests_budget_line_idx').on('payment_requests').columns(['budget_line_id', 'id']).execute()
  await sql`create index payment_requests_case_idx on payment_requests (case_id, id) where case_id is not null`.execute(db)
  // One cost, one live payment: a ticket, a baggage charge, a grant or a disbursement is never
  // requested (and so never paid) twice; after a rejection or cancellation it may be requested again.
  await sql`
    create unique index payment_requests_live_source_idx on payment_requests (source_type, source_id)
    where status not in ('rejected', 'cancelled')`.execute(db)

  await db.schema
    .createTable('cash_grants')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('case_id', 'uuid', (col) => col.notNull().references('return_cases.id'))
    .addColumn('project_id', 'uuid', (col) => col.notNull().references('projects.id'))
    .addColumn('payment_request_id', 'uuid', (col) => col.notNull().unique().references('payment_requests.id'))
    .addColumn('scope', 'text', (col) => col.notNull().check(sql`scope in ('household', 'returnee')`))
    .addColumn('member_id', 'uuid', (col) => col.references('case_members.id'))
    .addColumn('basis', 'text', (col) => col.notNull().check(sql`basis in ('rule', 'manual')`))
    .addColumn('rule_kind', 'text', (col) => col.check(sql`rule_kind in ('per_person', 'per_household')`))
    .addColumn('reference_on', 'date')
    .addColumn('adults', 'integer', (col) => col.check(sql`adults >= 0`))
    .addColumn('children', 'integer', (col) => col.check(sql`children >= 0`))
    .addColumn('amount_minor', 'bigint', (col) => col.notNull().check(sql`amount_minor > 0`))
    .addColumn('currency', 'char(3)', (col) => col.notNull().check(sql`currency ~ '^[A-Z]{3}$'`))
    .addColumn('justification', 'text')
    .addColumn('status', 'text', (col) => col.notNull().check(sql`status in ('requested', 'approved', 'paid', 'rejected', 'cancelled')`))
    .addColumn('requested_by', 'text', (col) => col.notNull())
    .addColumn('version', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('cash_grants_member_matches_scope', sql`(scope = 'returnee') = (member_id is not null)`)
    .addCheckConstraint(
      'cash_grants_basis_complete',
      sql`(basis = 'manual' and justification is not null and rule_kind is null)
        or (basis = 'rule' and rule_kind is not null and reference_on is not null and adults is not null and children is not null)`,
    )
    .execute()
  await db.schema.createIndex('cash_grants_case_idx').on('cash_grants').columns(['case_id', 'id']).execute()
  // A household, or one returnee of it, has at most one live grant.
  await sql`
    create unique index cash_grants_live_recipient_idx on cash_grants (case_id, coalesce(member_id, '00000000-0000-0000-0000-000000000000'::uuid))
    where status in ('requested', 'approved', 'paid')`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('cash_grants').execute()
  await db.schema.dropTable('payment_requests').execute()
}
