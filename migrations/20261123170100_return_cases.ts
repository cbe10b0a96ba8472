import { sql, type Kysely } from 'kysely'

// Frozen in time: this migration never imports application code.
//
// Return cases, their household members and vulnerabilities, counselling sessions and status
// history. Derived values (ages, household size, family type) are never stored: they are computed
// from the members and the intended departure date whenever a case is read.

const CASE_STATUSES = [
  'draft',
  'submitted',
  'in_counselling',
  'approved',
  'rejected',
  'withdrawn',
  'travel_booked',
  'departed',
  'arrived',
  'in_reintegration',
  'closed',
  'no_show',
  'cancelled',
]

function inList(values: readonly string[]) {
  return sql.join(values.map((value) => sql.lit(value)))
}

export async function up(db: Kysely<unknown>): Promise<void> {
  // One row per office and year: `UPDATE ... RETURNING` on it hands out the next case number and
  // holds the row lock until the creating transaction ends, so concurrent creates get distinct,
  // gap-free, sequential references (a rolled-back create rolls its number back too).
  await db.schema
    .createTable('case_reference_counters')
    .addColumn('office_id', 'uuid', (col) => col.notNull().references('offices.id'))
    .addColumn('year', 'integer', (col) => col.notNull().check(sql`year between 2000 and 9999`))
    .addColumn('last_number', 'integer', (col) => col.notNull().check(sql`last_number > 0`))
    .addPrimaryKeyConstraint('case_reference_counters_pk', ['office_id', 'year'])
    .execute()

  await db.schema
    .createTable('return_cases')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('reference', 'text', (col) => col.notNull().unique())
    .addColumn('office_id', 'uuid', (col) => col.notNull().references('offices.id'))
    .addColumn('partner_office_id', 'uuid', (col) => col.references('offices.id'))
    .addColumn('referred_at', 'timestamptz')
    // The foreign key to projects is added by the projects migration, which runs after this one.
    .addColumn('project_id', 'uuid')
    .addColumn('status', 'text', (col) => col.notNull().defaultTo('draft').check(sql`status in (${inList(CASE_STATUSES)})`))
    .addColumn('legal_status', 'text', (col) =>
      col
        .notNull()
        .check(sql`legal_status in ('rejected_asylum_seeker', 'asylum_seeker_pending', 'irregular_stay', 'granted_protection', 'other')`),
    )
    .addColumn('referral_source', 'text', (col) =>
      col.notNull().check(sql`referral_source in ('migration_authority', 'reception_centre', 'ngo', 'self')`),
    )
    .addColumn('external_reference', 'text')
    .addColumn('country_of_return', 'char(2)', (col) => col.notNull().check(sql`country_of_return ~ '^[A-Z]{2}$'`))
    .addColumn('place_of_return', 'text')
    .addColumn('intended_departure_on', 'date')
    .addColumn('consent_given_at', 'timestamptz')
    .addColumn('consent_given_by', 'text')
    .addColumn('consent_scope', sql`text[]`)
    .addColumn('consent_recorded_by', 'text')
    .addColumn('notes', 'text')
    .addColumn('created_by', 'text', (col) => col.notNull())
    .addColumn('version', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('closed_at', 'timestamptz')
    .addCheckConstraint(
      'return_cases_consent_complete',
      sql`num_nulls(consent_given_at, consent_given_by, consent_scope, consent_recorded_by) in (0, 4)`,
    )
    .addCheckConstraint('return_cases_referral_complete', sql`(partner_office_id is null) = (referred_at is null)`)
    .execute()
  // One index behind each list filter; each ends in id so a filtered page is read in key order
  // (newest first) and keyset pagination continues from the cursor without sorting.
  await db.schema.createIndex('return_cases_status_idx').on('return_cases').columns(['status', 'id']).execute()
  await db.schema.createIndex('return_cases_office_idx').on('return_cases').columns(['office_id', 'id']).execute()
  await db.schema.createIndex('return_cases_country_idx').on('return_cases').columns(['country_of_return', 'id']).execute()
  await db.schema.createIndex('return_cases_created_idx').on('return_cases').columns(['created_at', 'id']).execute()
  await db.schema.createIndex('return_cases_departure_idx').on('return_cases').columns(['intended_departure_on', 'id']).execute()
  await sql`create index return_cases_partner_idx on return_cases (partner_office_id, id) where partner_office_id is not null`.execute(db)
  await sql`create index return_cases_project_idx on return_cases (project_id) where project_id is not null`.execute(db)
  await sql`create unique index return_cases_external_reference_idx on return_cases (office_id, external_reference) where external_reference is not null`.execute(
    db,
  )

  await db.schema
    .createTable('case_members')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('case_id', 'uuid', (col) => col.notNull().references('return_cases.id'))
    .addColumn('relationship', 'text', (col) =>
      col
        .notNull()
        .check(sql`relationship in ('principal', 'spouse_partner', 'child', 'parent', 'sibling', 'other_relative', 'legal_guardian')`),
    )
    .addColumn('is_principal', 'boolean', (col) => col.notNull())
    .addColumn('given_name', 'text', (col) => col.notNull())
    .addColumn('family_name', 'text', (col) => col.notNull())
    // Normalized `given|family` (accents stripped, lower case): duplicate detection and search.
    .addColumn('name_key', 'text', (col) => col.notNull())
    .addColumn('sex', 'text', (col) => col.notNull().check(sql`sex in ('female', 'male', 'other', 'unknown')`))
    .addColumn('date_of_birth', 'date')
    .addColumn('birth_year', 'integer', (col) => col.check(sql`birth_year between 1900 and 2100`))
    .addColumn('nationality', 'char(2)', (col) => col.notNull().check(sql`nationality ~ '^[A-Z]{2}$'`))
    .addColumn('identity_documents', 'jsonb', (col) => col.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('created_by', 'text', (col) => col.notNull())
    .addColumn('version', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('case_members_principal_relationship', sql`is_principal = (relationship = 'principal')`)
    .addCheckConstraint('case_members_birth_known', sql`num_nonnulls(date_of_birth, birth_year) = 1`)
    .execute()
  // The last guard of "exactly one principal": two concurrent adds cannot both commit a principal.
  await sql`create unique index case_members_one_principal_idx on case_members (case_id) where is_principal`.execute(db)
  await db.schema.createIndex('case_members_case_idx').on('case_members').columns(['case_id', 'id']).execute()
  await db.schema.createIndex('case_members_nationality_idx').on('case_members').columns(['nationality', 'case_id']).execute()
  await db.schema.createIndex('case_members_duplicate_idx').on('case_members').columns(['name_key', 'nationality', 'date_of_birth']).execute()

  await db.schema
    .createTable('member_vulnerabilities')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('case_id', 'uuid', (col) => col.notNull().references('return_cases.id'))
    .addColumn('member_id', 'uuid', (col) => col.notNull().references('case_members.id'))
    .addColumn('code', 'text', (col) =>
      col
        .notNull()
        .check(
          sql`code in ('medical_needs', 'unaccompanied_or_separated_child', 'victim_of_trafficking', 'pregnant', 'single_parent', 'large_family', 'other')`,
        ),
    )
    .addColumn('notes', 'text')
    .addColumn('escort_needed', 'boolean')
    .addColumn('recorded_by', 'text', (col) => col.notNull())
    .addColumn('recorded_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('version', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('member_vulnerabilities_escort_medical', sql`escort_needed is null or code = 'medical_needs'`)
    .execute()
  await db.schema.createIndex('member_vulnerabilities_member_idx').on('member_vulnerabilities').columns(['member_id', 'id']).execute()
  await db.schema.createIndex('member_vulnerabilities_code_idx').on('member_vulnerabilities').columns(['code', 'case_id']).execute()

  // Free-text search: the normalized tokens of the case reference and of every member's names.
  // A btree with text_pattern_ops serves `term LIKE 'prefix%'` under any collation; pg_trgm
  // would allow infix matches but is not available on every PostgreSQL (nor on PGlite).
  await db.schema
    .createTable('case_search_terms')
    .addColumn('case_id', 'uuid', (col) => col.notNull().references('return_cases.id'))
    .addColumn('term', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('case_search_terms_pk', ['case_id', 'term'])
    .execute()
  await sql`create index case_search_terms_term_idx on case_search_terms (term text_pattern_ops, case_id)`.execute(db)

  await db.schema
    .createTable('counselling_sessions')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('case_id', 'uuid', (col) => col.notNull().references('return_cases.id'))
    .addColumn('held_on', 'date', (col) => col.notNull())
    .addColumn('counsellor', 'text', (col) => col.notNull())
    .addColumn('mode', 'text', (col) => col.notNull().check(sql`mode in ('in_person', 'phone', 'video')`))
    .addColumn('interpreter_language', 'text')
    .addColumn('topics', sql`text[]`, (col) => col.notNull())
    .addColumn('outcome', 'text', (col) => col.notNull())
    .addColumn('next_steps', 'text')
    .addColumn('created_by', 'text', (col) => col.notNull())
    .addColumn('version', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addCheckConstraint(
      'counselling_sessions_topics_known',
      sql`cardinality(topics) > 0 and topics <@ array['return_process', 'travel_documents', 'reintegration_options', 'medical', 'family', 'other']::text[]`,
    )
    .execute()
  await db.schema.createIndex('counselling_sessions_case_idx').on('counselling_sessions').columns(['case_id', 'id']).execute()

  await db.schema
    .createTable('case_status_history')
    .addColumn('id', 'bigserial', (col) => col.primaryKey())
    .addColumn('case_id', 'uuid', (col) => col.notNull().references('return_cases.id'))
    .addColumn('action', 'text', (col) => col.notNull())
    .addColumn('from_status', 'text')
    .addColumn('to_status', 'text', (col) => col.notNull())
    .addColumn('reason', 'text')
    .addColumn('actor_sub', 'text', (col) => col.notNull())
    .addColumn('actor_roles', sql`text[]`, (col) => col.notNull())
    .addColumn('request_id', 'text')
    .addColumn('occurred_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema.createIndex('case_status_history_case_idx').on('case_status_history').columns(['case_id', 'id']).execute()
  // Who decided what and why is evidence: the database refuses to change or remove it.
  await sql`
    create function case_status_history_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'case_status_history is append-only: % is not allowed', tg_op using errcode = 'insufficient_privilege';
    end
    $$`.execute(db)
  await sql`
    create trigger case_status_history_no_update_delete before update or delete on case_status_history
    for each row execute function case_status_history_append_only()`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('case_status_history').execute()
  await sql`drop function case_status_history_append_only()`.execute(db)
  await db.schema.dropTable('counselling_sessions').execute()
  await db.schema.dropTable('case_search_terms').execute()
  await db.schema.dropTable('member_vulnerabilities').execute()
  await db.schema.dropTable('case_members').execute()
  await db.schema.dropTable('return_cases').execute()
  await db.schema.dropTable('case_reference_counters').execute()
}
