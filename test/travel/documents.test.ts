import t from 'tap'
import { MASKED } from '../../src/shared/audit.js'
import { createBooking, directSegment, expectStatus, isoDate, passport, recordPassport, rowCounts, travelFixture } from './fixtures.js'

const documents = (caseId: string) => `/v1/return-cases/${caseId}/travel-documents`

t.test('a passport is recorded valid; an emergency travel document goes requested → issued, with its wait visible', async (t) => {
  const fixture = await travelFixture(t)
  const { caseId, memberIds } = await fixture.newCase({ members: [{}, {}] })
  const [principal, spouse] = memberIds as [string, string]

  const held = await recordPassport(fixture, caseId, principal)
  t.match(held, { kind: 'national_passport', status: 'valid', document_number: '13AB45678', issuing_country: 'GE', waiting_days: null, allowed_actions: [] })

  const requested = await expectStatus(
    await fixture.operations({
      method: 'POST',
      url: documents(caseId),
      payload: { member_id: spouse, kind: 'emergency_travel_document', issuing_country: 'GE', issuing_authority: 'Embassy of Georgia in Vilnius', requested_on: isoDate(-12) },
    }),
    201,
    'request ETD',
  )
  t.match(requested, { status: 'requested', document_number: null, expires_on: null, waiting_days: 12, allowed_actions: ['issue', 'refuse'] }, 'the wait so far is shown')

  const issued = await expectStatus(
    await fixture.counsellor({
      method: 'POST',
      url: `${documents(caseId)}/${requested.id}:issue`,
      headers: { 'if-match': `"${requested.version}"` },
      payload: { document_number: 'ETD0042117', issued_on: isoDate(-2), expires_on: isoDate(90) },
    }),
    200,
    'issue ETD',
  )
  t.match(issued, { status: 'issued', document_number: 'ETD0042117', waiting_days: 10, issuing_authority: 'Embassy of Georgia in Vilnius', version: 2 }, 'waited 10 days')

  const again = await fixture.operations({ method: 'POST', url: `${documents(caseId)}/${requested.id}:issue`, payload: { document_number: 'ETD0042118', issued_on: isoDate(-1), expires_on: isoDate(90) } })
  t.equal(again.statusCode, 409)
  t.match(again.json(), { type: '/problems/invalid-transition', current_status: 'issued' })
  const passportIssue = await fixture.operations({ method: 'POST', url: `${documents(caseId)}/${held.id}:refuse`, payload: { reason: 'x', refused_on: isoDate(0) } })
  t.match(passportIssue.json(), { status: 409, current_status: 'valid' }, 'a passport is not requested, so it cannot be refused')

  const list = await expectStatus(await fixture.auditor({ method: 'GET', url: `${documents(caseId)}?member_id=${spouse}` }), 200, 'list')
  t.same(list.items.map((item: { id: string }) => item.id), [requested.id])
})

t.test('a document past its expiry date reads as expired, without anything being stored', async (t) => {
  const fixture = await travelFixture(t)
  const { caseId, memberIds } = await fixture.newCase()
  const old = await recordPassport(fixture, caseId, memberIds[0] as string, { document_number: 'OLD123456', issued_on: '2010-01-04', expires_on: isoDate(-1) })
  t.equal(old.status, 'expired', 'expired yesterday: read as expired')
  const current = await recordPassport(fixture, caseId, memberIds[0] as string, { document_number: 'NEW123456', expires_on: isoDate(0) })
  t.equal(current.status, 'valid', 'valid through today')
  const stored = await fixture.db.selectFrom('travel_documents').select(['id', 'status']).orderBy('id').execute()
  t.same(stored.map((row) => row.status), ['valid', 'valid'], 'the stored status never goes stale')
  const expired = await expectStatus(await fixture.operations({ method: 'GET', url: `${documents(caseId)}?status=expired` }), 200, 'filter')
  t.same(expired.items.map((item: { id: string }) => item.id), [old.id])
  const valid = await expectStatus(await fixture.operations({ method: 'GET', url: `${documents(caseId)}?status=valid` }), 200, 'filter')
  t.same(valid.items.map((item: { id: string }) => item.id), [current.id])
})

