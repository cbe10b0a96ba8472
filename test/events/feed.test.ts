import pg from 'pg'
import t from 'tap'
import { purgeExpiredEvents } from '../../src/modules/events/index.js'
import { emitEvent } from '../../src/shared/outbox.js'
import { approvedCase, caseFixture, createCase, type Json } from '../return-cases/helpers.js'
import { readAll, settled } from './helpers.js'

t.test('the feed: every change as a CloudEvent, in order, filtered by type and case', async (t) => {
  const fixture = await caseFixture(t)
  const approved = await approvedCase(fixture)
  const other = await createCase(fixture.counsellor, fixture.offices.vilnius, { project_id: fixture.projectId })
  const { items } = await readAll(fixture, fixture.admin)
  const ofCase = items.filter((event) => event.data.case_id === approved.id)
  t.same(
    ofCase.filter((event) => event.data.entity_type === 'return_case').map((event) => event.type),
    ['avrr.return_case.created', 'avrr.return_case.submitted', 'avrr.return_case.in_counselling', 'avrr.return_case.approved', 'avrr.return_case.referred'],
    'the case\'s events in the order they happened',
  )
  const approval = ofCase.find((event) => event.type === 'avrr.return_case.approved') as Json
  t.match(approval, {
    specversion: '1.0',
    source: '/avrr',
    subject: `return_case/${approved.id}`,
    datacontenttype: 'application/json',
    data: { entity_type: 'return_case', entity_id: approved.id, case_id: approved.id, status: 'approved', state: { to_status: 'approved', reference: approved.reference } },
  })
  t.ok(approval.data.changed.includes('status'), 'what changed is named')
  t.ok(Date.parse(approval.time) > 0)
  const added = await fixture.counsellor({ method: 'POST', url: `/v1/return-cases/${other.id}/members`, payload: { relationship: 'spouse_partner', given_name: 'Nino', family_name: 'Beridze', sex: 'female', date_of_birth: '1980-05-02', nationality: 'GE' } })
  t.equal(added.statusCode, 201, added.body)
  const member = (await readAll(fixture, fixture.admin, '&type=avrr.case_member.added')).items[0] as Json
  t.equal(member.subject, `return_case/${other.id}/case_member/${added.json().id}`, 'an entity of a case is under the case')
  t.notMatch(JSON.stringify(member), /Nino|1980-05-02/, 'no personal data in the event')

  const approvals = await readAll(fixture, fixture.admin, '&type=avrr.return_case.approved&type=avrr.return_case.created')
  t.same(new Set(approvals.items.map((event) => event.type)), new Set(['avrr.return_case.approved', 'avrr.return_case.created']), 'type filter, repeatable')
  const byCase = await readAll(fixture, fixture.admin, `&case_id=${other.id}`)
  t.ok(byCase.items.length > 0)
  t.ok(byCase.items.every((event) => event.data.case_id === other.id), 'case filter')

  const everything = (await readAll(fixture, fixture.admin)).items
  const first = await fixture.admin({ method: 'GET', url: '/v1/events?limit=2' })
  t.equal(first.json().items.length, 2)
  t.equal(first.json().has_more, true)
  const rest = await fixture.admin({ method: 'GET', url: `/v1/events?limit=500&after=${first.json().next_cursor}` })
  t.same([...first.json().items, ...rest.json().items].map((event: Json) => event.id), everything.map((event) => event.id), 'pages resume exactly after the cursor')
  const end = await fixture.admin({ method: 'GET', url: `/v1/events?after=${rest.json().next_cursor}` })
  t.same(end.json(), { items: [], next_cursor: rest.json().next_cursor, has_more: false }, 'at the end the cursor stays where it was')

  for (const bad of ['not-a-cursor', Buffer.from('["x",1]').toString('base64url'), Buffer.from('[1]').toString('base64url')]) {
    const response = await fixture.admin({ method: 'GET', url: `/v1/events?after=${bad}` })
    t.equal(response.statusCode, 400, `a cursor this API did not issue is 400 (${bad})`)
    t.equal(response.json().errors[0].pointer, '/query/after')
  }
  t.equal((await fixture.admin({ method: 'GET', url: '/v1/events?type=return_case.approved' })).statusCode, 400, 'types are CloudEvents types')
  t.equal((await fixture.admin({ method: 'GET', url: '/v1/events?wait=31' })).statusCode, 400, 'a long poll is 30 s at most')
})

