import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'
import { paginate, type Page } from '../../shared/pagination.js'
import type { LedgerEntryRow } from './ledger.js'
import type { LedgerEntryListFilter, LedgerEntryRecord } from './ledger-schemas.js'
import { money } from '../../shared/money.js'

export function toLedgerEntry(row: LedgerEntryRow): LedgerEntryRecord {
  return {
    id: row.id,
    budget_line_id: row.budget_line_id,
    kind: row.kind,
    amount: money(row.amount_minor, row.currency),
    source: { type: row.source_type, id: row.source_id },
    case_id: row.case_id,
    payment_request_id: row.payment_request_id,
    actor_sub: row.actor_sub,
    request_id: row.request_id,
    note: row.note,
    created_at: row.created_at.toISOString(),
  }
}

/** A line's entries in the order they were written (ids are time-ordered), a page at a time. */
export async function listLedgerEntries(db: Kysely<DB>, budgetLineId: string, filter: LedgerEntryListFilter): Promise<Page<LedgerEntryRecord>> {
  let query = db.selectFrom('ledger_entries').selectAll().where('budget_line_id', '=', budgetLineId)
  if (filter.kind) query = query.where('kind', '=', filter.kind)
  if (filter.source_type) query = query.where('source_type', '=', filter.source_type)
  if (filter.source_id) query = query.where('source_id', '=', filter.source_id)
  if (filter.case_id) query = query.where('case_id', '=', filter.case_id)
  return paginate(query, filter, (rows) => rows.map(toLedgerEntry))
}

/** The budget lines a case has ledger entries on. */
export async function budgetLinesOfCase(db: Kysely<DB>, caseId: string): Promise<string[]> {
  const rows = await db.selectFrom('ledger_entries').select('budget_line_id').distinct().where('case_id', '=', caseId).execute()
  return rows.map((row) => row.budget_line_id)
}

/** The releases one request wrote for a case, in the order written. */
export async function releasesOfRequest(db: Kysely<DB>, caseId: string, requestId: string): Promise<LedgerEntryRow[]> {
  return db.selectFrom('ledger_entries').selectAll().where('case_id', '=', caseId).where('kind', '=', 'release').where('request_id', '=', requestId).orderBy('id').execute()
}
