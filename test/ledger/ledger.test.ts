import t from 'tap'
import { buildTestApp } from '../helpers/app.js'
import { sql } from 'kysely'
import { newId } from '../../src/shared/ids.js'
import {
  commitFunds,
  openCommitment,
  releaseFunds,
  releaseOpenCommitmentsForCase,
  spendFunds,
  type LedgerPosting,
} from '../../src/modules/projects/ledger.js'
import { createProjectWithLines, EUR } from '../projects/fixtures.js'

import { balancesAndLedger, countRows, financeContext as context, insertReturnCase, problemOf } from './helpers.js'

async function setup(t: { teardown(fn: () => unknown): void }, lines: Record<string, [string, number]> = { Tickets: ['travel', 10_000] }, options: { activate?: boolean } = {}) {
  const testApp = await buildTestApp(t)
  const project = await createProjectWithLines(testApp.as('ada', ['admin']), lines, options)
  return { ...testApp, db: testApp.database.db, project }
}


const ticket = () => ({ type: 'ticket' as const, id: newId() })

t.test('commit, spend and release move the balances, and the balances always equal the ledger sums', async (t) => {
  const { db, project } = await setup(t)
  const lineId = project.lines.Tickets!.id
  const source = ticket()
  const posting = (amount: number): LedgerPosting => ({ budgetLineId: lineId, amount: EUR(amount), source })

  const committed = await db.transaction().execute((trx) => commitFunds(trx, context, posting(4_000)))
  t.match(committed, { kind: 'commit', amount_minor: 4_000, currency: 'EUR', source_type: 'ticket', source_id: source.id, actor_sub: 'fiona', request_id: 'test-request' })
  t.same(await balancesAndLedger(db, lineId), { allocated: 10_000, committed: 4_000, spent: 0, ledgerCommitted: 4_000, ledgerSpent: 0, entries: 1 })
  t.equal(await openCommitment(db, lineId, source), 4_000)

  await db.transaction().execute((trx) => spendFunds(trx, context, posting(3_500)))
  t.same(await balancesAndLedger(db, lineId), { allocated: 10_000, committed: 500, spent: 3_500, ledgerCommitted: 500, ledgerSpent: 3_500, entries: 2 })
  t.equal(await openCommitment(db, lineId, source), 500, 'a spend consumes its commitment')

  await db.transaction().execute((trx) => releaseFunds(trx, context, posting(500)))
  t.same(await balancesAndLedger(db, lineId), { allocated: 10_000, committed: 0, spent: 3_500, ledgerCommitted: 0, ledgerSpent: 3_500, entries: 3 })
  t.equal(await openCommitment(db, lineId, source), 0)

  const events = await db.selectFrom('outbox_events').select(['event_type', 'entity_type', 'payload']).where('entity_type', '=', 'ledger_entry').orderBy('sequence').execute()
  t.same(events.map((event) => event.event_type), ['ledger.committed', 'ledger.spent', 'ledger.released'], 'each entry emits its event')
  t.match(events[0]?.payload, { project_id: project.id, budget_line_id: lineId, kind: 'commit', amount: { amount_minor: 4_000, currency: 'EUR' }, source: { type: 'ticket', id: source.id } })
})

t.test('a commitment that does not fit is 409 budget-line-exhausted naming what is available, and writes nothing', async (t) => {
  const { db, project } = await setup(t)
  const lineId = project.lines.Tickets!.id
  await db.transaction().execute((trx) => commitFunds(trx, context, { budgetLineId: lineId, amount: EUR(9_000), source: ticket() }))
  const before = { entries: await countRows(db, 'ledger_entries'), events: await countRows(db, 'outbox_events') }

  const problem = await problemOf(db.transaction().execute((trx) => commitFunds(trx, context, { budgetLineId: lineId, amount: EUR(1_001), source: ticket() })))
  t.equal(problem.slug, 'budget-line-exhausted')
  t.equal(problem.status, 409)
  t.same(problem.extensions.available, EUR(1_000))
  t.equal(problem.extensions.budget_line_id, lineId)
  t.same({ entries: await countRows(db, 'ledger_entries'), events: await countRows(db, 'outbox_events') }, before, 'nothing was written')

  await db.transaction().execute((trx) => commitFunds(trx, context, { budgetLineId: lineId, amount: EUR(1_000), source: ticket() }))
  t.same(await balancesAndLedger(db, lineId), { allocated: 10_000, committed: 10_000, spent: 0, ledgerCommitted: 10_000, ledgerSpent: 0, entries: 2 }, 'exactly the available amount fits')
})

