import { sql, type Kysely } from 'kysely'

// Frozen in time: this migration never imports application code.
// The case list is read newest first (`order by id desc`) in keyset pages, with any combination of the
// equality filters status, office, partner office and country of return. A page is read straight off an index
// only when the filters lead the index and id follows: with one index per column, a page filtered by two of
// them walked one index (or the primary key) and dropped the rows the other filter refused, thousands per page.
// These indexes put the combinations in front of id; the single-column ones of the return-cases migration stay
// for the single filters. A partner office lies in the country of return of the cases referred to it (a referral
// is dropped when the country changes), which the planner cannot know from per-column statistics: the extended
// statistics tell it, and partner + country (+ status) has indexes of its own (partial, like every partner index: only referred cases are in them), so it is never walked off the
// primary key.

const INDEXES: Array<[string, string, string?]> = [
  ['return_cases_status_country_idx', 'status, country_of_return, id'],
  ['return_cases_office_status_idx', 'office_id, status, id'],
  ['return_cases_office_country_idx', 'office_id, country_of_return, id'],
  ['return_cases_office_status_country_idx', 'office_id, status, country_of_return, id'],
  ['return_cases_partner_status_idx', 'partner_office_id, status, id', 'partner_office_id is not null'],
  ['return_cases_partner_office_idx', 'partner_office_id, office_id, id', 'partner_office_id is not null'],
  ['return_cases_partner_country_idx', 'partner_office_id, country_of_return, id', 'partner_office_id is not null'],
  ['return_cases_partner_country_status_idx', 'partner_office_id, country_of_return, status, id', 'partner_office_id is not null'],
]

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const [name, columns, where] of INDEXES) {
    await sql`create index ${sql.id(name)} on return_cases (${sql.raw(columns)})${where ? sql.raw(` where ${where}`) : sql``}`.execute(db)
  }
  await sql`create statistics return_cases_partner_country_stats (dependencies, mcv) on partner_office_id, country_of_return from return_cases`.execute(db)
  await sql`analyze return_cases`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop statistics return_cases_partner_country_stats`.execute(db)
  for (const [name] of INDEXES) await sql`drop index ${sql.id(name)}`.execute(db)
}
