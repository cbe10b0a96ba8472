import t from 'tap'
import { buildTestApp } from '../helpers/app.js'
import { createProjectWithLines, EUR } from '../projects/fixtures.js'
import { balancesAndLedger, countRows } from './helpers.js'

t.test('ledger over HTTP: manual commitments and releases, refusals that write nothing, the ledger listed page by page', async (t) => {
  const { as, database } = await buildTestApp(t)
  const db = database.db
  const finance = as('fiona', ['finance'])
  const project = await createProjectWithLines(finance, { Tickets: ['travel', 1_000] })
  const other = await createProjectWithLines(finance, { Elsewhere: ['travel', 1_000] })
  const lineId = project.lines.Tickets!.id
  const url = `/v1/projects/${project.id}/budget-lines/${lineId}/ledger-entries`

  const committed = await finance({ method: 'POST', url, payload: { kind: 'commit', amount: EUR(600), note: 'Interpretation, framework contract 2010/17' } })
  t.equal(committed.statusCode, 201)
  const entry = committed.json()
  t.match(entry, { kind: 'commit', amount: EUR(600), source: { type: 'other' }, actor_sub: 'fiona', budget_line_id: lineId, case_id: null })
  const audit = await db.selectFrom('audit_events').select(['action', 'entity_id', 'request_id']).where('action', '=', 'budget_line.manual_commit').execute()
  t.same(audit, [{ action: 'budget_line.manual_commit', entity_id: lineId, request_id: entry.request_id }], 'audited on the line, tied to the entry by request id')

  const before = { entries: await countRows(db, 'ledger_entries'), audit: await countRows(db, 'audit_events'), events: await countRows(db, 'outbox_events') }
  const exhausted = await finance({ method: 'POST', url, payload: { kind: 'commit', amount: EUR(401), note: 'Too much' } })
  t.equal(exhausted.statusCode, 409)
  t.equal(exhausted.headers['content-type'], 'application/problem+json; charset=utf-8')
  t.match(exhausted.json(), { type: '/problems/budget-line-exhausted', available: EUR(400), budget_line_id: lineId })
  const mismatch = await finance({ method: 'POST', url, payload: { kind: 'commit', amount: { amount_minor: 5, currency: 'USD' }, note: 'Dollars' } })
  t.equal(mismatch.statusCode, 422)
  t.equal(mismatch.json().type, '/problems/currency-mismatch')
  const noSource = await finance({ method: 'POST', url, payload: { kind: 'release', amount: EUR(5), note: 'Which one?' } })
  t.equal(noSource.statusCode, 400)
  t.same(noSource.json().errors, [{ pointer: '/body/source_id', detail: 'is required for a release' }])
  const tooMuchBack = await finance({ method: 'POST', url, payload: { kind: 'release', amount: EUR(601), source_id: entry.source.id, note: 'x' } })
  t.equal(tooMuchBack.statusCode, 409)
  t.match(tooMuchBack.json(), { type: '/problems/conflict', open_commitment: EUR(600) })
  const spend = await finance({ method: 'POST', url, payload: { kind: 'spend', amount: EUR(5), source_id: entry.source.id, note: 'x' } })
  t.equal(spend.statusCode, 400, 'money is never spent by hand, only through payments')
  const zero = await finance({ method: 'POST', url, payload: { kind: 'commit', amount: EUR(0), note: 'x' } })
  t.equal(zero.statusCode, 400)
  const wrongProject = await finance({ method: 'POST', url: `/v1/projects/${other.id}/budget-lines/${lineId}/ledger-entries`, payload: { kind: 'commit', amount: EUR(1), note: 'x' } })
  t.equal(wrongProject.statusCode, 404, 'a line is reached only through its own project')
  t.equal((await as('avery', ['approver'])({ method: 'POST', url, payload: { kind: 'commit', amount: EUR(1), note: 'x' } })).statusCode, 403)
  t.same(
    { entries: await countRows(db, 'ledger_entries'), audit: await countRows(db, 'audit_events'), events: await countRows(db, 'outbox_events') },
    before,
    'no refusal wrote an entry, an audit entry or an event',
  )

  const released = await finance({ method: 'POST', url, payload: { kind: 'release', amount: EUR(250), source_id: entry.source.id, note: 'Fewer sessions' } })
  t.equal(released.statusCode, 201)
  t.same((await finance({ method: 'GET', url: `/v1/projects/${project.id}/budget-lines/${lineId}` })).json().committed, EUR(350))

  for (let index = 0; index < 3; index += 1) await finance({ method: 'POST', url, payload: { kind: 'commit', amount: EUR(10), note: `Extra ${index}` } })
  const seen: string[] = []
  let cursor: string | null = null
  do {
    const page: { items: Array<{ kind: string; name: string; amount: { amount_minor: number } }>; next_cursor: string | null } = (await as('auditor', ['auditor'])({ method: 'GET', url: `${url}?limit=2${cursor ? `&cursor=${cursor}` : ''}` })).json()
    t.ok(page.items.length <= 2)
    seen.push(...page.items.map((item: { kind: string; amount: { amount_minor: number } }) => `${item.kind}:${item.amount.amount_minor}`))
    cursor = page.next_cursor
  } while (cursor)
  t.same(seen, ['commit:600', 'release:250', 'commit:10', 'commit:10', 'commit:10'], 'every entry once, oldest first')
  const releases = (await finance({ method: 'GET', url: `${url}?kind=release` })).json()
  t.same(releases.items.map((item: { id: string }) => item.id), [released.json().id])
  const bySource = (await finance({ method: 'GET', url: `${url}?source_id=${entry.source.id}` })).json()
  t.equal(bySource.items.length, 2)
  t.equal((await finance({ method: 'GET', url: `${url}?cursor=garbage` })).statusCode, 400)
  const forged = Buffer.from(JSON.stringify(['not-an-id'])).toString('base64url')
  t.equal((await finance({ method: 'GET', url: `${url}?cursor=${forged}` })).statusCode, 400, 'a forged cursor is refused, not a database error')
  t.equal((await as('pat', ['partner'], project.id)({ method: 'GET', url })).statusCode, 403)
  t.equal((await finance({ method: 'GET', url: `/v1/projects/${other.id}/budget-lines/${lineId}/ledger-entries` })).statusCode, 404)
  const balances = await balancesAndLedger(db, lineId)
  t.equal(balances.committed, balances.ledgerCommitted)
  t.equal(balances.committed, 380)
})

