import t from 'tap'
import { sql } from 'kysely'
import { openPostgres } from '../../src/db/database.js'
import { newId } from '../../src/shared/ids.js'
import { ProblemError } from '../../src/shared/problems.js'
import { commitFunds, releaseFunds } from '../../src/modules/projects/ledger.js'
import { buildTestApp } from '../helpers/app.js'
import { createProjectWithLines, EUR } from '../projects/fixtures.js'
import { balancesAndLedger, financeContext as context } from './helpers.js'

const entriesUrl = (projectId: string, lineId: string) => `/v1/projects/${projectId}/budget-lines/${lineId}/ledger-entries`

t.test('60 concurrent commitments through the API on one line: exactly those that fit succeed, the others are 409', async (t) => {
  const { as, database } = await buildTestApp(t)
  const finance = as('fiona', ['finance'])
  const project = await createProjectWithLines(finance, { Tickets: ['travel', 1_000] })
  const lineId = project.lines.Tickets!.id

  const responses = await Promise.all(
    Array.from({ length: 60 }, (_, index) =>
      finance({ method: 'POST', url: entriesUrl(project.id, lineId), payload: { kind: 'commit', amount: EUR(37), note: `Charter seat ${index}` } }),
    ),
  )
  const succeeded = responses.filter((response) => response.statusCode === 201)
  const refused = responses.filter((response) => response.statusCode === 409)
  t.equal(succeeded.length, 27, '27 × 37 = 999 fits in 1000; a 28th would not')
  t.equal(refused.length, 33, 'every other request is refused')
  t.ok(
    refused.every((response) => response.json().type === '/problems/budget-line-exhausted' && response.json().available.amount_minor === 1),
    'each refusal is budget-line-exhausted naming the 1 minor unit left',
  )
  const balances = await balancesAndLedger(database.db, lineId)
  t.same(balances, { allocated: 1_000, committed: 999, spent: 0, ledgerCommitted: 999, ledgerSpent: 0, entries: 27 }, 'never more than allocated; the line equals its ledger')
})

t.test('80 concurrent commitments of mixed amounts through the service: the sum never exceeds the line', async (t) => {
  const { as, database } = await buildTestApp(t)
  const db = database.db
  const project = await createProjectWithLines(as('fiona', ['finance']), { Grants: ['cash_grant', 2_000] })
  const lineId = project.lines.Grants!.id
  const amounts = Array.from({ length: 80 }, (_, index) => 1 + ((index * 37) % 100))

  const outcomes = await Promise.all(
    amounts.map((amount) =>
      db
        .transaction()
        .execute((trx) => commitFunds(trx, context, { budgetLineId: lineId, amount: EUR(amount), source: { type: 'cash_grant', id: newId() } }))
        .then(
          () => ({ amount, ok: true as const }),
          (error: unknown) => {
            if (error instanceof ProblemError && error.slug === 'budget-line-exhausted') return { amount, ok: false as const }
            throw error
          },
        ),
    ),
  )
  const committed = outcomes.filter((outcome) => outcome.ok).reduce((sum, outcome) => sum + outcome.amount, 0)
  const balances = await balancesAndLedger(db, lineId)
  t.equal(balances.committed, committed, 'the line holds exactly the successful commitments')
  t.ok(committed <= 2_000, `committed ${committed} never exceeds the allocation`)
  t.ok(outcomes.some((outcome) => !outcome.ok), 'the amounts asked for exceed the line, so some were refused')
  const available = 2_000 - committed
  t.ok(
    outcomes.filter((outcome) => !outcome.ok).every((outcome) => outcome.amount > available),
    'only commitments that did not fit were refused: each is larger than what is left',
  )
  t.equal(balances.ledgerCommitted, balances.committed, 'the cached balance equals the ledger')
  t.equal(balances.entries, outcomes.filter((outcome) => outcome.ok).length, 'one entry per successful commitment, none for a refusal')
})

t.test('concurrent releases of one commitment never release more than was committed', async (t) => {
  const { as, database } = await buildTestApp(t)
  const db = database.db
  const project = await createProjectWithLines(as('fiona', ['finance']), { Tickets: ['travel', 1_000] })
  const lineId = project.lines.Tickets!.id
  const source = { type: 'ticket' as const, id: newId() }
  const other = { type: 'ticket' as const, id: newId() }
  await db.transaction().execute(async (trx) => {
    await commitFunds(trx, context, { budgetLineId: lineId, amount: EUR(100), source })
    await commitFunds(trx, context, { budgetLineId: lineId, amount: EUR(500), source: other })
  })
  const outcomes = await Promise.all(
    Array.from({ length: 10 }, () =>
      db
        .transaction()
        .execute((trx) => releaseFunds(trx, context, { budgetLineId: lineId, amount: EUR(30), source }))
        .then(
          () => true,
          (error: unknown) => {
            if (error instanceof ProblemError && error.slug === 'conflict') return false
            throw error
          },
        ),
    ),
  )
  t.equal(outcomes.filter(Boolean).length, 3, 'three releases of 30 fit in the 100 committed; a fourth would take another source\'s money')
  t.same(await balancesAndLedger(db, lineId), { allocated: 1_000, committed: 510, spent: 0, ledgerCommitted: 510, ledgerSpent: 0, entries: 5 })
})

const twoInstances = {
  skip: process.env.DATABASE_URL
    ? false
    : 'the embedded database lives in one process: a second service instance cannot open it (run with DATABASE_URL for this test)',
}

t.test('two service instances on the same database never overspend a line between them', twoInstances, async (t) => {
  const first = await buildTestApp(t)
  if (!first.database.url) throw new Error('a PostgreSQL test database has a URL')
  // A second app with its own connection pool on the same database: what a second server process would be.
  const secondUrl = new URL(first.database.url)
  secondUrl.searchParams.set('application_name', 'avrr-second-instance')
  const secondDatabase = openPostgres(secondUrl.toString(), 10)
  t.teardown(async () => {
    await secondDatabase.close()
    // end() returns before the server has seen the connections go; wait, so that dropping the
    // database afterwards does not kill a connection of this pool while it is still closing.
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const { rows } = await sql<{ open: number }>`
        select count(*)::int as open from pg_stat_activity where datname = current_database() and application_name = 'avrr-second-instance'`.execute(first.database.db)
      if (rows[0]?.open === 0) break
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  })
  const second = await buildTestApp(t, {}, secondDatabase)
  const project = await createProjectWithLines(first.as('fiona', ['finance']), { Tickets: ['travel', 1_000] })
  const lineId = project.lines.Tickets!.id

  const callers = [first.as('fiona', ['finance']), second.as('frank', ['finance'])]
  const responses = await Promise.all(
    Array.from({ length: 60 }, (_, index) =>
      callers[index % 2]!({ method: 'POST', url: entriesUrl(project.id, lineId), payload: { kind: 'commit', amount: EUR(50), note: `Seat ${index}` } }),
    ),
  )
  const byInstance = [0, 1].map((instance) => responses.filter((response, index) => index % 2 === instance && response.statusCode === 201).length)
  t.equal(byInstance[0]! + byInstance[1]!, 20, 'exactly 20 × 50 = 1000 fit, whichever instance served them')
  t.equal(responses.filter((response) => response.statusCode === 409 && response.json().type === '/problems/budget-line-exhausted').length, 40)
  t.same(await balancesAndLedger(secondDatabase.db, lineId), { allocated: 1_000, committed: 1_000, spent: 0, ledgerCommitted: 1_000, ledgerSpent: 0, entries: 20 })
})
