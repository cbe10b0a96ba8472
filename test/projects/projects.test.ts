import t from 'tap'
import { buildTestApp } from '../helpers/app.js'
import { sql } from 'kysely'
import { assertProjectAcceptsCase, budgetLineForCost, findProjectRow } from '../../src/modules/projects/access.js'
import { createProjectWithLines, EUR, projectBody } from './fixtures.js'
import { problemOf } from '../ledger/helpers.js'


const count = async (db: Parameters<typeof findProjectRow>[0], table: 'projects' | 'project_co_funders' | 'audit_events' | 'outbox_events') =>
  Number((await db.selectFrom(table).select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()).n)

t.test('projects: finance creates, staff read, partners never see budgets; edits need If-Match and are audited', async (t) => {
  const { as, database } = await buildTestApp(t)
  const finance = as('fiona', ['finance'])
  const body = projectBody({
    targets: { persons: 200, individuals: 80, families: 40 },
    second_approval_threshold: EUR(100000),
    cash_grant_rule: { kind: 'per_person', adult: EUR(20000), child: EUR(10000) },
  })
  const created = await finance({ method: 'POST', url: '/v1/projects', payload: body })
  t.equal(created.statusCode, 201)
  const project = created.json()
  t.match(project, {
    code: body.code,
    status: 'planned',
    currency: 'EUR',
    total: EUR(3803700),
    allocated: EUR(0),
    co_funders: body.co_funders,
    targets: { persons: 200, individuals: 80, families: 40 },
    second_approval_threshold: EUR(100000),
    cash_grant_rule: { kind: 'per_person', adult: EUR(20000), child: EUR(10000) },
    version: 1,
  })
  t.equal(created.headers.location, `/v1/projects/${project.id}`)
  t.equal(created.headers.etag, '"1"')

  for (const role of ['counsellor', 'operations', 'approver', 'auditor', 'protection'] as const) {
    t.equal((await as('someone', [role])({ method: 'GET', url: `/v1/projects/${project.id}` })).statusCode, 200, `${role} reads projects`)
  }
  const partner = as('pat', ['partner'], project.id)
  t.equal((await partner({ method: 'GET', url: `/v1/projects/${project.id}` })).statusCode, 403, 'partners have no access to budgets')
  t.equal((await partner({ method: 'GET', url: `/v1/projects/${project.id}/budget-report` })).statusCode, 403)
  t.equal((await as('carla', ['counsellor'])({ method: 'POST', url: '/v1/projects', payload: projectBody() })).statusCode, 403, 'only admin and finance create')

  t.equal((await finance({ method: 'PATCH', url: `/v1/projects/${project.id}`, payload: { title: 'X' } })).statusCode, 428)
  t.equal((await finance({ method: 'PATCH', url: `/v1/projects/${project.id}`, headers: { 'if-match': '"9"' }, payload: { title: 'X' } })).statusCode, 412)
  const edited = await finance({
    method: 'PATCH',
    url: `/v1/projects/${project.id}`,
    headers: { 'if-match': '"1"' },
    payload: { ends_on: '2011-09-30', cash_grant_rule: { kind: 'per_household', flat: EUR(30000) } },
  })
  t.equal(edited.statusCode, 200)
  t.match(edited.json(), { ends_on: '2011-09-30', cash_grant_rule: { kind: 'per_household', flat: EUR(30000) }, version: 2 })
  const row = await findProjectRow(database.db, project.id)
  t.match(row, { cash_grant_rule_kind: 'per_household', cash_grant_flat_minor: 30000, cash_grant_adult_minor: null, second_approval_threshold_minor: 100000 })

  const audit = await database.db.selectFrom('audit_events').select(['action', 'changes', 'actor_sub']).where('entity_id', '=', project.id).orderBy('id').execute()
  t.same(audit.map((entry) => entry.action), ['project.created', 'project.updated'])
  t.same(Object.keys(audit[1]!.changes).sort(), ['cash_grant_rule', 'ends_on'], 'the audit entry holds only what changed')
  const events = await database.db.selectFrom('outbox_events').select('event_type').where('entity_id', '=', project.id).orderBy('sequence').execute()
  t.same(events.map((event) => event.event_type), ['project.created', 'project.updated'])

  const list = await as('auditor', ['auditor'])({ method: 'GET', url: '/v1/projects?status=planned' })
  t.same(list.json().items.map((item: { id: string }) => item.id), [project.id])
  t.same((await finance({ method: 'GET', url: '/v1/projects?status=active' })).json().items, [])
})

