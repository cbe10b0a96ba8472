import t from 'tap'
import { sql } from 'kysely'
import { newId } from '../../src/shared/ids.js'
import { commitFunds, creditRefund, openCommitment, spendFunds, type LedgerPosting } from '../../src/modules/projects/ledger.js'
import { buildTestApp } from '../helpers/app.js'
import { createProjectWithLines, EUR } from '../projects/fixtures.js'
import { balancesAndLedger, countRows, financeContext as context, problemOf } from './helpers.js'


async function paidTicket(t: { teardown(fn: () => unknown): void }, fare = 4_000) {
  const testApp = await buildTestApp(t)
  const project = await createProjectWithLines(testApp.as('ada', ['admin']), { Tickets: ['travel', 10_000], Other: ['other', 1_000] })
  const db = testApp.database.db
  const lineId = project.lines.Tickets!.id
  const source = { type: 'ticket' as const, id: newId() }
  const posting = (amount: number, overrides: Partial<LedgerPosting> = {}): LedgerPosting => ({ budgetLineId: lineId, amount: EUR(amount), source, ...overrides })
  await db.transaction().execute(async (trx) => {
    await commitFunds(trx, context, posting(fare))
    await spendFunds(trx, context, posting(fare))
  })
  return { db, lineId, otherLineId: project.lines.Other!.id, source, posting }
}

t.test('a refund credits the line it was spent from: available rises by the refund, the spend stays in the ledger', async (t) => {
  const { db, lineId, source, posting } = await paidTicket(t)
  t.same(await balancesAndLedger(db, lineId), { allocated: 10_000, committed: 0, spent: 4_000, ledgerCommitted: 0, ledgerSpent: 4_000, entries: 2 })
  const { entry, repeated } = await db.transaction().execute((trx) => creditRefund(trx, context, posting(3_000, { note: 'carrier refund' })))
  t.equal(repeated, false)
  t.match(entry, { kind: 'refund', amount_minor: 3_000, source_type: 'ticket', source_id: source.id, note: 'carrier refund' })
  t.same(await balancesAndLedger(db, lineId), { allocated: 10_000, committed: 0, spent: 1_000, ledgerCommitted: 0, ledgerSpent: 1_000, entries: 3 }, 'available went from 6,000 to 9,000')
  const kinds = await db.selectFrom('ledger_entries').select('kind').where('source_id', '=', source.id).orderBy('id').execute()
  t.same(kinds.map((row) => row.kind), ['commit', 'spend', 'refund'], 'history is appended to, never rewritten')
  t.equal(await openCommitment(db, lineId, source), 0, 'a refund opens no commitment')
  const event = await db.selectFrom('outbox_events').select(['event_type', 'payload']).where('entity_id', '=', entry.id).executeTakeFirstOrThrow()
  t.match(event, { event_type: 'ledger.refunded', payload: { kind: 'refund', amount: EUR(3_000) } })
})

t.test('a refund restores available exactly once: the same refund again writes nothing, another amount is refused', async (t) => {
  const { db, lineId, posting } = await paidTicket(t)
  const first = await db.transaction().execute((trx) => creditRefund(trx, context, posting(4_000)))
  const entries = await countRows(db, 'ledger_entries')
  const events = await countRows(db, 'outbox_events')
  const again = await db.transaction().execute((trx) => creditRefund(trx, context, posting(4_000)))
  t.equal(again.repeated, true)
  t.equal(again.entry.id, first.entry.id, 'the earlier entry comes back')
  t.equal(await countRows(db, 'ledger_entries'), entries, 'no second entry')
  t.equal(await countRows(db, 'outbox_events'), events, 'no second event')
  t.same((await balancesAndLedger(db, lineId)).spent, 0, 'credited once')
  const other = await problemOf(db.transaction().execute((trx) => creditRefund(trx, context, posting(1_000))))
  t.equal(other.slug, 'duplicate-resource')
  t.match(other.extensions, { refunded: EUR(4_000) })
  t.equal(await countRows(db, 'ledger_entries'), entries)
})

t.test('a refund can never exceed what was spent on that source, nor come from another line or currency', async (t) => {
  const { db, lineId, otherLineId, posting } = await paidTicket(t)
  const before = await countRows(db, 'ledger_entries')
  const tooMuch = await problemOf(db.transaction().execute((trx) => creditRefund(trx, context, posting(4_001))))
  t.equal(tooMuch.slug, 'refund-exceeds-spend')
  t.match(tooMuch.extensions, { budget_line_id: lineId, spent: EUR(4_000), requested: EUR(4_001) })
  const otherSource = await problemOf(db.transaction().execute((trx) => creditRefund(trx, context, posting(100, { source: { type: 'ticket', id: newId() } }))))
  t.equal(otherSource.slug, 'refund-exceeds-spend', 'the line has spend, but not of this source')
  t.match(otherSource.extensions, { spent: EUR(0) })
  const wrongLine = await problemOf(db.transaction().execute((trx) => creditRefund(trx, context, posting(100, { budgetLineId: otherLineId }))))
  t.equal(wrongLine.slug, 'refund-exceeds-spend', 'only the line it was spent from')
  const wrongCurrency = await problemOf(db.transaction().execute((trx) => creditRefund(trx, context, posting(100, { amount: { amount_minor: 100, currency: 'USD' } }))))
  t.equal(wrongCurrency.slug, 'currency-mismatch')
  t.equal(await countRows(db, 'ledger_entries'), before, 'refusals write nothing')
})

t.test('concurrent refunds of one source: exactly one credits the line', async (t) => {
  const { db, lineId, posting } = await paidTicket(t)
  const results = await Promise.allSettled([1, 2, 3].map(() => db.transaction().execute((trx) => creditRefund(trx, context, posting(4_000)))))
  const refunds = await db.selectFrom('ledger_entries').select(sql<number>`count(*)::int`.as('n')).where('kind', '=', 'refund').executeTakeFirstOrThrow()
  t.equal(Number(refunds.n), 1, 'one refund entry')
  t.ok(results.some((result) => result.status === 'fulfilled' && !result.value.repeated), 'one wrote it')
  t.same((await balancesAndLedger(db, lineId)).spent, 0)
})
