import t from 'tap'
import { act, approvedCase, caseBody, caseFixture, countRows, createCase, createProject, isoDate, person } from './helpers.js'

t.test('create: a draft with a reference per office and year, history, audit and event', async (t) => {
  const fixture = await caseFixture(t)
  const year = new Date().getUTCFullYear()
  const response = await fixture.counsellor({ method: 'POST', url: '/v1/return-cases', payload: caseBody(fixture.offices.vilnius) })
  t.equal(response.statusCode, 201)
  const created = response.json()
  t.equal(created.reference, `VNO-${year}-00001`)
  t.equal(created.status, 'draft')
  t.equal(created.created_by, 'carla')
  t.equal(response.headers.etag, '"1"')
  t.equal(response.headers.location, `/v1/return-cases/${created.id}`)
  t.same(created.possible_duplicates, [])
  t.same(created.allowed_actions, ['submit', 'withdraw'])
  t.equal(created.members.length, 1)
  t.match(created.consent, { given_by: 'principal applicant', scope: ['return_assistance'], recorded_by: 'carla' })

  const second = await createCase(fixture.counsellor, fixture.offices.vilnius)
  t.equal(second.reference, `VNO-${year}-00002`, 'numbers follow each other within the office and year')

  const history = (await fixture.counsellor({ method: 'GET', url: `/v1/return-cases/${created.id}/history` })).json()
  t.match(history.items, [{ action: 'create', from_status: null, to_status: 'draft', actor: { sub: 'carla', roles: ['counsellor'] } }])

  const audit = await fixture.database.db.selectFrom('audit_events').selectAll().where('case_id', '=', created.id).orderBy('id').execute()
  t.same(audit.map((entry) => entry.action), ['return_case.created', 'case_member.added'])
  t.equal(audit[0]?.changes.place_of_return?.after, '[restricted]', 'personal case fields are masked in the audit trail')
  t.equal(audit[1]?.changes.given_name?.after, '[restricted]', 'names are masked in the audit trail')
  t.equal(audit[1]?.changes.date_of_birth?.after, '[restricted]')
  t.equal(audit[1]?.changes.nationality?.after, 'GE')
  const events = await fixture.database.db.selectFrom('outbox_events').selectAll().where('case_id', '=', created.id).execute()
  t.same(events.map((event) => event.event_type), ['return_case.created'])
  t.notMatch(JSON.stringify(events[0]?.payload), /Beridze|Giorgi|1978/, 'events carry no personal data')
})

t.test('create: concurrent creates get distinct sequential references', async (t) => {
  const fixture = await caseFixture(t)
  const year = new Date().getUTCFullYear()
  const responses = await Promise.all(
    Array.from({ length: 12 }, (_, index) =>
      fixture.counsellor({ method: 'POST', url: '/v1/return-cases', payload: caseBody(fixture.offices.vilnius, { members: [person({ given_name: `Person${index}` })] }) }),
    ),
  )
  t.same(responses.map((response) => response.statusCode), Array(12).fill(201))
  const references = responses.map((response) => response.json().reference as string).sort()
  t.same(references, Array.from({ length: 12 }, (_, index) => `VNO-${year}-${String(index + 1).padStart(5, '0')}`), 'no gaps, no repeats')

  const otherOffice = (await fixture.admin({ method: 'POST', url: '/v1/offices', payload: { code: 'KUN', name: 'IOM Kaunas', country: 'LT', kind: 'country_office' } })).json()
  const first = await createCase(fixture.counsellor, otherOffice.id)
  t.equal(first.reference, `KUN-${year}-00001`, 'each office counts on its own')
})