t.test('an amount in another currency than the project\'s is 422 currency-mismatch for commit, spend and release', async (t) => {
  const { db, project } = await setup(t)
  const lineId = project.lines.Tickets!.id
  const source = ticket()
  await db.transaction().execute((trx) => commitFunds(trx, context, { budgetLineId: lineId, amount: EUR(100), source }))
  const entries = await countRows(db, 'ledger_entries')
  for (const post of [commitFunds, spendFunds, releaseFunds]) {
    const problem = await problemOf(db.transaction().execute((trx) => post(trx, context, { budgetLineId: lineId, amount: { amount_minor: 50, currency: 'USD' }, source })))
    t.equal(problem.slug, 'currency-mismatch', `${post.name} refuses USD on a EUR line`)
    t.equal(problem.status, 422)
    t.equal(problem.extensions.expected_currency, 'EUR')
  }
  t.equal(await countRows(db, 'ledger_entries'), entries, 'nothing was written')
})

t.test('amounts must be positive whole minor units', async (t) => {
  const { db, project } = await setup(t)
  const lineId = project.lines.Tickets!.id
  for (const amount of [0, -5, 1.5, Number.NaN]) {
    const problem = await problemOf(db.transaction().execute((trx) => commitFunds(trx, context, { budgetLineId: lineId, amount: EUR(amount), source: ticket() })))
    t.equal(problem.slug, 'unprocessable-entity', `${amount} is refused`)
  }
  t.equal(await countRows(db, 'ledger_entries'), 0)
})

t.test('release and spend draw only on the open commitment of their own source', async (t) => {
  const { db, project } = await setup(t)
  const lineId = project.lines.Tickets!.id
  const mine = ticket()
  const other = ticket()
  await db.transaction().execute(async (trx) => {
    await commitFunds(trx, context, { budgetLineId: lineId, amount: EUR(300), source: mine })
    await commitFunds(trx, context, { budgetLineId: lineId, amount: EUR(5_000), source: other })
  })
  for (const post of [releaseFunds, spendFunds]) {
    const problem = await problemOf(db.transaction().execute((trx) => post(trx, context, { budgetLineId: lineId, amount: EUR(301), source: mine })))
    t.equal(problem.slug, 'conflict', `${post.name} of more than the source's open commitment is refused, though the line has more committed`)
    t.same(problem.extensions.open_commitment, EUR(300))
  }
  const never = await problemOf(db.transaction().execute((trx) => releaseFunds(trx, context, { budgetLineId: lineId, amount: EUR(1), source: ticket() })))
  t.equal(never.slug, 'conflict', 'a source that never committed has nothing to release')
  t.same(await balancesAndLedger(db, lineId), { allocated: 10_000, committed: 5_300, spent: 0, ledgerCommitted: 5_300, ledgerSpent: 0, entries: 2 })
})

t.test('nothing can be committed while the project is planned or after it is closed', async (t) => {
  const { db, project, as } = await setup(t, { Tickets: ['travel', 10_000] }, { activate: false })
  const lineId = project.lines.Tickets!.id
  const planned = await problemOf(db.transaction().execute((trx) => commitFunds(trx, context, { budgetLineId: lineId, amount: EUR(1), source: ticket() })))
  t.equal(planned.slug, 'conflict')
  const admin = as('ada', ['admin'])
  t.equal((await admin({ method: 'POST', url: `/v1/projects/${project.id}:activate` })).statusCode, 200)
  await db.transaction().execute((trx) => commitFunds(trx, context, { budgetLineId: lineId, amount: EUR(1), source: ticket() }))
  const source = ticket()
  await db.transaction().execute((trx) => commitFunds(trx, context, { budgetLineId: lineId, amount: EUR(5), source }))
  const [first] = await db.selectFrom('ledger_entries').select(['source_id']).where('amount_minor', '=', 1).execute()
  await db.transaction().execute(async (trx) => {
    await releaseFunds(trx, context, { budgetLineId: lineId, amount: EUR(1), source: { type: 'ticket', id: first!.source_id } })
    await spendFunds(trx, context, { budgetLineId: lineId, amount: EUR(5), source })
  })
  t.equal((await admin({ method: 'POST', url: `/v1/projects/${project.id}:close`, payload: { reason: 'Project period ended' } })).statusCode, 200)
  const closed = await problemOf(db.transaction().execute((trx) => commitFunds(trx, context, { budgetLineId: lineId, amount: EUR(1), source: ticket() })))
  t.equal(closed.slug, 'conflict', 'a closed project takes no commitments')
  const missing = await problemOf(db.transaction().execute((trx) => commitFunds(trx, context, { budgetLineId: newId(), amount: EUR(1), source: ticket() })))
  t.equal(missing.slug, 'not-found')
})

