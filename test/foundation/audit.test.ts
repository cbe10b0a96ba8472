import { sql } from 'kysely'
import t from 'tap'
import { diff, MASKED } from '../../src/shared/audit.js'
import { buildTestApp } from '../helpers/app.js'

t.test('the audit trail is append-only in the database itself', async (t) => {
  const { as, database } = await buildTestApp(t)
  await as('ada', ['admin'])({ method: 'POST', url: '/v1/offices', payload: { code: 'VNO', name: 'IOM Vilnius', country: 'LT', kind: 'country_office' } })
  await t.rejects(sql`update audit_events set actor_sub = 'mallory'`.execute(database.db), /append-only/)
  await t.rejects(sql`delete from audit_events`.execute(database.db), /append-only/)
  await t.rejects(sql`truncate audit_events`.execute(database.db), /append-only/)
  const entries = await database.db.selectFrom('audit_events').select('actor_sub').execute()
  t.same(entries, [{ actor_sub: 'ada' }])
})

t.test('audit entries record who, when, which request and what changed; auditors search them', async (t) => {
  const { as } = await buildTestApp(t)
  const admin = as('ada', ['admin'])
  const created = await admin({ method: 'POST', url: '/v1/offices', payload: { code: 'VNO', name: 'IOM Vilnius', country: 'LT', kind: 'country_office' } })
  const office = created.json()
  await admin({ method: 'PATCH', url: `/v1/offices/${office.id}`, headers: { 'if-match': '"1"' }, payload: { name: 'IOM Lithuania' } })
  await as('bob', ['admin'])({ method: 'POST', url: '/v1/offices', payload: { code: 'TBS', name: 'IOM Tbilisi', country: 'GE', kind: 'partner_office' } })

  const auditor = as('aud', ['auditor'])
  const all = (await auditor({ method: 'GET', url: '/v1/audit-events' })).json()
  t.same(all.items.map((entry: { action: string }) => entry.action), ['office.created', 'office.updated', 'office.created'].reverse(), 'newest first')
  const update = all.items[1]
  t.match(update, {
    actor: { sub: 'ada', roles: ['admin'], office_id: null },
    entity_type: 'office',
    entity_id: office.id,
    changes: { name: { before: 'IOM Vilnius', after: 'IOM Lithuania' } },
  })
  t.ok(update.request_id, 'the request id links the entry to the logs')

  const byEntity = (await auditor({ method: 'GET', url: `/v1/audit-events?entity_type=office&entity_id=${office.id}` })).json()
  t.equal(byEntity.items.length, 2)
  const byActor = (await auditor({ method: 'GET', url: '/v1/audit-events?actor=bob' })).json()
  t.equal(byActor.items.length, 1)
  const future = encodeURIComponent(new Date(Date.now() + 60_000).toISOString())
  t.equal((await auditor({ method: 'GET', url: `/v1/audit-events?from=${future}` })).json().items.length, 0, 'time filter')
  const firstPage = (await auditor({ method: 'GET', url: '/v1/audit-events?limit=2' })).json()
  t.equal(firstPage.items.length, 2)
  const secondPage = (await auditor({ method: 'GET', url: `/v1/audit-events?limit=2&cursor=${firstPage.next_cursor}` })).json()
  t.equal(secondPage.items.length, 1)
  t.equal(secondPage.next_cursor, null)
  t.equal((await as('c', ['counsellor'])({ method: 'GET', url: '/v1/audit-events' })).statusCode, 403, 'only auditors and admins read the trail')
})

t.test('restricted fields are recorded as changed but never with their values', async (t) => {
  const changes = diff({ notes: 'trafficked by X', name: 'A' }, { notes: 'moved to a shelter', name: 'B' }, ['notes'])
  t.same(changes, { notes: { before: MASKED, after: MASKED }, name: { before: 'A', after: 'B' } })
  t.same(diff(null, { notes: 'secret' }, ['notes']), { notes: { after: MASKED } })
})
