import { sql, type Kysely } from 'kysely'

// Frozen in time: this migration never imports application code.
//
// In-kind reintegration: the dated list of crisis-affected countries, the versioned selection
// weights, request forms with their assessments and decisions, reintegration plans, suppliers,
// disbursements to suppliers (each paid through a payment request), monitoring visits,
// satisfaction surveys, and sustainability assessments scored with a versioned instrument.
// Versioned configurations (selection weights, sustainability instruments) are append-only: a
// ranking or a score computed with a version can always be recomputed and explained.

function inList(values: readonly string[]) {
  return sql.join(values.map((value) => sql.lit(value)))
}

const FORMS_OF_HELP = ['small_business', 'employment_assistance', 'vocational_training', 'other']
const OTHER_KINDS = ['relocation', 'accommodation', 'continuing_education', 'childrens_schooling', 'medical_support', 'vulnerable_person_support']
const REQUEST_STATUSES = ['submitted', 'assessed', 'waitlisted', 'approved', 'rejected', 'withdrawn']
const PLAN_STATUSES = ['active', 'completed', 'abandoned']
const DISBURSEMENT_STATUSES = ['requested', 'approved', 'paid', 'rejected', 'cancelled']
const VISIT_MODES = ['in_person', 'phone', 'video']

/** The selection weights in force from the start: feasibility first, then urgency, then motivation. */
const DEFAULT_SCORING_CONFIGURATION = {
  version: 'selection-2026-01',
  valid_from: '2000-01-01',
  feasibility_weight: 40,
  urgency_weight: 35,
  motivation_weight: 25,
  description:
    'Initial weights: feasibility 40 %, urgency 35 %, motivation 25 %, following the order of the programme\'s selection criteria ' +
    '(feasibility of the plan, urgent need, motivation).',
}

const AGREEMENT_5 = [
  { value: 1, label: 'strongly disagree' },
  { value: 2, label: 'disagree' },
  { value: 3, label: 'neither agree nor disagree' },
  { value: 4, label: 'agree' },
  { value: 5, label: 'strongly agree' },
]
const YES_NO = [
  { value: 0, label: 'no' },
  { value: 1, label: 'yes' },
]

/** The first sustainability instrument: three dimensions, each scored 0-100 from its indicators. */
const DEFAULT_SUSTAINABILITY_INSTRUMENT = {
  version: 'sustainability-2026-01',
  valid_from: '2000-01-01',
  description:
    'Reintegration sustainability across the economic, social and psychosocial dimensions; every answer is scaled to 0-1 ' +
    '(lowest to highest option), an indicator counts by its weight within its dimension, and the composite weighs the ' +
    'dimensions 40/30/30.',
  definition: {
    answer_scales: [
      { code: 'agreement_5', options: AGREEMENT_5 },
      { code: 'yes_no', options: YES_NO },
    ],
    dimensions: [
      {
        dimension: 'economic',
        weight: 40,
        indicators: [
          { code: 'income_covers_needs', question: 'My household\'s income covers our basic needs.', scale: 'agreement_5', weight: 2 },
          { code: 'income_generating_activity', question: 'Do you have a running business or a job?', scale: 'yes_no', weight: 2 },
          { code: 'debt_manageable', question: 'Our debts are manageable.', scale: 'agreement_5', weight: 1 },
          { code: 'access_to_credit', question: 'Could you borrow money if you needed to?', scale: 'yes_no', weight: 1 },
        ],
      },
      {
        dimension: 'social',
        weight: 30,
        indicators: [
          { code: 'adequate_housing', question: 'My housing is adequate for my household.', scale: 'agreement_5', weight: 1 },
          { code: 'access_to_services', question: 'I can use health care and, for children, school when needed.', scale: 'agreement_5', weight: 1 },
          { code: 'identity_documents', question: 'Do all household members hold identity documents?', scale: 'yes_no', weight: 1 },
        ],
      },
      {
        dimension: 'psychosocial',
        weight: 30,
        indicators: [
          { code: 'feels_safe', question: 'I feel physically safe where I live.', scale: 'agreement_5', weight: 1 },
          { code: 'part_of_community', question: 'I feel part of my community.', scale: 'agreement_5', weight: 1 },
          { code: 'plans_to_stay', question: 'I plan to stay and build my life in this country.', scale: 'agreement_5', weight: 1 },
        ],
      },
    ],
  },
}