t.test('the ledger is append-only and the database itself refuses an overspent line', async (t) => {
  const { db, project } = await setup(t)
  const lineId = project.lines.Tickets!.id
  const entry = await db.transaction().execute((trx) => commitFunds(trx, context, { budgetLineId: lineId, amount: EUR(100), source: ticket() }))
  await t.rejects(sql`update ledger_entries set amount_minor = 1 where id = ${entry.id}`.execute(db), /append-only/, 'entries cannot be edited')
  await t.rejects(sql`delete from ledger_entries where id = ${entry.id}`.execute(db), /append-only/, 'entries cannot be deleted')
  await t.rejects(sql`truncate ledger_entries`.execute(db), /append-only/, 'the ledger cannot be truncated')
  await t.rejects(
    sql`update budget_lines set committed_minor = allocated_minor + 1 where id = ${lineId}`.execute(db),
    /budget_lines_never_overspent/,
    'a line can never hold more committed and spent than allocated, whatever writes it',
  )
  t.same(await balancesAndLedger(db, lineId), { allocated: 10_000, committed: 100, spent: 0, ledgerCommitted: 100, ledgerSpent: 0, entries: 1 })
})

t.test('releaseOpenCommitmentsForCase gives back every open commitment of the case and nothing else', async (t) => {
  const { db, project } = await setup(t, { Tickets: ['travel', 10_000], Baggage: ['excess_baggage', 2_000] })
  const tickets = project.lines.Tickets!.id
  const baggage = project.lines.Baggage!.id
  const caseId = await insertReturnCase(db)
  const otherCase = await insertReturnCase(db)
  const paymentRequestId = newId()
  const fullyOpen = ticket()
  const partlySpent = ticket()
  const bag = { type: 'excess_baggage' as const, id: newId() }
  const otherCaseTicket = ticket()
  await db.transaction().execute(async (trx) => {
    await commitFunds(trx, context, { budgetLineId: tickets, amount: EUR(700), source: fullyOpen, caseId })
    await commitFunds(trx, context, { budgetLineId: tickets, amount: EUR(500), source: partlySpent, caseId, paymentRequestId })
    await spendFunds(trx, context, { budgetLineId: tickets, amount: EUR(200), source: partlySpent, caseId, paymentRequestId })
    await commitFunds(trx, context, { budgetLineId: baggage, amount: EUR(90), source: bag, caseId })
    await commitFunds(trx, context, { budgetLineId: tickets, amount: EUR(400), source: otherCaseTicket, caseId: otherCase })
  })

  const released = await db.transaction().execute((trx) => releaseOpenCommitmentsForCase(trx, context, caseId, 'No-show at the airport'))
  t.equal(released.length, 3, 'one release per source with an open commitment')
  const byKey = new Map(released.map((entry) => [entry.source_id, entry]))
  t.match(byKey.get(fullyOpen.id), { kind: 'release', amount_minor: 700, case_id: caseId, note: 'No-show at the airport' })
  t.match(byKey.get(partlySpent.id), { kind: 'release', amount_minor: 300, payment_request_id: paymentRequestId }, 'what was already spent stays spent')
  t.match(byKey.get(bag.id), { kind: 'release', amount_minor: 90, budget_line_id: baggage })

  t.equal(await openCommitment(db, tickets, otherCaseTicket), 400, 'another case keeps its commitment')
  t.same(await balancesAndLedger(db, tickets), { allocated: 10_000, committed: 400, spent: 200, ledgerCommitted: 400, ledgerSpent: 200, entries: 6 })
  t.same(await balancesAndLedger(db, baggage), { allocated: 2_000, committed: 0, spent: 0, ledgerCommitted: 0, ledgerSpent: 0, entries: 2 })
  t.same(await db.transaction().execute((trx) => releaseOpenCommitmentsForCase(trx, context, caseId, 'again')), [], 'a second call has nothing left to release')
})