t.test('partner offices read only the events of the cases referred to them', async (t) => {
  const fixture = await caseFixture(t)
  const georgian = await approvedCase(fixture)
  const iraqi = await approvedCase(fixture, { country_of_return: 'IQ', place_of_return: 'Erbil' })
  const unreferred = await createCase(fixture.counsellor, fixture.offices.vilnius, { project_id: fixture.projectId })
  const tbilisi = await readAll(fixture, fixture.as('tamar', ['partner'], fixture.offices.tbilisi))
  const baghdad = await readAll(fixture, fixture.as('bashir', ['partner'], fixture.offices.baghdad))
  t.ok(tbilisi.items.length > 0)
  t.same([...new Set(tbilisi.items.map((event) => event.data.case_id))], [georgian.id], 'Tbilisi sees only its case (the referral and its history)')
  t.ok(tbilisi.items.some((event) => event.type === 'avrr.return_case.referred'), 'including the referral itself')
  t.same([...new Set(baghdad.items.map((event) => event.data.case_id))], [iraqi.id], 'Baghdad sees only its case')
  const foreign = await fixture.as('tamar', ['partner'], fixture.offices.tbilisi)({ method: 'GET', url: `/v1/events?case_id=${iraqi.id}` })
  t.same(foreign.json().items, [], 'another office\'s case filtered by id gives nothing')
  const all = await readAll(fixture, fixture.auditor)
  t.ok(all.items.some((event) => event.data.case_id === unreferred.id), 'staff and auditors read every event')
  t.ok(all.items.some((event) => event.data.entity_type === 'office'), 'including those without a case')
})

t.test('restricted vulnerability details and bank details never leave in an event', async (t) => {
  const fixture = await caseFixture(t)
  const approved = await approvedCase(fixture)
  const principal = approved.members[0].id as string
  const recorded = await fixture.protection({
    method: 'POST',
    url: `/v1/return-cases/${approved.id}/members/${principal}/vulnerabilities`,
    payload: { code: 'victim_of_trafficking', notes: 'Referred by the anti-trafficking hotline' },
  })
  t.equal(recorded.statusCode, 201, recorded.body)
  const supplier = await fixture.as('tamar', ['partner'], fixture.offices.tbilisi)({
    method: 'POST',
    url: '/v1/suppliers',
    payload: {
      name: 'Kutaisi Stroi LLC',
      registration_number: '404123456',
      address: 'Kutaisi, Rustaveli 1',
      contact: { person: 'Davit Lomidze', phone: '+995 431 240 000' },
      bank_details: { account_holder: 'Kutaisi Stroi LLC', bank_name: 'Bank of Georgia', account_number: 'GE29NB0000000101904917', swift_bic: 'BAGAGE22' },
    },
  })
  t.equal(supplier.statusCode, 201, supplier.body)
  for (const reader of [fixture.admin, fixture.protection, fixture.as('tamar', ['partner'], fixture.offices.tbilisi)]) {
    const { items } = await readAll(fixture, reader)
    const text = JSON.stringify(items)
    t.notMatch(text, /victim_of_trafficking/, 'the restricted code never appears')
    t.notMatch(text, /anti-trafficking hotline/, 'nor its notes')
    t.notMatch(text, /GE29NB0000000101904917|BAGAGE22|Bank of Georgia/, 'nor bank details')
    const vulnerability = items.find((event) => event.type === 'avrr.member_vulnerability.recorded')
    if (vulnerability) t.match(vulnerability.data.state, { code: 'restricted', restricted: true }, 'masked as the API masks it')
  }
  const { items } = await readAll(fixture, fixture.admin)
  t.ok(items.some((event) => event.type === 'avrr.member_vulnerability.recorded'), 'the entry itself is an event')
  t.ok(items.some((event) => event.type === 'avrr.supplier.registered' && event.data.state.has_bank_details === true), 'only that bank details exist')
})

t.test('long poll: an empty page waits for the next event, and no longer than asked', async (t) => {
  const fixture = await caseFixture(t)
  const { cursor } = await readAll(fixture, fixture.admin)
  const started = Date.now()
  const waiting = fixture.admin({ method: 'GET', url: `/v1/events?wait=20&after=${cursor}` })
  await new Promise((resolve) => setTimeout(resolve, 300))
  const created = await createCase(fixture.counsellor, fixture.offices.vilnius, { project_id: fixture.projectId })
  const page = (await waiting).json()
  t.ok(Date.now() - started < 15_000, 'answered when the event came, not at the end of the wait')
  t.equal(page.items[0]?.data.case_id, created.id)
  const quiet = Date.now()
  const empty = await fixture.admin({ method: 'GET', url: `/v1/events?wait=1&after=${page.next_cursor}&case_id=${created.id}&type=avrr.return_case.closed` })
  t.same(empty.json().items, [])
  t.ok(Date.now() - quiet >= 900, 'an empty long poll waits its time')
})