t.test('co-funder shares must sum to exactly 10000 basis points; bad input writes nothing', async (t) => {
  const { as, database } = await buildTestApp(t)
  const finance = as('fiona', ['finance'])
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['shares summing to 9999', { co_funders: [{ name: 'EU', share_bp: 7500 }, { name: 'State', share_bp: 2499 }] }, '/body/co_funders'],
    ['shares summing to 10001', { co_funders: [{ name: 'EU', share_bp: 7501 }, { name: 'State', share_bp: 2500 }] }, '/body/co_funders'],
    ['a co-funder listed twice', { co_funders: [{ name: 'EU', share_bp: 5000 }, { name: 'EU', share_bp: 5000 }] }, '/body/co_funders/1/name'],
    ['no co-funder', { co_funders: [] }, '/body/co_funders'],
    ['a share of 0', { co_funders: [{ name: 'EU', share_bp: 0 }, { name: 'State', share_bp: 10000 }] }, '/body/co_funders/0/share_bp'],
    ['a period ending before it starts', { starts_on: '2011-07-01', ends_on: '2011-06-30' }, '/body/ends_on'],
    ['more individuals and families than persons', { targets: { persons: 100, individuals: 80, families: 40 } }, '/body/targets'],
    ['an unknown currency', { total: { amount_minor: 1, currency: 'EUX' } }, '/body/total/currency'],
    ['a fractional amount', { total: { amount_minor: 1.5, currency: 'EUR' } }, '/body/total/amount_minor'],
    ['a malformed code', { code: 'lt reint' }, '/body/code'],
  ]
  for (const [what, overrides, pointer] of cases) {
    const response = await finance({ method: 'POST', url: '/v1/projects', payload: projectBody(overrides) })
    t.equal(response.statusCode, 400, `${what} is refused`)
    t.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8')
    t.ok(response.json().errors.some((error: { pointer: string }) => error.pointer === pointer), `${what} points at ${pointer}`)
  }
  t.same([await count(database.db, 'projects'), await count(database.db, 'audit_events'), await count(database.db, 'outbox_events')], [0, 0, 0], 'nothing was written')

  const ok = await finance({ method: 'POST', url: '/v1/projects', payload: projectBody({ co_funders: [{ name: 'EU', share_bp: 3333 }, { name: 'State', share_bp: 3333 }, { name: 'City', share_bp: 3334 }] }) })
  t.equal(ok.statusCode, 201, 'three co-funders summing to 10000 are accepted')
  const id = ok.json().id
  const wrongPatch = await finance({ method: 'PATCH', url: `/v1/projects/${id}`, headers: { 'if-match': '"1"' }, payload: { co_funders: [{ name: 'EU', share_bp: 9000 }] } })
  t.equal(wrongPatch.statusCode, 400, 'a replacement list must sum to 10000 too')
  const replaced = await finance({ method: 'PATCH', url: `/v1/projects/${id}`, headers: { 'if-match': '"1"' }, payload: { co_funders: [{ name: 'EU', share_bp: 10000 }] } })
  t.same(replaced.json().co_funders, [{ name: 'EU', share_bp: 10000 }])

  await t.rejects(
    database.db.transaction().execute(async (trx) => {
      await trx.updateTable('project_co_funders').set({ share_bp: 5000 }).where('project_id', '=', id).execute()
    }),
    /sum to 5000 basis points/,
    'the database refuses, at commit, shares that do not sum to 10000, whatever writes them',
  )
})

t.test('amounts of a project must be in its currency (422), codes are unique (409)', async (t) => {
  const { as, database } = await buildTestApp(t)
  const finance = as('fiona', ['finance'])
  const mismatch = await finance({
    method: 'POST',
    url: '/v1/projects',
    payload: projectBody({ second_approval_threshold: { amount_minor: 100, currency: 'USD' }, cash_grant_rule: { kind: 'per_household', flat: { amount_minor: 5, currency: 'GEL' } } }),
  })
  t.equal(mismatch.statusCode, 422)
  t.equal(mismatch.json().type, '/problems/currency-mismatch')
  t.same(mismatch.json().errors.map((error: { pointer: string }) => error.pointer), ['/body/second_approval_threshold/currency', '/body/cash_grant_rule/flat/currency'])
  t.equal(await count(database.db, 'projects'), 0)

  const body = projectBody()
  t.equal((await finance({ method: 'POST', url: '/v1/projects', payload: body })).statusCode, 201)
  const duplicate = await finance({ method: 'POST', url: '/v1/projects', payload: { ...body, title: 'Another' } })
  t.equal(duplicate.statusCode, 409)
  t.equal(duplicate.json().type, '/problems/duplicate-resource')
})

