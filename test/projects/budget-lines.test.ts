import t from 'tap'
import { buildTestApp } from '../helpers/app.js'
import { sql } from 'kysely'
import { createProjectWithLines, EUR } from './fixtures.js'

const countOf = async (db: import('kysely').Kysely<import('../../src/db/schema.js').DB>, table: 'budget_lines' | 'audit_events') =>
  Number((await db.selectFrom(table).select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()).n)

t.test('budget lines: created within the project total, listed with balances, partners refused', async (t) => {
  const { as, database } = await buildTestApp(t)
  const finance = as('fiona', ['finance'])
  const project = await createProjectWithLines(finance, {}, { project: { total: EUR(10_000) } })
  const url = `/v1/projects/${project.id}/budget-lines`

  const travel = await finance({ method: 'POST', url, payload: { category: 'travel', name: 'Air tickets', allocated: EUR(6_000) } })
  t.equal(travel.statusCode, 201)
  t.match(travel.json(), { project_id: project.id, category: 'travel', allocated: EUR(6_000), committed: EUR(0), spent: EUR(0), available: EUR(6_000), version: 1 })
  t.equal(travel.headers.location, `${url}/${travel.json().id}`)

  const auditBefore = await countOf(database.db, 'audit_events')
  const tooMuch = await finance({ method: 'POST', url, payload: { category: 'cash_grant', name: 'Grants', allocated: EUR(4_001) } })
  t.equal(tooMuch.statusCode, 409, 'allocations never exceed the project total')
  t.match(tooMuch.json(), { type: '/problems/project-budget-exceeded', unallocated: EUR(4_000), total: EUR(10_000) })
  const wrongCurrency = await finance({ method: 'POST', url, payload: { category: 'cash_grant', name: 'Grants', allocated: { amount_minor: 100, currency: 'USD' } } })
  t.equal(wrongCurrency.statusCode, 422)
  t.equal(wrongCurrency.json().type, '/problems/currency-mismatch')
  const badCategory = await finance({ method: 'POST', url, payload: { category: 'cash', name: 'Grants', allocated: EUR(1) } })
  t.equal(badCategory.statusCode, 400)
  const duplicate = await finance({ method: 'POST', url, payload: { category: 'other', name: 'Air tickets', allocated: EUR(1) } })
  t.equal(duplicate.statusCode, 409)
  t.equal(duplicate.json().type, '/problems/duplicate-resource')
  t.equal(await countOf(database.db, 'budget_lines'), 1, 'refused lines are not written')
  t.equal(await countOf(database.db, 'audit_events'), auditBefore, 'nor audited')

  t.equal((await finance({ method: 'POST', url, payload: { category: 'cash_grant', name: 'Grants', allocated: EUR(4_000) } })).statusCode, 201, 'exactly the rest fits')

  const pages: string[] = []
  let cursor: string | null = null
  do {
    const page: { items: Array<{ kind: string; name: string; amount: { amount_minor: number } }>; next_cursor: string | null } = (await as('auditor', ['auditor'])({ method: 'GET', url: `${url}?limit=1${cursor ? `&cursor=${cursor}` : ''}` })).json()
    pages.push(...page.items.map((line: { name: string }) => line.name))
    cursor = page.next_cursor
  } while (cursor)
  t.same(pages, ['Air tickets', 'Grants'], 'pages of lines in creation order')
  t.same((await finance({ method: 'GET', url: `${url}?category=cash_grant` })).json().items.map((line: { name: string }) => line.name), ['Grants'])
  t.equal((await as('pat', ['partner'], project.id)({ method: 'GET', url })).statusCode, 403)
  t.equal((await finance({ method: 'GET', url: `/v1/projects/01900000-0000-7000-8000-000000000000/budget-lines` })).statusCode, 404)
  t.equal((await finance({ method: 'GET', url: `${url}/01900000-0000-7000-8000-000000000000` })).statusCode, 404)
})

t.test('concurrent line creations cannot together allocate more than the total', async (t) => {
  const { as, database } = await buildTestApp(t)
  const finance = as('fiona', ['finance'])
  const project = await createProjectWithLines(finance, {}, { project: { total: EUR(1_000) } })
  const responses = await Promise.all(
    Array.from({ length: 25 }, (_, index) =>
      finance({ method: 'POST', url: `/v1/projects/${project.id}/budget-lines`, payload: { category: 'other', name: `Line ${index}`, allocated: EUR(100) } }),
    ),
  )
  t.equal(responses.filter((response) => response.statusCode === 201).length, 10, 'exactly ten lines of 100 fit in 1000')
  t.equal(responses.filter((response) => response.statusCode === 409 && response.json().type === '/problems/project-budget-exceeded').length, 15)
  const sum = await database.db
    .selectFrom('budget_lines')
    .select(sql<number>`sum(allocated_minor)::bigint`.as('sum'))
    .where('project_id', '=', project.id)
    .executeTakeFirstOrThrow()
  t.equal(Number(sum.sum), 1_000)
})