t.test('a transaction that commits after a later one is not skipped by a reader', { skip: process.env.DATABASE_URL ? false : 'needs two connections (PostgreSQL server)' }, async (t) => {
  const fixture = await caseFixture(t)
  const { cursor: start } = await readAll(fixture, fixture.admin)
  const url = fixture.database.url as string
  const [early, late] = [new pg.Client({ connectionString: url }), new pg.Client({ connectionString: url })]
  await Promise.all([early.connect(), late.connect()])
  t.teardown(() => Promise.all([early.end(), late.end()]))
  const insert = (client: pg.Client, name: string) =>
    client.query(`insert into outbox_events (id, event_type, entity_type, entity_id, payload) values (gen_random_uuid(), 'office.updated', 'office', $1, '{}') returning sequence`, [name])
  await early.query('begin')
  const first = (await insert(early, 'first')).rows[0].sequence
  await late.query('begin')
  const second = (await insert(late, 'second')).rows[0].sequence
  t.ok(Number(first) < Number(second), 'the early transaction took the lower sequence number')
  await late.query('commit')
  await new Promise((resolve) => setTimeout(resolve, 200))
  const whileOpen = await fixture.admin({ method: 'GET', url: `/v1/events?after=${start}` })
  t.same(whileOpen.json().items, [], 'the later commit is held back while the earlier transaction may still commit')
  await early.query('commit')
  await settled(fixture)
  const after = await fixture.admin({ method: 'GET', url: `/v1/events?after=${whileOpen.json().next_cursor}` })
  t.same(after.json().items.map((event: Json) => event.data.entity_id).sort(), ['first', 'second'], 'once both committed, a reader resuming from its cursor gets both')
})

t.test('the feed on the embedded database uses the same positions', async (t) => {
  const fixture = await caseFixture(t)
  await fixture.database.db.transaction().execute(async (trx) => {
    await emitEvent(trx, { type: 'office.updated', entityType: 'office', entityId: 'one', payload: {} })
    await emitEvent(trx, { type: 'office.updated', entityType: 'office', entityId: 'two', payload: {} })
  })
  const { items } = await readAll(fixture, fixture.admin, '&type=avrr.office.updated')
  t.same(items.map((event) => event.data.entity_id), ['one', 'two'], 'events of one transaction in their sequence order')
})

t.test('events past retention are purged; a cursor before them is 410 cursor-expired', async (t) => {
  const fixture = await caseFixture(t)
  await createCase(fixture.counsellor, fixture.offices.vilnius, { project_id: fixture.projectId })
  const { items, cursor } = await readAll(fixture, fixture.admin)
  const firstPage = await fixture.admin({ method: 'GET', url: '/v1/events?limit=1' })
  const staleCursor = firstPage.json().next_cursor as string
  const cutoffIndex = Math.floor(items.length / 2)
  // The older half of the events is made 100 days old.
  await fixture.database.db
    .updateTable('outbox_events')
    .set({ occurred_at: new Date(Date.now() - 100 * 86_400_000) })
    .where('id', 'in', items.slice(0, cutoffIndex + 1).map((event) => event.id))
    .execute()
  const purged = await purgeExpiredEvents(fixture.database.db, 90)
  t.equal(purged.events, cutoffIndex + 1, 'the events older than the retention are deleted')
  const expired = await fixture.admin({ method: 'GET', url: `/v1/events?after=${staleCursor}` })
  t.equal(expired.statusCode, 410)
  t.equal(expired.json().type, '/problems/cursor-expired')
  const current = await fixture.admin({ method: 'GET', url: `/v1/events?after=${cursor}` })
  t.equal(current.statusCode, 200, 'a cursor after the purged events still reads')
  const fromStart = await readAll(fixture, fixture.admin)
  t.same(fromStart.items.map((event) => event.id), items.slice(cutoffIndex + 1).map((event) => event.id), 'the feed starts at the oldest event kept')
})
