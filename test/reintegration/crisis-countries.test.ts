import t from 'tap'
import { buildTestApp } from '../helpers/app.js'

const URL = '/v1/crisis-countries'

t.test('crisis countries: a dated list kept by administrators, read by everyone', async (t) => {
  const { as, database } = await buildTestApp(t)
  const admin = as('ada', ['admin'])
  const created = await admin({ method: 'POST', url: URL, payload: { country: 'IQ', kind: 'conflict', valid_from: '2003-03-20', source: 'UNHCR position on returns to Iraq', notes: 'Whole country' } })
  t.equal(created.statusCode, 201)
  const listing = created.json()
  t.match(listing, { country: 'IQ', kind: 'conflict', valid_from: '2003-03-20', valid_to: null, created_by: 'ada', version: 1 })
  t.equal(created.headers.location, `${URL}/${listing.id}`)

  for (const role of ['counsellor', 'approver', 'finance', 'partner', 'auditor'] as const) {
    const caller = as(`user-${role}`, [role], role === 'partner' ? '01900000-0000-7000-8000-000000000000' : undefined)
    t.equal((await caller({ method: 'GET', url: `${URL}/${listing.id}` })).statusCode, 200, `${role} reads the list`)
    const write = await caller({ method: 'POST', url: URL, payload: { country: 'SY', kind: 'war', valid_from: '2011-03-15', source: 'x' } })
    t.equal(write.statusCode, 403, `${role} does not change it`)
  }

  const refused = async (payload: Record<string, unknown>, status: number, type: string) => {
    const response = await admin({ method: 'POST', url: URL, payload })
    t.equal(response.statusCode, status, JSON.stringify(payload))
    t.equal(response.json().type, `/problems/${type}`)
  }
  await refused({ country: 'XX', kind: 'war', valid_from: '2011-03-15', source: 'x' }, 400, 'validation-error')
  await refused({ country: 'SY', kind: 'famine', valid_from: '2011-03-15', source: 'x' }, 400, 'validation-error')
  await refused({ country: 'SY', kind: 'war', valid_from: '2011-03-15' }, 400, 'validation-error')
  await refused({ country: 'SY', kind: 'war', valid_from: '2011-03-15', valid_to: '2011-03-14', source: 'x' }, 422, 'unprocessable-entity')
  await refused({ country: 'IQ', kind: 'conflict', valid_from: '2010-01-01', valid_to: '2003-03-20', source: 'overlaps by one day' }, 422, 'unprocessable-entity')
  await refused({ country: 'IQ', kind: 'conflict', valid_from: '2001-01-01', valid_to: '2003-03-20', source: 'overlaps by one day' }, 409, 'duplicate-resource')
  await refused({ country: 'IQ', kind: 'conflict', valid_from: '2020-01-01', source: 'inside an open listing' }, 409, 'duplicate-resource')
  t.equal((await database.db.selectFrom('crisis_countries').select('id').execute()).length, 1, 'refused listings wrote nothing')

  const earlier = await admin({ method: 'POST', url: URL, payload: { country: 'IQ', kind: 'conflict', valid_from: '1991-01-17', valid_to: '2003-03-19', source: 'Gulf war and after' } })
  t.equal(earlier.statusCode, 201, 'a period before the open one does not overlap it')
  const disaster = await admin({ method: 'POST', url: URL, payload: { country: 'IQ', kind: 'disaster', valid_from: '2023-01-01', valid_to: '2023-12-31', source: 'Drought' } })
  t.equal(disaster.statusCode, 201, 'another kind may overlap')

  const onDate = (await admin({ method: 'GET', url: `${URL}?country=IQ&on=2000-06-01` })).json()
  t.same(onDate.items.map((item: { id: string }) => item.id), [earlier.json().id], 'filtered to the listings valid on a date')

  const url = `${URL}/${listing.id}`
  t.equal((await admin({ method: 'PATCH', url, payload: { valid_to: '2026-06-30' } })).statusCode, 428)
  t.equal((await admin({ method: 'PATCH', url, headers: { 'if-match': '"7"' }, payload: { valid_to: '2026-06-30' } })).statusCode, 412)
  t.equal((await admin({ method: 'PATCH', url, headers: { 'if-match': '"1"' }, payload: { valid_to: '2003-01-01' } })).statusCode, 422, 'cannot end before it starts')
  t.equal((await admin({ method: 'PATCH', url, headers: { 'if-match': '"1"' }, payload: { country: 'SY' } })).statusCode, 400, 'the country of a listing never changes')
  const ended = await admin({ method: 'PATCH', url, headers: { 'if-match': '"1"' }, payload: { valid_to: '2026-06-30' } })
  t.equal(ended.statusCode, 200)
  t.match(ended.json(), { valid_to: '2026-06-30', version: 2 })
  const audit = await database.db.selectFrom('audit_events').select(['action', 'changes']).where('entity_id', '=', listing.id).orderBy('id').execute()
  t.same(audit.map((row) => row.action), ['crisis_country.listed', 'crisis_country.updated'])
  t.same(audit[1]?.changes.valid_to, { before: null, after: '2026-06-30' })
})