async function appendOnly(db: Kysely<unknown>, table: string): Promise<void> {
  await sql`
    create trigger ${sql.raw(`${table}_append_only`)} before update or delete on ${sql.table(table)}
    for each row execute function reintegration_configuration_append_only()`.execute(db)
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create function reintegration_configuration_append_only() returns trigger language plpgsql as $$
    begin
      raise exception '% is versioned configuration: add a new version instead (% is not allowed)', tg_table_name, tg_op
        using errcode = 'insufficient_privilege';
    end
    $$`.execute(db)

  // ------------------------------------------------------------ crisis-affected countries
  await db.schema
    .createTable('crisis_countries')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('country', 'char(2)', (col) => col.notNull().check(sql`country ~ '^[A-Z]{2}$'`))
    .addColumn('kind', 'text', (col) => col.notNull().check(sql`kind in ('war', 'conflict', 'disaster')`))
    .addColumn('valid_from', 'date', (col) => col.notNull())
    .addColumn('valid_to', 'date')
    .addColumn('source', 'text', (col) => col.notNull())
    .addColumn('notes', 'text')
    .addColumn('created_by', 'text', (col) => col.notNull())
    .addColumn('version', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('crisis_countries_period', sql`valid_to is null or valid_to >= valid_from`)
    .execute()
  await db.schema.createIndex('crisis_countries_country_idx').on('crisis_countries').columns(['country', 'valid_from']).execute()

  // ------------------------------------------------------------ selection weights (versioned)
  await db.schema
    .createTable('reintegration_scoring_configurations')
    .addColumn('version', 'text', (col) => col.primaryKey().check(sql`version ~ '^[a-z0-9][a-z0-9._-]{1,63}$'`))
    .addColumn('valid_from', 'date', (col) => col.notNull().unique())
    .addColumn('feasibility_weight', 'integer', (col) => col.notNull().check(sql`feasibility_weight between 0 and 100`))
    .addColumn('urgency_weight', 'integer', (col) => col.notNull().check(sql`urgency_weight between 0 and 100`))
    .addColumn('motivation_weight', 'integer', (col) => col.notNull().check(sql`motivation_weight between 0 and 100`))
    .addColumn('description', 'text', (col) => col.notNull())
    .addColumn('created_by', 'text', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('reintegration_scoring_weights_sum', sql`feasibility_weight + urgency_weight + motivation_weight = 100`)
    .execute()
  await appendOnly(db, 'reintegration_scoring_configurations')
  await db
    .insertInto('reintegration_scoring_configurations' as never)
    .values({ ...DEFAULT_SCORING_CONFIGURATION, created_by: 'migration' } as never)
    .execute()

  // ------------------------------------------------------------ request forms
  await db.schema
    .createTable('reintegration_requests')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('case_id', 'uuid', (col) => col.notNull().references('return_cases.id'))
    .addColumn('scope', 'text', (col) => col.notNull().check(sql`scope in ('household', 'returnee')`))
    .addColumn('member_id', 'uuid', (col) => col.references('case_members.id'))
    .addColumn('filled_on', 'date', (col) => col.notNull())
    .addColumn('planned_activity', 'text', (col) => col.notNull())
    .addColumn('form_of_help', 'text', (col) => col.notNull().check(sql`form_of_help in (${inList(FORMS_OF_HELP)})`))
    .addColumn('other_kind', 'text', (col) => col.check(sql`other_kind in (${inList(OTHER_KINDS)})`))
    .addColumn('skills_and_experience', 'text', (col) => col.notNull())
    .addColumn('motivation_statement', 'text', (col) => col.notNull())
    .addColumn('items', 'jsonb', (col) => col.notNull())
    .addColumn('amount_requested_minor', 'bigint', (col) => col.notNull().check(sql`amount_requested_minor > 0`))
    .addColumn('currency', 'char(3)', (col) => col.notNull().check(sql`currency ~ '^[A-Z]{3}$'`))
    .addColumn('status', 'text', (col) => col.notNull().check(sql`status in (${inList(REQUEST_STATUSES)})`))
    .addColumn('current_assessment_id', 'uuid')
    .addColumn('withdrawn_by', 'text')
    .addColumn('withdrawn_at', 'timestamptz')
    .addColumn('withdrawal_reason', 'text')
    .addColumn('created_by', 'text', (col) => col.notNull())
    .addColumn('version', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('reintegration_requests_member_matches_scope', sql`(scope = 'returnee') = (member_id is not null)`)
    .addCheckConstraint('reintegration_requests_other_kind', sql`(form_of_help = 'other') = (other_kind is not null)`)
    .addCheckConstraint(
      'reintegration_requests_assessed',
      sql`status in ('submitted', 'withdrawn', 'rejected') or current_assessment_id is not null`,
    )
    .addCheckConstraint(
      'reintegration_requests_withdrawal_complete',
      sql`(status = 'withdrawn') = (withdrawn_by is not null and withdrawn_at is not null and withdrawal_reason is not null)`,
    )
    .execute()
  await db.schema.createIndex('reintegration_requests_case_idx').on('reintegration_requests').columns(['case_id', 'id']).execute()
  await db.schema.createIndex('reintegration_requests_status_idx').on('reintegration_requests').columns(['status', 'id']).execute()
  // A household, or one returnee of it, has at most one live request (and so at most one plan).
  await sql`
    create unique index reintegration_requests_live_recipient_idx
    on reintegration_requests (case_id, coalesce(member_id, '00000000-0000-0000-0000-000000000000'::uuid))
    where status not in ('rejected', 'withdrawn')`.execute(db)

  await db.schema
    .createTable('reintegration_assessments')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('request_id', 'uuid', (col) => col.notNull().references('reintegration_requests.id'))
    .addColumn('assessed_on', 'date', (col) => col.notNull())
    .addColumn('assessed_by', 'text', (col) => col.notNull())
    .addColumn('feasibility_score', 'integer', (col) => col.notNull().check(sql`feasibility_score between 0 and 5`))
    .addColumn('feasibility_justification', 'text', (col) => col.notNull())
    .addColumn('motivation_score', 'integer', (col) => col.notNull().check(sql`motivation_score between 0 and 5`))
    .addColumn('motivation_justification', 'text', (col) => col.notNull())
    .addColumn('urgency_score', 'integer', (col) => col.notNull().check(sql`urgency_score between 0 and 5`))
    .addColumn('urgency_crisis_points', 'integer', (col) => col.notNull().check(sql`urgency_crisis_points between 0 and 5`))
    .addColumn('urgency_vulnerability_points', 'integer', (col) => col.notNull().check(sql`urgency_vulnerability_points between 0 and 5`))
    .addColumn('urgency_basis', 'jsonb', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('reintegration_assessments_urgency_sum', sql`urgency_score = urgency_crisis_points + urgency_vulnerability_points`)
    .execute()
  await db.schema.createIndex('reintegration_assessments_request_idx').on('reintegration_assessments').columns(['request_id', 'id']).execute()
  await db.schema
    .alterTable('reintegration_requests')
    .addForeignKeyConstraint('reintegration_requests_current_assessment_fk', ['current_assessment_id'], 'reintegration_assessments', ['id'])
    .execute()

  // ------------------------------------------------------------ plans
  await db.schema
    .createTable('reintegration_plans')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('request_id', 'uuid', (col) => col.notNull().unique().references('reintegration_requests.id'))
    .addColumn('case_id', 'uuid', (col) => col.notNull().references('return_cases.id'))
    .addColumn('project_id', 'uuid', (col) => col.notNull().references('projects.id'))
    .addColumn('budget_line_id', 'uuid', (col) => col.notNull().references('budget_lines.id'))
    .addColumn('budget_minor', 'bigint', (col) => col.notNull().check(sql`budget_minor > 0`))
    .addColumn('currency', 'char(3)', (col) => col.notNull().check(sql`currency ~ '^[A-Z]{3}$'`))
    .addColumn('items', 'jsonb', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull().check(sql`status in (${inList(PLAN_STATUSES)})`))
    .addColumn('approved_by', 'text', (col) => col.notNull())
    .addColumn('approved_at', 'timestamptz', (col) => col.notNull())
    .addColumn('closed_by', 'text')
    .addColumn('closed_at', 'timestamptz')
    .addColumn('closure_reason', 'text')
    .addColumn('released_minor', 'bigint', (col) => col.notNull().defaultTo(0).check(sql`released_minor >= 0`))
    .addColumn('version', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('reintegration_plans_released_within_budget', sql`released_minor <= budget_minor`)
    .addCheckConstraint(
      'reintegration_plans_closure_complete',
      sql`(status = 'active') = (closed_by is null and closed_at is null) and (status <> 'abandoned' or closure_reason is not null)`,
    )
    .execute()
  await db.schema.createIndex('reintegration_plans_case_idx').on('reintegration_plans').columns(['case_id', 'id']).execute()

  await db.schema
    .createTable('reintegration_decisions')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('request_id', 'uuid', (col) => col.notNull().references('reintegration_requests.id'))
    .addColumn('outcome', 'text', (col) => col.notNull().check(sql`outcome in ('approved', 'rejected', 'waitlisted')`))
    .addColumn('decided_by', 'text', (col) => col.notNull())
    .addColumn('decided_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('reason', 'text')
    .addColumn('budget_minor', 'bigint', (col) => col.check(sql`budget_minor > 0`))
    .addColumn('available_minor', 'bigint')
    .addColumn('plan_id', 'uuid', (col) => col.references('reintegration_plans.id'))
    .addColumn('assessment_id', 'uuid', (col) => col.references('reintegration_assessments.id'))
    .addCheckConstraint(
      'reintegration_decisions_complete',
      sql`(outcome <> 'approved' or (budget_minor is not null and plan_id is not null))
        and (outcome <> 'rejected' or reason is not null)
        and (outcome <> 'waitlisted' or (budget_minor is not null and available_minor is not null))`,
    )
    .execute()
  await db.schema.createIndex('reintegration_decisions_request_idx').on('reintegration_decisions').columns(['request_id', 'id']).execute()

  // ------------------------------------------------------------ suppliers
  await db.schema
    .createTable('suppliers')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('office_id', 'uuid', (col) => col.notNull().references('offices.id'))
    .addColumn('country', 'char(2)', (col) => col.notNull().check(sql`country ~ '^[A-Z]{2}$'`))
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('registration_number', 'text', (col) => col.notNull())
    // The registration number as compared for uniqueness: upper case, without spaces, dots and dashes.
    .addColumn('registration_key', 'text', (col) => col.notNull())
    .addColumn('address', 'text', (col) => col.notNull())
    .addColumn('contact', 'jsonb', (col) => col.notNull())
    .addColumn('bank_details', 'jsonb')
    .addColumn('created_by', 'text', (col) => col.notNull())
    .addColumn('version', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('suppliers_registration_unique', ['country', 'registration_key'])
    .execute()
  await db.schema.createIndex('suppliers_office_idx').on('suppliers').columns(['office_id', 'id']).execute()

  // ------------------------------------------------------------ disbursements
  await db.schema
    .createTable('reintegration_disbursements')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('plan_id', 'uuid', (col) => col.notNull().references('reintegration_plans.id'))
    .addColumn('case_id', 'uuid', (col) => col.notNull().references('return_cases.id'))
    .addColumn('supplier_id', 'uuid', (col) => col.notNull().references('suppliers.id'))
    .addColumn('payment_request_id', 'uuid', (col) => col.notNull().unique().references('payment_requests.id'))
    .addColumn('items', 'jsonb', (col) => col.notNull())
    .addColumn('amount_minor', 'bigint', (col) => col.notNull().check(sql`amount_minor > 0`))
    .addColumn('currency', 'char(3)', (col) => col.notNull().check(sql`currency ~ '^[A-Z]{3}$'`))
    .addColumn('invoice_number', 'text', (col) => col.notNull())
    .addColumn('invoice_date', 'date', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull().check(sql`status in (${inList(DISBURSEMENT_STATUSES)})`))
    .addColumn('paid_amount_minor', 'bigint')
    .addColumn('delivered_on', 'date')
    .addColumn('delivered_items', 'text')
    .addColumn('delivery_notes', 'text')
    .addColumn('delivery_confirmed_by', 'text')
    .addColumn('delivery_confirmed_at', 'timestamptz')
    .addColumn('created_by', 'text', (col) => col.notNull())
    .addColumn('version', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('reintegration_disbursements_paid', sql`(status = 'paid') = (paid_amount_minor is not null) and (paid_amount_minor is null or paid_amount_minor between 1 and amount_minor)`)
    .addCheckConstraint(
      'reintegration_disbursements_delivery_complete',
      sql`(delivered_on is null) = (delivered_items is null) and (delivered_on is null) = (delivery_confirmed_by is null)
        and (delivered_on is null) = (delivery_confirmed_at is null)`,
    )
    .execute()
  await db.schema.createIndex('reintegration_disbursements_plan_idx').on('reintegration_disbursements').columns(['plan_id', 'id']).execute()
  // An invoice is paid once: the same supplier's invoice number cannot back two live disbursements.
  await sql`
    create unique index reintegration_disbursements_invoice_idx on reintegration_disbursements (supplier_id, upper(invoice_number))
    where status not in ('rejected', 'cancelled')`.execute(db)

  // ------------------------------------------------------------ monitoring
  await db.schema
    .createTable('monitoring_visits')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('case_id', 'uuid', (col) => col.notNull().references('return_cases.id'))
    .addColumn('plan_id', 'uuid', (col) => col.references('reintegration_plans.id'))
    .addColumn('visited_on', 'date', (col) => col.notNull())
    .addColumn('visited_by', 'text', (col) => col.notNull())
    .addColumn('mode', 'text', (col) => col.notNull().check(sql`mode in (${inList(VISIT_MODES)})`))
    .addColumn('findings', 'text', (col) => col.notNull())
    .addColumn('activity_running', 'boolean')
    .addColumn('recorded_by', 'text', (col) => col.notNull())
    .addColumn('recorded_by_office_id', 'uuid', (col) => col.references('offices.id'))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('monitoring_visits_activity_observed', sql`plan_id is null or activity_running is not null`)
    .execute()
  await db.schema.createIndex('monitoring_visits_case_idx').on('monitoring_visits').columns(['case_id', 'id']).execute()

  await db.schema
    .createTable('satisfaction_surveys')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('case_id', 'uuid', (col) => col.notNull().references('return_cases.id'))
    .addColumn('member_id', 'uuid', (col) => col.notNull().unique().references('case_members.id'))
    .addColumn('surveyed_on', 'date', (col) => col.notNull())
    .addColumn('counselling_score', 'integer', (col) => col.notNull().check(sql`counselling_score between 1 and 5`))
    .addColumn('travel_score', 'integer', (col) => col.notNull().check(sql`travel_score between 1 and 5`))
    .addColumn('reintegration_score', 'integer', (col) => col.check(sql`reintegration_score between 1 and 5`))
    .addColumn('comments', 'text')
    .addColumn('recorded_by', 'text', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema.createIndex('satisfaction_surveys_case_idx').on('satisfaction_surveys').columns(['case_id', 'id']).execute()

  await db.schema
    .createTable('sustainability_instruments')
    .addColumn('version', 'text', (col) => col.primaryKey().check(sql`version ~ '^[a-z0-9][a-z0-9._-]{1,63}$'`))
    .addColumn('valid_from', 'date', (col) => col.notNull().unique())
    .addColumn('description', 'text', (col) => col.notNull())
    .addColumn('definition', 'jsonb', (col) => col.notNull())
    .addColumn('created_by', 'text', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute()
  await appendOnly(db, 'sustainability_instruments')
  await db
    .insertInto('sustainability_instruments' as never)
    .values({ ...DEFAULT_SUSTAINABILITY_INSTRUMENT, definition: JSON.stringify(DEFAULT_SUSTAINABILITY_INSTRUMENT.definition), created_by: 'migration' } as never)
    .execute()

  // Scores are hundredths of a point on 0-100 (7350 = 73.50).
  await db.schema
    .createTable('sustainability_assessments')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('case_id', 'uuid', (col) => col.notNull().references('return_cases.id'))
    .addColumn('member_id', 'uuid', (col) => col.notNull().references('case_members.id'))
    .addColumn('sequence', 'integer', (col) => col.notNull().check(sql`sequence >= 1`))
    .addColumn('assessed_on', 'date', (col) => col.notNull())
    .addColumn('instrument_version', 'text', (col) => col.notNull().references('sustainability_instruments.version'))
    .addColumn('answers', 'jsonb', (col) => col.notNull())
    .addColumn('economic_score', 'integer', (col) => col.notNull().check(sql`economic_score between 0 and 10000`))
    .addColumn('social_score', 'integer', (col) => col.notNull().check(sql`social_score between 0 and 10000`))
    .addColumn('psychosocial_score', 'integer', (col) => col.notNull().check(sql`psychosocial_score between 0 and 10000`))
    .addColumn('composite_score', 'integer', (col) => col.notNull().check(sql`composite_score between 0 and 10000`))
    .addColumn('notes', 'text')
    .addColumn('recorded_by', 'text', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('sustainability_assessments_sequence_unique', ['member_id', 'sequence'])
    .execute()
  await db.schema.createIndex('sustainability_assessments_case_idx').on('sustainability_assessments').columns(['case_id', 'id']).execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'sustainability_assessments',
    'sustainability_instruments',
    'satisfaction_surveys',
    'monitoring_visits',
    'reintegration_disbursements',
    'suppliers',
    'reintegration_decisions',
    'reintegration_plans',
  ]) {
    await db.schema.dropTable(table).execute()
  }
  await db.schema.alterTable('reintegration_requests').dropConstraint('reintegration_requests_current_assessment_fk').execute()
  for (const table of ['reintegration_assessments', 'reintegration_requests', 'reintegration_scoring_configurations', 'crisis_countries']) {
    await db.schema.dropTable(table).execute()
  }
  await sql`drop function reintegration_configuration_append_only()`.execute(db)
}
