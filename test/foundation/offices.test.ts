import t from 'tap'
import { buildTestApp } from '../helpers/app.js'

const vilnius = { code: 'VNO', name: 'IOM Vilnius', country: 'LT', kind: 'country_office' }
const tbilisi = { code: 'TBS', name: 'IOM Tbilisi', country: 'GE', kind: 'partner_office' }

t.test('offices: admin creates, staff and partners read, admin edits with If-Match', async (t) => {
  const { as, database } = await buildTestApp(t)
  const admin = as('ada', ['admin'])
  const counsellor = as('carla', ['counsellor'])

  const created = await admin({ method: 'POST', url: '/v1/offices', payload: vilnius })
  t.equal(created.statusCode, 201)
  const office = created.json()
  t.match(office, { ...vilnius, version: 1 })
  t.equal(created.headers.etag, '"1"')
  t.equal(created.headers.location, `/v1/offices/${office.id}`)

  const partner = as('pat', ['partner'], office.id)
  t.equal((await partner({ method: 'GET', url: `/v1/offices/${office.id}` })).statusCode, 200, 'partners can read offices')
  t.equal((await counsellor({ method: 'POST', url: '/v1/offices', payload: tbilisi })).statusCode, 403, 'only admin creates')

  const stale = await admin({ method: 'PATCH', url: `/v1/offices/${office.id}`, headers: { 'if-match': '"7"' }, payload: { name: 'X' } })
  t.equal(stale.statusCode, 412)
  t.equal(stale.json().type, '/problems/precondition-failed')
  const missing = await admin({ method: 'PATCH', url: `/v1/offices/${office.id}`, payload: { name: 'X' } })
  t.equal(missing.statusCode, 428)
  t.equal(missing.json().type, '/problems/precondition-required')

  const edited = await admin({ method: 'PATCH', url: `/v1/offices/${office.id}`, headers: { 'if-match': '"1"' }, payload: { name: 'IOM Lithuania' } })
  t.equal(edited.statusCode, 200)
  t.equal(edited.json().name, 'IOM Lithuania')
  t.equal(edited.headers.etag, '"2"')

  const audit = await database.db.selectFrom('audit_events').selectAll().where('entity_id', '=', office.id).orderBy('id').execute()
  t.same(audit.map((entry) => entry.action), ['office.created', 'office.updated'], 'every write is audited')
  t.same(audit[1]?.changes, { name: { before: 'IOM Vilnius', after: 'IOM Lithuania' } }, 'the audit entry holds only the changed fields')
  t.same(audit[1]?.actor_sub, 'ada')
  const events = await database.db.selectFrom('outbox_events').select('event_type').where('entity_id', '=', office.id).orderBy('sequence').execute()
  t.same(events.map((event) => event.event_type), ['office.created', 'office.updated'], 'every write emits an outbox event')
})

t.test('offices: codes, countries and kinds are validated and nothing is written', async (t) => {
  const { as, database } = await buildTestApp(t)
  const admin = as('ada', ['admin'])
  const bad = await admin({ method: 'POST', url: '/v1/offices', payload: { ...tbilisi, country: 'XX', kind: 'embassy', extra: 1 } })
  t.equal(bad.statusCode, 400)
  t.equal(bad.headers['content-type'], 'application/problem+json; charset=utf-8')
  const pointers = bad.json().errors.map((error: { pointer: string }) => error.pointer)
  t.ok(pointers.includes('/body/country'), 'an unknown ISO country code is refused')
  t.ok(pointers.includes('/body/kind'))
  t.ok(pointers.includes('/body/extra'), 'unknown properties are refused, not dropped')
  t.equal((await database.db.selectFrom('offices').select('id').execute()).length, 0)
  t.equal((await database.db.selectFrom('audit_events').select('id').execute()).length, 0)

  t.equal((await admin({ method: 'POST', url: '/v1/offices', payload: tbilisi })).statusCode, 201)
  const duplicate = await admin({ method: 'POST', url: '/v1/offices', payload: { ...tbilisi, name: 'Other' } })
  t.equal(duplicate.statusCode, 409)
  t.equal(duplicate.json().type, '/problems/duplicate-resource')
})

t.test('offices: keyset pagination and filters', async (t) => {
  const { as } = await buildTestApp(t)
  const admin = as('ada', ['admin'])
  const codes = ['AA', 'BB', 'CC', 'DD', 'EE']
  for (const code of codes) {
    await admin({ method: 'POST', url: '/v1/offices', payload: { code, name: code, country: code === 'EE' ? 'IQ' : 'GE', kind: 'partner_office' } })
  }
  const seen: string[] = []
  let cursor: string | null = null
  do {
    const query: string = cursor ? `?limit=2&cursor=${cursor}` : '?limit=2'
    const page = (await admin({ method: 'GET', url: `/v1/offices${query}` })).json()
    t.ok(page.items.length <= 2)
    seen.push(...page.items.map((office: { code: string }) => office.code))
    cursor = page.next_cursor
  } while (cursor)
  t.same(seen, codes, 'pages follow each other without gaps or repeats')
  const iraq = (await admin({ method: 'GET', url: '/v1/offices?country=IQ' })).json()
  t.same(iraq.items.map((office: { code: string }) => office.code), ['EE'])
  const badCursor = await admin({ method: 'GET', url: '/v1/offices?cursor=garbage' })
  t.equal(badCursor.statusCode, 400)
  t.equal(badCursor.json().errors[0].pointer, '/query/cursor')
})