t.test('a refused emergency travel document keeps the refusal; only its notes change afterwards', async (t) => {
  const fixture = await travelFixture(t)
  const { caseId, memberIds } = await fixture.newCase()
  const requested = await expectStatus(
    await fixture.operations({
      method: 'POST',
      url: documents(caseId),
      payload: { member_id: memberIds[0], kind: 'emergency_travel_document', issuing_country: 'IQ', issuing_authority: 'Embassy of Iraq in Warsaw', requested_on: isoDate(-40) },
    }),
    201,
    'request',
  )
  const early = await fixture.operations({ method: 'POST', url: `${documents(caseId)}/${requested.id}:refuse`, payload: { reason: 'Identity not confirmed', refused_on: isoDate(-41) } })
  t.equal(early.statusCode, 422)
  t.same(early.json().errors, [{ pointer: '/body/refused_on', detail: 'must not be before requested_on' }])
  const refused = await expectStatus(
    await fixture.operations({ method: 'POST', url: `${documents(caseId)}/${requested.id}:refuse`, payload: { reason: 'Identity not confirmed', refused_on: isoDate(-5) } }),
    200,
    'refuse',
  )
  t.match(refused, { status: 'refused', refusal_reason: 'Identity not confirmed', waiting_days: 35, allowed_actions: [] })
  const patch = await fixture.operations({ method: 'PATCH', url: `${documents(caseId)}/${requested.id}`, headers: { 'if-match': `"${refused.version}"` }, payload: { issuing_authority: 'Consulate', notes: 'Try the consulate' } })
  t.equal(patch.statusCode, 422)
  t.same(patch.json().errors, [{ pointer: '/body/issuing_authority', detail: 'not changeable once refused' }])
  const notes = await fixture.operations({ method: 'PATCH', url: `${documents(caseId)}/${requested.id}`, headers: { 'if-match': `"${refused.version}"` }, payload: { notes: 'Try the consulate' } })
  t.equal(notes.statusCode, 200)
})

t.test('what each kind must carry: refused with 422 naming every field, and nothing written', async (t) => {
  const fixture = await travelFixture(t)
  const { caseId, memberIds } = await fixture.newCase()
  const member = memberIds[0] as string
  const before = await rowCounts(fixture.db)
  const refuse = async (payload: Record<string, unknown>, status: number, pointers: string[], rule: string) => {
    const response = await fixture.operations({ method: 'POST', url: documents(caseId), payload })
    t.equal(response.statusCode, status, rule)
    t.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8')
    t.same((response.json().errors as Array<{ pointer: string }>).map((error) => error.pointer).sort(), pointers.sort(), rule)
  }
  await refuse({ member_id: member, kind: 'national_passport', issuing_country: 'GE' }, 422, ['/body/document_number', '/body/issued_on', '/body/expires_on'], 'a passport needs number and dates')
  await refuse(passport(member, { expires_on: '2019-02-01' }), 422, ['/body/expires_on'], 'expiry must be after issue')
  await refuse(passport(member, { issued_on: isoDate(5) }), 422, ['/body/issued_on'], 'not issued in the future')
  await refuse(passport(member, { requested_on: isoDate(-3) }), 422, ['/body/requested_on'], 'a passport is not requested from an embassy')
  await refuse(
    { member_id: member, kind: 'emergency_travel_document', issuing_country: 'GE', document_number: 'ETD1', requested_on: isoDate(-1) },
    422,
    ['/body/document_number', '/body/issuing_authority'],
    'an ETD names its embassy and gets its number when issued',
  )
  await refuse({ ...passport(member), kind: 'other' }, 422, ['/body/description'], 'another document says what it is')
  await refuse(passport(member, { issuing_country: 'XX' }), 400, ['/body/issuing_country'], 'ISO country codes only')
  await refuse(passport(member, { document_number: '13 ab' }), 400, ['/body/document_number'], 'upper-case letters and digits')
  await refuse(passport(member, { colour: 'red' }), 400, ['/body/colour'], 'unknown properties are refused')
  t.same(await rowCounts(fixture.db), before, 'refused requests write nothing')
})

