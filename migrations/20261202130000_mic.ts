import { sql, type Kysely } from 'kysely'

// Frozen in time: this migration never imports application code.
//
// The Migration Information Centre: nationals who return home or think about it (enquirers), and
// the dated consultations the centre gives them, with the institutions it refers them to and the
// follow-ups it promised. No return case is involved: these are the centre's own tables.

function inList(values: readonly string[]) {
  return sql.join(values.map((value) => sql.lit(value)))
}

const CHANNELS = ['in_person', 'phone', 'email', 'online']
const TOPICS = ['social_security', 'education', 'health_insurance', 'family_members_not_nationals', 'employment', 'other']
const CONSENT_SCOPES = ['information_and_advice', 'referral_to_institutions', 'follow_up_contact', 'statistics']

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('mic_enquirers')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('given_name', 'text', (col) => col.notNull())
    .addColumn('family_name', 'text', (col) => col.notNull())
    // Names normalized in the application (no unaccent on the embedded database), words separated by one space.
    .addColumn('name_search', 'text', (col) => col.notNull())
    .addColumn('email', 'text')
    .addColumn('phone', 'text')
    .addColumn('address', 'text')
    .addColumn('residence_country', 'char(2)', (col) => col.notNull())
    .addColumn('planned_return_on', 'date')
    .addColumn('household', 'jsonb', (col) => col.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('consent_given_at', 'timestamptz', (col) => col.notNull())
    .addColumn('consent_given_by', 'text', (col) => col.notNull())
    .addColumn('consent_scope', sql`text[]`, (col) => col.notNull())
    .addColumn('consent_recorded_by', 'text', (col) => col.notNull())
    .addColumn('notes', 'text')
    .addColumn('created_by', 'text', (col) => col.notNull())
    .addColumn('version', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('mic_enquirers_reachable', sql`coalesce(email, phone, address) is not null`)
    .addCheckConstraint('mic_enquirers_household_is_list', sql`jsonb_typeof(household) = 'array'`)
    .addCheckConstraint('mic_enquirers_consent_scope_known', sql`cardinality(consent_scope) > 0 and consent_scope <@ array[${inList(CONSENT_SCOPES)}]::text[]`)
    .execute()
  await db.schema.createIndex('mic_enquirers_residence_idx').on('mic_enquirers').columns(['residence_country', 'id']).execute()

  await db.schema
    .createTable('mic_consultations')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('enquirer_id', 'uuid', (col) => col.notNull().references('mic_enquirers.id').onDelete('cascade'))
    .addColumn('held_on', 'date', (col) => col.notNull())
    .addColumn('channel', 'text', (col) => col.notNull().check(sql`channel in (${inList(CHANNELS)})`))
    .addColumn('topics', sql`text[]`, (col) => col.notNull())
    .addColumn('question', 'text', (col) => col.notNull())
    .addColumn('information_given', 'text', (col) => col.notNull())
    .addColumn('referrals', 'jsonb', (col) => col.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('follow_up_on', 'date')
    .addColumn('follow_up_done_on', 'date')
    // Where the enquirer lived when consulted: the country they return from, kept as it was for the period reports.
    .addColumn('residence_country', 'char(2)', (col) => col.notNull())
    .addColumn('counsellor', 'text', (col) => col.notNull())
    .addColumn('created_by', 'text', (col) => col.notNull())
    .addColumn('version', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('mic_consultations_topics_known', sql`cardinality(topics) > 0 and topics <@ array[${inList(TOPICS)}]::text[]`)
    .addCheckConstraint('mic_consultations_referrals_is_list', sql`jsonb_typeof(referrals) = 'array'`)
    .addCheckConstraint('mic_consultations_follow_up_after_held', sql`follow_up_on is null or follow_up_on >= held_on`)
    .addCheckConstraint('mic_consultations_done_needs_follow_up', sql`follow_up_done_on is null or follow_up_on is not null`)
    .execute()
  await db.schema.createIndex('mic_consultations_enquirer_idx').on('mic_consultations').columns(['enquirer_id', 'id']).execute()
  await db.schema.createIndex('mic_consultations_held_idx').on('mic_consultations').columns(['held_on']).execute()
  // The follow-up queue reads only the open follow-ups, earliest first.
  await sql`create index mic_consultations_open_follow_up_idx on mic_consultations (follow_up_on, id) where follow_up_on is not null and follow_up_done_on is null`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('mic_consultations').execute()
  await db.schema.dropTable('mic_enquirers').execute()
}
