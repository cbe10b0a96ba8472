import { sql, type Kysely } from 'kysely'
import type { DB } from '../../src/db/schema.js'
import { newId } from '../../src/shared/ids.js'
import type { RequestContext } from '../../src/shared/context.js'
import { ProblemError } from '../../src/shared/problems.js'

export const financeContext: RequestContext = { actor: { sub: 'fiona', roles: ['finance'], officeId: null }, requestId: 'test-request' }

/** The line's cached balances next to the sums of its ledger: the two must always agree. */
export async function balancesAndLedger(db: Kysely<DB>, lineId: string) {
  const line = await db.selectFrom('budget_lines').select(['allocated_minor', 'committed_minor', 'spent_minor']).where('id', '=', lineId).executeTakeFirstOrThrow()
  const sums = await db
    .selectFrom('ledger_entries')
    .select([
      sql<number>`coalesce(sum(case kind when 'commit' then amount_minor when 'release' then -amount_minor when 'spend' then -amount_minor else 0 end), 0)::bigint`.as('committed'),
      sql<number>`coalesce(sum(case kind when 'spend' then amount_minor when 'refund' then -amount_minor else 0 end), 0)::bigint`.as('spent'),
      sql<number>`count(*)::bigint`.as('entries'),
    ])
    .where('budget_line_id', '=', lineId)
    .executeTakeFirstOrThrow()
  return {
    allocated: line.allocated_minor,
    committed: line.committed_minor,
    spent: line.spent_minor,
    ledgerCommitted: Number(sums.committed),
    ledgerSpent: Number(sums.spent),
    entries: Number(sums.entries),
  }
}

export async function countRows(db: Kysely<DB>, table: 'ledger_entries' | 'outbox_events' | 'audit_events' | 'budget_lines' | 'projects'): Promise<number> {
  const row = await db.selectFrom(table).select(sql<number>`count(*)::bigint`.as('count')).executeTakeFirstOrThrow()
  return Number(row.count)
}

/** A minimal return case row (the ledger only needs a case to point at), with its office. */
export async function insertReturnCase(db: Kysely<DB>): Promise<string> {
  const officeId = newId()
  const caseId = newId()
  await sql`insert into offices (id, code, name, country, kind) values (${officeId}, ${`T${caseId.slice(-6).toUpperCase()}`}, 'IOM Vilnius', 'LT', 'country_office')`.execute(db)
  await sql`
    insert into return_cases (id, reference, office_id, legal_status, referral_source, country_of_return, created_by)
    values (${caseId}, ${`REF-${caseId}`}, ${officeId}, 'irregular_stay', 'self', 'GE', 'carla')`.execute(db)
  return caseId
}

/** The problem a call threw, or a failure when it did not throw one. */
export async function problemOf(promise: Promise<unknown>): Promise<ProblemError> {
  try {
    await promise
  } catch (error) {
    if (error instanceof ProblemError) return error
    throw error
  }
  throw new Error('expected a problem, but the call succeeded')
}