t.test('create: every field is validated and a refused request writes nothing', async (t) => {
  const fixture = await caseFixture(t)
  const { vilnius } = fixture.offices
  const before = { cases: await countRows(fixture, 'return_cases'), audit: await countRows(fixture, 'audit_events'), events: await countRows(fixture, 'outbox_events') }
  const tomorrow = isoDate(1)
  const cases: Array<[string, Record<string, unknown>, number, string, string]> = [
    ['bad country code', { country_of_return: 'XX' }, 400, 'validation-error', '/body/country_of_return'],
    ['bad nationality', { members: [person({ nationality: 'ZZ' })] }, 400, 'validation-error', '/body/members/0/nationality'],
    ['future birth date', { members: [person({ date_of_birth: tomorrow })] }, 400, 'validation-error', '/body/members/0/date_of_birth'],
    ['implausible birth date', { members: [person({ date_of_birth: '1850-01-01' })] }, 400, 'validation-error', '/body/members/0/date_of_birth'],
    ['future birth year', { members: [person({ date_of_birth: undefined, birth_year: new Date().getUTCFullYear() + 1 })] }, 400, 'validation-error', '/body/members/0/birth_year'],
    ['birth date and year both', { members: [person({ birth_year: 1978 })] }, 400, 'validation-error', '/body/members/0/birth_year'],
    ['neither birth date nor year', { members: [person({ date_of_birth: undefined })] }, 400, 'validation-error', '/body/members/0/date_of_birth'],
    ['name without letters', { members: [person({ given_name: '--' })] }, 400, 'validation-error', '/body/members/0/given_name'],
    ['unknown relationship', { members: [person({ relationship: 'cousin' })] }, 400, 'validation-error', '/body/members/0/relationship'],
    ['unknown property', { members: [person({ age: 40 })] }, 400, 'validation-error', '/body/members/0/age'],
    ['consent in the future', { consent: { given_at: '2999-01-01T00:00:00Z', given_by: 'x', scope: ['return_assistance'] } }, 400, 'validation-error', '/body/consent/given_at'],
    ['consent without scope', { consent: { given_at: '2026-01-01T00:00:00Z', given_by: 'x', scope: [] } }, 400, 'validation-error', '/body/consent/scope'],
    ['unknown legal status', { legal_status: 'tourist' }, 400, 'validation-error', '/body/legal_status'],
    ['bad departure date', { intended_departure_on: '2026-02-30x' }, 400, 'validation-error', '/body/intended_departure_on'],
    ['escort on a non-medical entry', { members: [person({ vulnerabilities: [{ code: 'pregnant', escort_needed: true }] })] }, 400, 'validation-error', '/body/members/0/vulnerabilities/0/escort_needed'],
    ['same vulnerability twice', { members: [person({ vulnerabilities: [{ code: 'pregnant' }, { code: 'pregnant' }] })] }, 400, 'validation-error', '/body/members/0/vulnerabilities/1/code'],
    ['two principals', { members: [person(), person({ given_name: 'Nino', sex: 'female' })] }, 422, 'unprocessable-entity', '/body/members/1/relationship'],
    [
      'child without guardian',
      {
        members: [
          person(),
          person({ relationship: 'child', given_name: 'Luka', date_of_birth: '2015-01-01', vulnerabilities: [{ code: 'unaccompanied_or_separated_child' }] }),
        ],
      },
      422,
      'unprocessable-entity',
      '/body/members/1/vulnerabilities/0/code',
    ],
    ['an adult as unaccompanied child', { members: [person({ vulnerabilities: [{ code: 'unaccompanied_or_separated_child' }] }), person({ relationship: 'legal_guardian', given_name: 'Tamar' })] }, 422, 'unprocessable-entity', '/body/members/0/vulnerabilities/0/code'],
    ['a partner office as the office', { office_id: fixture.offices.tbilisi }, 422, 'unprocessable-entity', '/body/office_id'],
    ['an unknown office', { office_id: '01900000-0000-7000-8000-0000000000ff' }, 422, 'unprocessable-entity', '/body/office_id'],
    ['an unknown project', { project_id: '01900000-0000-7000-8000-000000000000' }, 422, 'unprocessable-entity', '/body/project_id'],
  ]
  for (const [rule, overrides, status, type, pointer] of cases) {
    const response = await fixture.counsellor({ method: 'POST', url: '/v1/return-cases', payload: caseBody(vilnius, overrides) })
    t.equal(response.statusCode, status, `${rule}: ${status}`)
    t.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8', `${rule}: problem+json`)
    t.equal(response.json().type, `/problems/${type}`, `${rule}: ${type}`)
    t.ok(
      (response.json().errors as Array<{ pointer: string }> | undefined)?.some((error) => error.pointer === pointer),
      `${rule}: points at ${pointer} (${JSON.stringify(response.json().errors)})`,
    )
  }
  t.same(
    { cases: await countRows(fixture, 'return_cases'), audit: await countRows(fixture, 'audit_events'), events: await countRows(fixture, 'outbox_events') },
    before,
    'nothing was written',
  )
  t.equal((await createCase(fixture.counsellor, vilnius)).reference.endsWith('00001'), true, 'refused creates do not consume reference numbers')
})