t.test('the traveller must be a household member of that case', async (t) => {
  const fixture = await travelFixture(t)
  const mine = await fixture.newCase()
  const other = await fixture.newCase()
  const before = await rowCounts(fixture.db)
  const response = await fixture.operations({ method: 'POST', url: documents(mine.caseId), payload: passport(other.memberIds[0] as string) })
  t.equal(response.statusCode, 422)
  t.match(response.json(), { type: '/problems/unprocessable-entity', errors: [{ pointer: '/body/member_id', detail: 'not a member of this case' }] })
  t.same(await rowCounts(fixture.db), before)
})

t.test('corrections need If-Match, must stay complete, and the number never reaches the audit trail', async (t) => {
  const fixture = await travelFixture(t)
  const { caseId, memberIds } = await fixture.newCase()
  const document = await recordPassport(fixture, caseId, memberIds[0] as string)
  const url = `${documents(caseId)}/${document.id}`
  t.equal((await fixture.operations({ method: 'PATCH', url, payload: { document_number: 'AB1234567' } })).statusCode, 428)
  t.equal((await fixture.operations({ method: 'PATCH', url, headers: { 'if-match': '"7"' }, payload: { document_number: 'AB1234567' } })).statusCode, 412)
  const backwards = await fixture.operations({ method: 'PATCH', url, headers: { 'if-match': '"1"' }, payload: { expires_on: '2018-01-01' } })
  t.equal(backwards.statusCode, 422)
  const fixed = await expectStatus(await fixture.operations({ method: 'PATCH', url, headers: { 'if-match': '"1"' }, payload: { document_number: 'AB1234567' } }), 200, 'patch')
  t.match(fixed, { document_number: 'AB1234567', version: 2 })
  const audit = await fixture.db.selectFrom('audit_events').select(['action', 'changes']).where('entity_id', '=', document.id).orderBy('id').execute()
  t.same(audit.map((entry) => entry.action), ['travel_document.recorded', 'travel_document.updated'])
  t.same(audit[0]?.changes.document_number, { after: MASKED })
  t.same(audit[1]?.changes.document_number, { before: MASKED, after: MASKED }, 'changed, never with its value')
  const trail = JSON.stringify(audit) + JSON.stringify(await fixture.db.selectFrom('outbox_events').select('payload').where('entity_id', '=', document.id).execute())
  t.notMatch(trail, /13AB45678|AB1234567/, 'neither number is in the audit trail or the outbox')
})

t.test('documents are recorded until the case departs', async (t) => {
  const fixture = await travelFixture(t)
  const { caseId, memberIds } = await fixture.newCase({ status: 'departed' })
  const response = await fixture.operations({ method: 'POST', url: documents(caseId), payload: passport(memberIds[0] as string) })
  t.equal(response.statusCode, 409)
  t.match(response.json(), { current_status: 'departed' })
})