t.test('status: planned → active → closed; closing needs no open commitments; a closed project is read-only', async (t) => {
  const { as } = await buildTestApp(t)
  const finance = as('fiona', ['finance'])
  const project = await createProjectWithLines(finance, { Tickets: ['travel', 1000] }, { activate: false })
  const url = `/v1/projects/${project.id}`
  t.equal((await finance({ method: 'POST', url: `${url}:close`, headers: { 'if-match': '"7"' }, payload: { reason: 'x' } })).statusCode, 412, 'If-Match, when sent, must match')

  const codeChange = await finance({ method: 'PATCH', url, headers: { 'if-match': '"1"' }, payload: { code: 'LT-NEW-CODE', total: { amount_minor: 5000, currency: 'USD' } } })
  t.equal(codeChange.statusCode, 422, 'the currency cannot change once the project has budget lines')
  t.equal(codeChange.json().type, '/problems/currency-mismatch')

  const activated = await finance({ method: 'POST', url: `${url}:activate` })
  t.equal(activated.statusCode, 200)
  t.equal(activated.json().status, 'active')
  const again = await finance({ method: 'POST', url: `${url}:activate` })
  t.equal(again.statusCode, 409)
  t.match(again.json(), { type: '/problems/invalid-transition', current_status: 'active' })
  const lateCode = await finance({ method: 'PATCH', url, headers: { 'if-match': `"${activated.json().version}"` }, payload: { code: 'LT-NEW-CODE' } })
  t.equal(lateCode.statusCode, 409, 'the code is fixed once the project is active')

  const line = project.lines.Tickets!.id
  const commit = await finance({ method: 'POST', url: `${url}/budget-lines/${line}/ledger-entries`, payload: { kind: 'commit', amount: EUR(400), note: 'Charter' } })
  t.equal(commit.statusCode, 201)
  const refused = await finance({ method: 'POST', url: `${url}:close`, payload: { reason: 'Period ended' } })
  t.equal(refused.statusCode, 409, 'money still committed keeps the project open')
  t.same(refused.json().open_commitments, [{ budget_line_id: line, committed: EUR(400) }])
  t.equal((await finance({ method: 'POST', url: `${url}:close`, payload: {} })).statusCode, 400, 'closing needs a reason')

  const release = await finance({ method: 'POST', url: `${url}/budget-lines/${line}/ledger-entries`, payload: { kind: 'release', amount: EUR(400), source_id: commit.json().source.id, note: 'Cancelled' } })
  t.equal(release.statusCode, 201)
  const closed = await finance({ method: 'POST', url: `${url}:close`, payload: { reason: 'Period ended' } })
  t.equal(closed.statusCode, 200)
  t.equal(closed.json().status, 'closed')
  const version = closed.json().version

  t.equal((await finance({ method: 'PATCH', url, headers: { 'if-match': `"${version}"` }, payload: { title: 'Reopened?' } })).statusCode, 409, 'a closed project cannot be edited')
  t.equal((await finance({ method: 'POST', url: `${url}/budget-lines`, payload: { category: 'other', name: 'Late', allocated: EUR(1) } })).statusCode, 409, 'nor get new lines')
  t.equal((await finance({ method: 'POST', url: `${url}:activate` })).statusCode, 409, 'nor be reopened')
})

t.test('the total never drops below what is allocated', async (t) => {
  const { as } = await buildTestApp(t)
  const finance = as('fiona', ['finance'])
  const project = await createProjectWithLines(finance, { Tickets: ['travel', 3_000_000] })
  const url = `/v1/projects/${project.id}`
  const tooLow = await finance({ method: 'PATCH', url, headers: { 'if-match': `"${project.version}"` }, payload: { total: EUR(2_999_999) } })
  t.equal(tooLow.statusCode, 409)
  t.equal(tooLow.json().type, '/problems/project-budget-exceeded')
  t.equal((await finance({ method: 'GET', url })).json().total.amount_minor, 3803700)
  const exact = await finance({ method: 'PATCH', url, headers: { 'if-match': `"${project.version}"` }, payload: { total: EUR(3_000_000) } })
  t.equal(exact.statusCode, 200)
  t.same(exact.json().allocated, EUR(3_000_000))
})

