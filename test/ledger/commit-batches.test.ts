import { sql } from 'kysely'
import t from 'tap'
import { CommitBatches } from '../../src/modules/projects/commit-batches.js'
import { manualPosting } from '../../src/modules/projects/ledger-service.js'
import type { RequestContext } from '../../src/shared/context.js'
import { buildTestApp } from '../helpers/app.js'
import { createProjectWithLines, EUR } from '../projects/fixtures.js'
import { balancesAndLedger } from './helpers.js'

const contextOf = (index: number): RequestContext => ({ actor: { sub: `finance-${index}`, roles: ['finance'], officeId: null }, requestId: `request-${index}` })

t.test('commitments arriving together are written by one statement each batch, never beyond the line', async (t) => {
  const { as, database } = await buildTestApp(t)
  const db = database.db
  const project = await createProjectWithLines(as('fiona', ['finance']), { Tickets: ['travel', 1_000] })
  const lineId = project.lines.Tickets!.id
  const batches = new CommitBatches(db)
  const amounts = Array.from({ length: 40 }, (_, index) => 10 + ((index * 13) % 50))

  const entries = await Promise.all(
    amounts.map((amount, index) =>
      batches.commit(contextOf(index), manualPosting(project.id, lineId, { kind: 'commit', amount: EUR(amount), note: `seat ${index}` })),
    ),
  )
  const taken = entries.flatMap((entry, index) => (entry ? [{ entry, index }] : []))
  const committed = taken.reduce((sum, { entry }) => sum + entry.amount_minor, 0)
  t.ok(taken.length > 0 && taken.length < amounts.length, `the line takes some (${taken.length}) and not all of ${amounts.length}`)
  t.ok(committed <= 1_000, `committed ${committed} never exceeds the allocation`)
  t.ok(
    taken.every(({ entry, index }) => entry.amount_minor === amounts[index] && entry.actor_sub === `finance-${index}` && entry.request_id === `request-${index}`),
    'each caller gets its own entry, with its amount, actor and request',
  )
  t.same(await balancesAndLedger(db, lineId), { allocated: 1_000, committed, spent: 0, ledgerCommitted: committed, ledgerSpent: 0, entries: taken.length })

  // Entries written by one statement share its transaction's timestamp: fewer distinct times than entries
  // means commitments really went together (one by one, each would have its own).
  const times = new Set(taken.map(({ entry }) => entry.created_at.getTime()))
  t.ok(times.size < taken.length, `${taken.length} entries in ${times.size} statements`)

  const audit = await sql<{ actor_sub: string; request_id: string; action: string }>`
    select actor_sub, request_id, action from audit_events
     where entity_type = 'budget_line' and entity_id = ${lineId} and action = 'budget_line.manual_commit'`.execute(db)
  t.same(
    audit.rows.map((row) => `${row.action} ${row.actor_sub} ${row.request_id}`).sort(),
    taken.map(({ index }) => `budget_line.manual_commit finance-${index} request-${index}`).sort(),
    'one audit entry per accepted commitment, with its own actor and request; none for the others',
  )
  const events = await sql<{ count: number }>`
    select count(*)::int as count from outbox_events where event_type = 'ledger.committed' and payload->>'budget_line_id' = ${lineId}`.execute(db)
  t.equal(events.rows[0]?.count, taken.length, 'one outbox event per accepted commitment')
})

t.test('a batch takes nothing it cannot charge: another currency, another project, an inactive project', async (t) => {
  const { as, database } = await buildTestApp(t)
  const finance = as('fiona', ['finance'])
  const project = await createProjectWithLines(finance, { Tickets: ['travel', 1_000] })
  const inactive = await createProjectWithLines(finance, { Tickets: ['travel', 1_000] }, { activate: false })
  const lineId = project.lines.Tickets!.id
  const batches = new CommitBatches(database.db)
  const commit = (projectId: string, line: string, amount: { amount_minor: number; currency: string }) =>
    batches.commit(contextOf(0), manualPosting(projectId, line, { kind: 'commit', amount, note: 'n' }))

  t.equal(await commit(project.id, lineId, { amount_minor: 10, currency: 'USD' }), undefined, 'another currency')
  t.equal(await commit(inactive.id, lineId, EUR(10)), undefined, 'a line of another project')
  t.equal(await commit(inactive.id, inactive.lines.Tickets!.id, EUR(10)), undefined, 'a project that is not active')
  t.same(await balancesAndLedger(database.db, lineId), { allocated: 1_000, committed: 0, spent: 0, ledgerCommitted: 0, ledgerSpent: 0, entries: 0 }, 'nothing written')

  // Through the API, what the batch does not take gets the exact answer from the single path.
  const response = await finance({
    method: 'POST',
    url: `/v1/projects/${project.id}/budget-lines/${lineId}/ledger-entries`,
    payload: { kind: 'commit', amount: { amount_minor: 10, currency: 'USD' }, note: 'n' },
  })
  t.equal(response.statusCode, 422)
  t.equal(response.json().type, '/problems/currency-mismatch')
})