t.test('a line\'s allocation changes within the total and never below what it has committed and spent', async (t) => {
  const { as } = await buildTestApp(t)
  const finance = as('fiona', ['finance'])
  const project = await createProjectWithLines(finance, { Tickets: ['travel', 5_000], Grants: ['cash_grant', 3_000] }, { project: { total: EUR(10_000) } })
  const lineUrl = `/v1/projects/${project.id}/budget-lines/${project.lines.Tickets!.id}`
  await finance({ method: 'POST', url: `${lineUrl}/ledger-entries`, payload: { kind: 'commit', amount: EUR(1_200), note: 'Charter' } })

  t.equal((await finance({ method: 'PATCH', url: lineUrl, payload: { name: 'Flights' } })).statusCode, 428)
  const belowCommitted = await finance({ method: 'PATCH', url: lineUrl, headers: { 'if-match': '"1"' }, payload: { allocated: EUR(1_199) } })
  t.equal(belowCommitted.statusCode, 409)
  t.match(belowCommitted.json(), { type: '/problems/budget-line-exhausted', committed: EUR(1_200) })
  const overTotal = await finance({ method: 'PATCH', url: lineUrl, headers: { 'if-match': '"1"' }, payload: { allocated: EUR(7_001) } })
  t.equal(overTotal.statusCode, 409)
  t.match(overTotal.json(), { type: '/problems/project-budget-exceeded', unallocated: EUR(7_000) })
  const updated = await finance({ method: 'PATCH', url: lineUrl, headers: { 'if-match': '"1"' }, payload: { name: 'Flights', allocated: EUR(1_200) } })
  t.equal(updated.statusCode, 200)
  t.match(updated.json(), { name: 'Flights', allocated: EUR(1_200), committed: EUR(1_200), available: EUR(0), version: 2 })
  t.equal(updated.headers.etag, '"2"')
  const renamedClash = await finance({ method: 'PATCH', url: lineUrl, headers: { 'if-match': '"2"' }, payload: { name: 'Grants' } })
  t.equal(renamedClash.statusCode, 409)
})

t.test('re-allocation moves money between two lines, is audited, and never takes a line below committed and spent', async (t) => {
  const { as, database } = await buildTestApp(t)
  const finance = as('fiona', ['finance'])
  const project = await createProjectWithLines(finance, { Tickets: ['travel', 5_000], Reintegration: ['in_kind_reintegration', 3_000] })
  const other = await createProjectWithLines(finance, { Elsewhere: ['travel', 100] })
  const tickets = project.lines.Tickets!.id
  const reintegration = project.lines.Reintegration!.id
  const url = `/v1/projects/${project.id}/budget-lines:reallocate`
  await finance({ method: 'POST', url: `/v1/projects/${project.id}/budget-lines/${tickets}/ledger-entries`, payload: { kind: 'commit', amount: EUR(4_000), note: 'Charter' } })
  const auditBefore = await countOf(database.db, 'audit_events')

  const belowCommitted = await finance({ method: 'POST', url, payload: { from_line_id: tickets, to_line_id: reintegration, amount: EUR(1_001), reason: 'More start-ups' } })
  t.equal(belowCommitted.statusCode, 409, 'the line would fall below what it has committed')
  t.match(belowCommitted.json(), { type: '/problems/budget-line-exhausted', available: EUR(1_000), budget_line_id: tickets })
  const sameLine = await finance({ method: 'POST', url, payload: { from_line_id: tickets, to_line_id: tickets, amount: EUR(1), reason: 'x' } })
  t.equal(sameLine.statusCode, 400)
  const zero = await finance({ method: 'POST', url, payload: { from_line_id: tickets, to_line_id: reintegration, amount: EUR(0), reason: 'x' } })
  t.equal(zero.statusCode, 400)
  const foreign = await finance({ method: 'POST', url, payload: { from_line_id: tickets, to_line_id: other.lines.Elsewhere!.id, amount: EUR(1), reason: 'x' } })
  t.equal(foreign.statusCode, 422, 'both lines must belong to the project')
  t.same(foreign.json().errors.map((error: { pointer: string }) => error.pointer), ['/body/to_line_id'])
  const currency = await finance({ method: 'POST', url, payload: { from_line_id: tickets, to_line_id: reintegration, amount: { amount_minor: 1, currency: 'USD' }, reason: 'x' } })
  t.equal(currency.statusCode, 422)
  t.equal(currency.json().type, '/problems/currency-mismatch')
  t.equal((await as('avery', ['approver'])({ method: 'POST', url, payload: { from_line_id: tickets, to_line_id: reintegration, amount: EUR(1), reason: 'x' } })).statusCode, 403)
  t.equal(await countOf(database.db, 'audit_events'), auditBefore, 'refused re-allocations leave no trace')

  const moved = await finance({ method: 'POST', url, payload: { from_line_id: tickets, to_line_id: reintegration, amount: EUR(1_000), reason: 'More start-ups' } })
  t.equal(moved.statusCode, 200)
  t.match(moved.json(), { from: { id: tickets, allocated: EUR(4_000), committed: EUR(4_000), available: EUR(0) }, to: { id: reintegration, allocated: EUR(4_000) } })
  const audit = await database.db.selectFrom('audit_events').select(['entity_id', 'action', 'changes']).where('action', '=', 'budget_line.reallocated').orderBy('id').execute()
  t.same(
    audit.map((entry) => [entry.entity_id, entry.changes.allocated_minor]),
    [
      [tickets, { before: 5_000, after: 4_000 }],
      [reintegration, { before: 3_000, after: 4_000 }],
    ],
  )
  t.match(audit[0]!.changes.reason, { after: 'More start-ups' })
  const project_ = (await finance({ method: 'GET', url: `/v1/projects/${project.id}` })).json()
  t.same(project_.allocated, EUR(8_000), 'a re-allocation does not change what the project has allocated')
})