t.test('create: the project must be active and cover the departure date; external references are unique per office', async (t) => {
  const fixture = await caseFixture(t)
  const planned = await createProject(fixture, { code: 'PLANNED', starts_on: isoDate(-10), ends_on: isoDate(400), activate: false })
  const short = await createProject(fixture, { code: 'SHORT', starts_on: isoDate(-10), ends_on: isoDate(5) })
  const inactive = await fixture.counsellor({ method: 'POST', url: '/v1/return-cases', payload: caseBody(fixture.offices.vilnius, { project_id: planned }) })
  t.equal(inactive.statusCode, 422)
  t.equal(inactive.json().errors[0].pointer, '/body/project_id')
  const uncovered = await fixture.counsellor({ method: 'POST', url: '/v1/return-cases', payload: caseBody(fixture.offices.vilnius, { project_id: short, intended_departure_on: isoDate(30) }) })
  t.equal(uncovered.statusCode, 422, 'the project period must cover the intended departure')
  const covered = await createCase(fixture.counsellor, fixture.offices.vilnius, { project_id: short, intended_departure_on: isoDate(3) })
  t.equal(covered.project_id, short)

  const first = await createCase(fixture.counsellor, fixture.offices.vilnius, { external_reference: 'MD-2026-77' })
  const again = await fixture.as('ingrid', ['integration'])({ method: 'POST', url: '/v1/return-cases', payload: caseBody(fixture.offices.vilnius, { external_reference: 'MD-2026-77' }) })
  t.equal(again.statusCode, 409, 'a referral system cannot create the same case twice')
  t.equal(again.json().type, '/problems/duplicate-resource')
  t.equal(again.json().existing_reference, first.reference)
})

t.test('create: an Idempotency-Key replays the first response', async (t) => {
  const fixture = await caseFixture(t)
  const request = { method: 'POST' as const, url: '/v1/return-cases', headers: { 'idempotency-key': 'referral-42' }, payload: caseBody(fixture.offices.vilnius) }
  const first = await fixture.counsellor(request)
  const second = await fixture.counsellor(request)
  t.equal(second.statusCode, 201)
  t.equal(second.headers['idempotent-replayed'], 'true')
  t.same(second.json(), first.json())
  t.equal(await countRows(fixture, 'return_cases'), 1)
})

t.test('update: If-Match is required, a stale ETag is 412, changes are audited', async (t) => {
  const fixture = await caseFixture(t)
  const created = await createCase(fixture.counsellor, fixture.offices.vilnius)
  const url = `/v1/return-cases/${created.id}`
  const missing = await fixture.counsellor({ method: 'PATCH', url, payload: { notes: 'x' } })
  t.equal(missing.statusCode, 428)
  const stale = await fixture.counsellor({ method: 'PATCH', url, headers: { 'if-match': '"9"' }, payload: { notes: 'x' } })
  t.equal(stale.statusCode, 412)
  t.equal(stale.json().type, '/problems/precondition-failed')
  const badCountry = await fixture.counsellor({ method: 'PATCH', url, headers: { 'if-match': '"1"' }, payload: { country_of_return: 'QQ' } })
  t.equal(badCountry.statusCode, 400)
  const auditorEdit = await fixture.as('audrey', ['auditor'])({ method: 'PATCH', url, headers: { 'if-match': '"1"' }, payload: { notes: 'x' } })
  t.equal(auditorEdit.statusCode, 403, 'auditors only read')

  const edited = await fixture.counsellor({ method: 'PATCH', url, headers: { 'if-match': '"1"' }, payload: { notes: 'Prefers a morning flight', place_of_return: null, intended_departure_on: isoDate(40) } })
  t.equal(edited.statusCode, 200)
  t.equal(edited.headers.etag, '"2"')
  t.match(edited.json(), { notes: 'Prefers a morning flight', place_of_return: null, intended_departure_on: isoDate(40), version: 2 })
  const got = await fixture.approver({ method: 'GET', url })
  t.equal(got.headers.etag, '"2"')
  const audit = await fixture.database.db.selectFrom('audit_events').selectAll().where('action', '=', 'return_case.updated').execute()
  t.equal(audit.length, 1)
  t.same(Object.keys(audit[0]?.changes ?? {}).sort(), ['intended_departure_on', 'notes', 'place_of_return'])
  t.same(audit[0]?.changes.notes, { before: '[restricted]', after: '[restricted]' })
})

t.test('update: the project and country are fixed after approval; consent stays once submitted', async (t) => {
  const fixture = await caseFixture(t)
  const approved = await approvedCase(fixture)
  const url = `/v1/return-cases/${approved.id}`
  const etag = `"${approved.version}"`
  const other = await createProject(fixture, { code: 'OTHER', starts_on: isoDate(-10), ends_on: isoDate(400) })
  const project = await fixture.counsellor({ method: 'PATCH', url, headers: { 'if-match': etag }, payload: { project_id: other } })
  t.equal(project.statusCode, 409)
  const country = await fixture.counsellor({ method: 'PATCH', url, headers: { 'if-match': etag }, payload: { country_of_return: 'AM' } })
  t.equal(country.statusCode, 409)
  const consent = await fixture.counsellor({ method: 'PATCH', url, headers: { 'if-match': etag }, payload: { consent: null } })
  t.equal(consent.statusCode, 409)
  const unchanged = await fixture.counsellor({ method: 'GET', url })
  t.equal(unchanged.json().version, approved.version, 'nothing changed')

  const draft = await createCase(fixture.counsellor, fixture.offices.vilnius)
  const referred = await act(fixture.counsellor, draft.id, 'refer', { partner_office_id: fixture.offices.tbilisi })
  t.equal(referred.json().partner_office_id, fixture.offices.tbilisi)
  const moved = await fixture.counsellor({ method: 'PATCH', url: `/v1/return-cases/${draft.id}`, headers: { 'if-match': referred.headers.etag as string }, payload: { country_of_return: 'IQ', consent: null } })
  t.equal(moved.statusCode, 200)
  t.equal(moved.json().partner_office_id, null, 'a referral to an office in the old country of return is withdrawn')
  t.equal(moved.json().consent, null, 'consent can be removed while draft')
})