t.test('a retried commitment with the same Idempotency-Key commits once, even when the retries race', async (t) => {
  const { as, database } = await buildTestApp(t)
  const finance = as('fiona', ['finance'])
  const project = await createProjectWithLines(finance, { Tickets: ['travel', 1_000] })
  const lineId = project.lines.Tickets!.id
  const url = `/v1/projects/${project.id}/budget-lines/${lineId}/ledger-entries`
  const send = () => finance({ method: 'POST', url, headers: { 'idempotency-key': 'charter-2010-17' }, payload: { kind: 'commit', amount: EUR(300), note: 'Charter' } })
  const responses = await Promise.all([send(), send(), send(), send()])
  t.same(responses.map((response) => response.statusCode), [201, 201, 201, 201])
  t.equal(new Set(responses.map((response) => response.json().id)).size, 1, 'every retry gets the first response')
  t.equal(responses.filter((response) => response.headers['idempotent-replayed'] === 'true').length, 3)
  t.same(await balancesAndLedger(database.db, lineId), { allocated: 1_000, committed: 300, spent: 0, ledgerCommitted: 300, ledgerSpent: 0, entries: 1 })
})

t.test('a keyed commitment stores its response in the statement that commits: a replay answers the same body; a refusal stores nothing', async (t) => {
  const { as, database } = await buildTestApp(t)
  const finance = as('fiona', ['finance'])
  const project = await createProjectWithLines(finance, { Tickets: ['travel', 1_000] })
  const lineId = project.lines.Tickets!.id
  const url = `/v1/projects/${project.id}/budget-lines/${lineId}/ledger-entries`
  const send = (key: string, amount: number) => finance({ method: 'POST', url, headers: { 'idempotency-key': key }, payload: { kind: 'commit', amount: EUR(amount), note: 'Charter' } })
  const first = await send('charter-1', 400)
  t.equal(first.statusCode, 201)
  const replay = await send('charter-1', 400)
  t.equal(replay.headers['idempotent-replayed'], 'true')
  t.same(replay.json(), first.json(), 'the stored response is the response, field for field (created_at to the millisecond)')
  const stored = await database.db.selectFrom('idempotency_keys').select(['response_status', 'response_headers']).where('key', '=', 'charter-1').executeTakeFirstOrThrow()
  t.same(stored, { response_status: 201, response_headers: {} })

  const refused = await send('charter-2', 700)
  t.equal(refused.statusCode, 409)
  t.equal(refused.json().type, '/problems/budget-line-exhausted')
  t.equal(await database.db.selectFrom('idempotency_keys').select('key').where('key', '=', 'charter-2').executeTakeFirst(), undefined, 'a refused commitment leaves no claim: the client may retry')
  t.same(await balancesAndLedger(database.db, lineId), { allocated: 1_000, committed: 400, spent: 0, ledgerCommitted: 400, ledgerSpent: 0, entries: 1 })
})