t.test('operations queues: documents still waiting, and those expiring before travel', async (t) => {
  const fixture = await travelFixture(t)
  const etd = (memberId: string, requestedOn: string) => ({ member_id: memberId, kind: 'emergency_travel_document', issuing_country: 'GE', issuing_authority: 'Embassy of Georgia', requested_on: requestedOn })
  const a = await fixture.newCase({ intendedDepartureOn: isoDate(60) })
  const b = await fixture.newCase({ intendedDepartureOn: isoDate(20), members: [{}, {}] })
  const gone = await fixture.newCase({ status: 'departed' })
  const newer = await expectStatus(await fixture.operations({ method: 'POST', url: documents(a.caseId), payload: etd(a.memberIds[0] as string, isoDate(-3)) }), 201, 'etd')
  const older = await expectStatus(await fixture.operations({ method: 'POST', url: documents(b.caseId), payload: etd(b.memberIds[0] as string, isoDate(-30)) }), 201, 'etd')
  await fixture.db
    .insertInto('travel_documents')
    .values({ id: '01900000-0000-7000-8000-00000000000a', case_id: gone.caseId, member_id: gone.memberIds[0] as string, kind: 'emergency_travel_document', status: 'requested', issuing_country: 'GE', issuing_authority: 'Embassy', requested_on: isoDate(-90), created_by: 'fixture', description: null, document_number: null, issued_on: null, expires_on: null, refused_on: null, refusal_reason: null, notes: null })
    .execute()

  const waiting = await expectStatus(await fixture.operations({ method: 'GET', url: '/v1/travel-documents?attention=waiting&limit=1' }), 200, 'waiting')
  t.same(waiting.items.map((item: { document: { id: string } }) => item.document.id), [older.id], 'the longest wait first; a departed case is not in the queue')
  t.match(waiting.items[0], { case: { id: b.caseId, status: 'approved' }, document: { waiting_days: 30 } })
  const next = await expectStatus(await fixture.operations({ method: 'GET', url: `/v1/travel-documents?attention=waiting&limit=1&cursor=${waiting.next_cursor}` }), 200, 'page 2')
  t.same(next.items.map((item: { document: { id: string } }) => item.document.id), [newer.id])
  t.equal(next.next_cursor, null)

  // Case A travels in 60 days: a passport expiring in 45 days is a problem, unless the traveller holds another one.
  const short = await recordPassport(fixture, a.caseId, a.memberIds[0] as string, { document_number: 'SHORT0001', expires_on: isoDate(45) })
  // Case B's booking ends in 25 days (after its intended date, 20): a passport expiring in 22 days is a problem.
  await createBooking(fixture, b.caseId, { segments: [directSegment(isoDate(25))] })
  const b2 = await recordPassport(fixture, b.caseId, b.memberIds[1] as string, { document_number: 'SHORT0002', expires_on: isoDate(22) })
  await recordPassport(fixture, b.caseId, b.memberIds[0] as string, { document_number: 'LONG00003', expires_on: isoDate(800) })
  const expiring = await expectStatus(await fixture.counsellor({ method: 'GET', url: '/v1/travel-documents?attention=expiring_before_travel' }), 200, 'expiring')
  t.same(
    expiring.items.map((item: { document: { id: string }; travel_on: string }) => [item.document.id, item.travel_on]),
    [
      [b2.id, isoDate(25)],
      [short.id, isoDate(60)],
    ],
    'earliest expiry first, each measured against its travel date (the booking, else the intended departure)',
  )
  await recordPassport(fixture, a.caseId, a.memberIds[0] as string, { document_number: 'RENEWED01', expires_on: isoDate(3000) })
  const after = await expectStatus(await fixture.counsellor({ method: 'GET', url: '/v1/travel-documents?attention=expiring_before_travel' }), 200, 'expiring')
  t.same(after.items.map((item: { document: { id: string } }) => item.document.id), [b2.id], 'a traveller with a renewed passport drops out')

  t.equal((await fixture.operations({ method: 'GET', url: '/v1/travel-documents' })).statusCode, 400, 'the queue must be named')
  t.equal((await fixture.operations({ method: 'GET', url: '/v1/travel-documents?attention=waiting&cursor=abc' })).statusCode, 400, 'a forged cursor is refused')
  t.equal((await fixture.tbilisi({ method: 'GET', url: '/v1/travel-documents?attention=waiting' })).statusCode, 403, 'partners have no cross-case queue')
})

t.test('partner offices: only the documents of cases referred to them, read-only', async (t) => {
  const fixture = await travelFixture(t)
  const { caseId, memberIds } = await fixture.newCase()
  const document = await recordPassport(fixture, caseId, memberIds[0] as string)
  t.equal((await fixture.tbilisi({ method: 'GET', url: documents(caseId) })).statusCode, 200, 'the partner office the case is referred to reads them')
  t.equal((await fixture.tbilisi({ method: 'GET', url: `${documents(caseId)}/${document.id}` })).statusCode, 200)
  for (const url of [documents(caseId), `${documents(caseId)}/${document.id}`]) {
    const response = await fixture.baghdad({ method: 'GET', url })
    t.equal(response.statusCode, 404, `another partner office gets 404 on ${url}`)
  }
  t.equal((await fixture.tbilisi({ method: 'POST', url: documents(caseId), payload: passport(memberIds[0] as string) })).statusCode, 403, 'partners do not record documents')
  t.equal((await fixture.finance({ method: 'POST', url: documents(caseId), payload: passport(memberIds[0] as string) })).statusCode, 403, 'nor does finance')
})