t.test('a closed case is read-only: case fields, members, vulnerabilities, sessions, referral', async (t) => {
  const fixture = await caseFixture(t)
  const created = await createCase(fixture.counsellor, fixture.offices.vilnius)
  t.equal((await act(fixture.counsellor, created.id, 'withdraw', { reason: 'Decided to stay' })).statusCode, 200)
  const session = await fixture.counsellor({
    method: 'POST',
    url: `/v1/return-cases/${created.id}/counselling-sessions`,
    payload: { held_on: isoDate(0), mode: 'phone', topics: ['return_process'], outcome: 'Withdrawal confirmed' },
  })
  t.equal(session.statusCode, 201, 'sessions can be recorded until the case is closed')
  const closed = await act(fixture.counsellor, created.id, 'close', { reason: 'Withdrawn' })
  t.equal(closed.statusCode, 200)
  t.equal(closed.json().status, 'closed')
  t.ok(closed.json().closed_at)
  t.same(closed.json().allowed_actions, [])

  const base = `/v1/return-cases/${created.id}`
  const memberId = created.members[0].id
  const etag = { 'if-match': closed.headers.etag as string }
  const writes = [
    { method: 'PATCH' as const, url: base, headers: etag, payload: { notes: 'late' } },
    { method: 'POST' as const, url: `${base}/members`, payload: person({ relationship: 'sibling', given_name: 'Dato' }) },
    { method: 'PATCH' as const, url: `${base}/members/${memberId}`, headers: { 'if-match': '"1"' }, payload: { sex: 'unknown' } },
    { method: 'DELETE' as const, url: `${base}/members/${memberId}`, headers: { 'if-match': '"1"' } },
    { method: 'POST' as const, url: `${base}/members/${memberId}/vulnerabilities`, payload: { code: 'medical_needs' } },
    { method: 'POST' as const, url: `${base}/counselling-sessions`, payload: { held_on: isoDate(0), mode: 'phone', topics: ['other'], outcome: 'x' } },
    { method: 'PATCH' as const, url: `${base}/counselling-sessions/${session.json().id}`, headers: { 'if-match': '"1"' }, payload: { outcome: 'y' } },
    { method: 'POST' as const, url: `${base}:refer`, payload: { partner_office_id: fixture.offices.tbilisi } },
  ]
  const audit = await countRows(fixture, 'audit_events')
  for (const write of writes) {
    const response = await fixture.counsellor(write)
    t.equal(response.statusCode, 409, `${write.method} ${write.url.replace(base, '')} on a closed case is 409`)
    t.equal(response.json().type, '/problems/case-closed')
  }
  const reopen = await act(fixture.counsellor, created.id, 'submit')
  t.equal(reopen.json().type, '/problems/invalid-transition', 'no action leads out of closed')
  t.equal(await countRows(fixture, 'audit_events'), audit, 'nothing was written')
})

t.test('an unknown office is named as one that does not exist, not as the wrong kind of office', async (t) => {
  const fixture = await caseFixture(t)
  const unknown = await fixture.counsellor({ method: 'POST', url: '/v1/return-cases', payload: caseBody('01900000-0000-7000-8000-0000000000ff') })
  t.equal(unknown.statusCode, 422)
  t.match(unknown.json().detail, /does not exist/)
  t.same(unknown.json().errors, [{ pointer: '/body/office_id', detail: 'no office has this id' }])
  const partner = await fixture.counsellor({ method: 'POST', url: '/v1/return-cases', payload: caseBody(fixture.offices.tbilisi) })
  t.match(partner.json().detail, /is a partner office/)
  const created = await createCase(fixture.counsellor, fixture.offices.vilnius)
  const referral = await act(fixture.counsellor, created.id, 'refer', { partner_office_id: '01900000-0000-7000-8000-0000000000ff' })
  t.equal(referral.statusCode, 422)
  t.match(referral.json().detail, /does not exist/)
})