t.test('assertProjectAcceptsCase: only an active project whose period covers the date', async (t) => {
  const { as, database } = await buildTestApp(t)
  const db = database.db
  const finance = as('fiona', ['finance'])
  const planned = await createProjectWithLines(finance, {}, { activate: false })
  const active = await createProjectWithLines(finance, {})

  await assertProjectAcceptsCase(db, active.id, '2010-07-01')
  await assertProjectAcceptsCase(db, active.id, '2011-06-30')
  t.pass('an active project accepts cases on the first and the last day of its period')
  for (const [what, id, date] of [
    ['a planned project', planned.id, '2010-09-01'],
    ['a date before the period', active.id, '2010-06-30'],
    ['a date after the period', active.id, '2011-07-01'],
    ['a project that does not exist', '01900000-0000-7000-8000-000000000000', '2010-09-01'],
    ['an id that is not a uuid', 'nonsense', '2010-09-01'],
  ] as const) {
    const problem = await problemOf(assertProjectAcceptsCase(db, id, date))
    t.equal(problem.slug, 'unprocessable-entity', `${what} is refused`)
    t.same((problem.extensions.errors as Array<{ pointer: string }>).map((error) => error.pointer), ['/body/project_id'])
  }
})

t.test('budgetLineForCost: the first line of the cost\'s category, else the fallback the project routes it to, else 409 no-budget-line-for-cost', async (t) => {
  const { as, database } = await buildTestApp(t)
  const finance = as('fiona', ['finance'])
  const project = await createProjectWithLines(
    finance,
    { Flights: ['travel', 100], 'More flights': ['travel', 200], Grants: ['cash_grant', 50], Baggage: ['excess_baggage', 30] },
    { project: { cost_routing: { excess_baggage: 'cash_grant', insurance: 'travel' } } },
  )
  t.equal((await budgetLineForCost(database.db, project.id, 'ticket')).id, project.lines.Flights!.id, 'the first line of the category')
  t.equal((await budgetLineForCost(database.db, project.id, 'cash_grant', { forUpdate: true })).id, project.lines.Grants!.id)
  t.equal((await budgetLineForCost(database.db, project.id, 'excess_baggage')).id, project.lines.Baggage!.id, 'a line of its own category comes before the fallback')
  t.equal((await budgetLineForCost(database.db, project.id, 'insurance')).id, project.lines.Flights!.id, 'no insurance line: the travel line it is routed to')
  const none = await problemOf(budgetLineForCost(database.db, project.id, 'accommodation'))
  t.equal(none.slug, 'no-budget-line-for-cost')
  t.match(none.extensions, { project_id: project.id, cost_kind: 'accommodation', category: 'accommodation', fallback_category: null })
  t.match(none.detail, /no accommodation budget line/)

  const routedNowhere = await createProjectWithLines(finance, { Flights: ['travel', 100] }, { project: { cost_routing: { in_kind: 'other' } } })
  const missingFallback = await problemOf(budgetLineForCost(database.db, routedNowhere.id, 'in_kind'))
  t.equal(missingFallback.slug, 'no-budget-line-for-cost')
  t.match(missingFallback.extensions, { cost_kind: 'in_kind', category: 'in_kind_reintegration', fallback_category: 'other' }, 'names the fallback that has no line either')
  t.equal(await findProjectRow(database.db, 'not-a-uuid'), undefined)
})

t.test('cost routing is part of the project: validated, returned, changed with If-Match', async (t) => {
  const { as } = await buildTestApp(t)
  const finance = as('fiona', ['finance'])
  const ownCategory = await finance({ method: 'POST', url: '/v1/projects', payload: projectBody({ cost_routing: { excess_baggage: 'excess_baggage' } }) })
  t.equal(ownCategory.statusCode, 400, 'a fallback to the kind\'s own category says nothing')
  t.same(ownCategory.json().errors.map((error: { pointer: string }) => error.pointer), ['/body/cost_routing/excess_baggage'])
  const unknownKind = await finance({ method: 'POST', url: '/v1/projects', payload: projectBody({ cost_routing: { limousine: 'travel' } }) })
  t.equal(unknownKind.statusCode, 400, 'only known cost kinds')
  const unknownCategory = await finance({ method: 'POST', url: '/v1/projects', payload: projectBody({ cost_routing: { insurance: 'champagne' } }) })
  t.equal(unknownCategory.statusCode, 400, 'only known categories')
  const created = await finance({ method: 'POST', url: '/v1/projects', payload: projectBody() })
  t.same(created.json().cost_routing, {}, 'no routing by default')
  const updated = await finance({
    method: 'PATCH',
    url: `/v1/projects/${created.json().id}`,
    headers: { 'if-match': created.headers.etag as string },
    payload: { cost_routing: { excess_baggage: 'travel', insurance: 'travel' } },
  })
  t.equal(updated.statusCode, 200)
  t.same(updated.json().cost_routing, { excess_baggage: 'travel', insurance: 'travel' })
})
