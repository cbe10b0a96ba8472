import { sql, type Kysely } from 'kysely'

// Frozen in time: this migration never imports application code.
//
// Costs beyond the ticket: budget lines for travel insurance and for accommodation before
// departure, payments of those two kinds, and a project's cost routing (the fallback line
// category of a cost kind the project has no line for). Carrier refunds credit the line a
// ticket was paid from with a `refund` entry: the spend stays in the ledger, the refund is a
// new entry, and one refund per source and line is all the ledger accepts.

const CATEGORIES = `'travel', 'excess_baggage', 'cash_grant', 'in_kind_reintegration', 'insurance', 'accommodation', 'other'`
const SOURCE_TYPES = `'ticket', 'excess_baggage', 'cash_grant', 'disbursement', 'reintegration_plan', 'travel_insurance', 'accommodation', 'other'`
const PAYMENT_KINDS = `'ticket', 'excess_baggage', 'cash_grant', 'disbursement', 'travel_insurance', 'accommodation'`

async function replaceCheck(db: Kysely<unknown>, table: string, constraint: string, condition: string): Promise<void> {
  await sql`alter table ${sql.table(table)} drop constraint ${sql.ref(constraint)}`.execute(db)
  await sql`alter table ${sql.table(table)} add constraint ${sql.ref(constraint)} check (${sql.raw(condition)})`.execute(db)
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await replaceCheck(db, 'budget_lines', 'budget_lines_category_check', `category in (${CATEGORIES})`)
  await replaceCheck(db, 'ledger_entries', 'ledger_entries_source_type_check', `source_type in (${SOURCE_TYPES})`)
  await replaceCheck(db, 'ledger_entries', 'ledger_entries_kind_check', `kind in ('commit', 'release', 'spend', 'refund')`)
  await replaceCheck(db, 'payment_requests', 'payment_requests_kind_check', `kind in (${PAYMENT_KINDS})`)
  await replaceCheck(db, 'payment_requests', 'payment_requests_source_type_check', `source_type in (${SOURCE_TYPES})`)
  await replaceCheck(db, 'payment_requests', 'payment_requests_commitment_source_type_check', `commitment_source_type in (${SOURCE_TYPES})`)
  // Cost kind -> budget category of the line that pays it when the project has no line of the kind's own category.
  await sql`alter table projects add column cost_routing jsonb not null default '{}'::jsonb check (jsonb_typeof(cost_routing) = 'object')`.execute(db)
  // A source is refunded once on a line: a repeated refund can never credit the line twice.
  await sql`create unique index ledger_entries_one_refund_idx on ledger_entries (budget_line_id, source_type, source_id) where kind = 'refund'`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index ledger_entries_one_refund_idx`.execute(db)
  await sql`alter table projects drop column cost_routing`.execute(db)
  await replaceCheck(db, 'payment_requests', 'payment_requests_commitment_source_type_check', `commitment_source_type in ('ticket', 'excess_baggage', 'cash_grant', 'disbursement', 'reintegration_plan', 'other')`)
  await replaceCheck(db, 'payment_requests', 'payment_requests_source_type_check', `source_type in ('ticket', 'excess_baggage', 'cash_grant', 'disbursement', 'reintegration_plan', 'other')`)
  await replaceCheck(db, 'payment_requests', 'payment_requests_kind_check', `kind in ('ticket', 'excess_baggage', 'cash_grant', 'disbursement')`)
  await replaceCheck(db, 'ledger_entries', 'ledger_entries_kind_check', `kind in ('commit', 'release', 'spend')`)
  await replaceCheck(db, 'ledger_entries', 'ledger_entries_source_type_check', `source_type in ('ticket', 'excess_baggage', 'cash_grant', 'disbursement', 'reintegration_plan', 'other')`)
  await replaceCheck(db, 'budget_lines', 'budget_lines_category_check', `category in ('travel', 'excess_baggage', 'cash_grant', 'in_kind_reintegration', 'other')`)
}
