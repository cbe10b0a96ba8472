import t from 'tap'
import { act, caseFixture, countRows, createCase, isoDate, person } from './helpers.js'

t.test('members: one principal, guardians for unaccompanied children, If-Match on edits', async (t) => {
  const fixture = await caseFixture(t)
  const created = await createCase(fixture.counsellor, fixture.offices.vilnius)
  const base = `/v1/return-cases/${created.id}`
  const principalId = created.members[0].id

  const second = await fixture.counsellor({ method: 'POST', url: `${base}/members`, payload: person({ given_name: 'Nino', sex: 'female' }) })
  t.equal(second.statusCode, 422, 'a second principal is refused')
  t.equal(second.json().errors[0].pointer, '/body/relationship')

  const child = person({ relationship: 'child', given_name: 'Luka', date_of_birth: '2014-09-01', vulnerabilities: [{ code: 'unaccompanied_or_separated_child', notes: 'Parents in Georgia' }] })
  const withoutGuardian = await fixture.counsellor({ method: 'POST', url: `${base}/members`, payload: child })
  t.equal(withoutGuardian.statusCode, 422, 'an unaccompanied child needs a legal guardian in the household')
  t.equal(withoutGuardian.json().errors[0].pointer, '/body/vulnerabilities/0/code')
  const future = await fixture.counsellor({ method: 'POST', url: `${base}/members`, payload: person({ relationship: 'sibling', date_of_birth: isoDate(1) }) })
  t.equal(future.statusCode, 400)
  t.equal(future.json().errors[0].pointer, '/body/date_of_birth')
  const badCountry = await fixture.counsellor({ method: 'POST', url: `${base}/members`, payload: person({ relationship: 'sibling', nationality: 'EU' }) })
  t.equal(badCountry.statusCode, 400)
  t.equal(await countRows(fixture, 'case_members'), 1, 'refused members wrote nothing')

  const guardian = await fixture.counsellor({ method: 'POST', url: `${base}/members`, payload: person({ relationship: 'legal_guardian', given_name: 'Tamar', sex: 'female', date_of_birth: '1970-01-01' }) })
  t.equal(guardian.statusCode, 201)
  t.equal(guardian.headers.etag, '"1"')
  t.equal(guardian.headers.location, `${base}/members/${guardian.json().id}`)
  const withGuardian = await fixture.counsellor({ method: 'POST', url: `${base}/members`, payload: child })
  t.equal(withGuardian.statusCode, 201)
  t.match(withGuardian.json(), { relationship: 'child', is_child: true, vulnerabilities: [{ code: 'unaccompanied_or_separated_child', notes: 'Parents in Georgia', recorded_by: 'carla' }] })

  const removeGuardian = await fixture.counsellor({ method: 'DELETE', url: `${base}/members/${guardian.json().id}`, headers: { 'if-match': '"1"' } })
  t.equal(removeGuardian.statusCode, 409, 'the guardian of an unaccompanied child cannot be removed')
  const demoteGuardian = await fixture.counsellor({ method: 'PATCH', url: `${base}/members/${guardian.json().id}`, headers: { 'if-match': '"1"' }, payload: { relationship: 'other_relative' } })
  t.equal(demoteGuardian.statusCode, 422, 'nor stop being the guardian')

  const url = `${base}/members/${principalId}`
  t.equal((await fixture.counsellor({ method: 'PATCH', url, payload: { sex: 'unknown' } })).statusCode, 428)
  t.equal((await fixture.counsellor({ method: 'PATCH', url, headers: { 'if-match': '"5"' }, payload: { sex: 'unknown' } })).statusCode, 412)
  const both = await fixture.counsellor({ method: 'PATCH', url, headers: { 'if-match': '"1"' }, payload: { birth_year: 1978 } })
  t.equal(both.statusCode, 400, 'a birth date and an estimated year together are refused')
  const caseBefore = (await fixture.counsellor({ method: 'GET', url: base })).json()
  const edited = await fixture.counsellor({ method: 'PATCH', url, headers: { 'if-match': '"1"' }, payload: { family_name: 'Béridze-Kapanadze', date_of_birth: null, birth_year: 1978 } })
  t.equal(edited.statusCode, 200)
  t.match(edited.json(), { family_name: 'Béridze-Kapanadze', date_of_birth: null, birth_year: 1978, age_is_estimated: true, version: 2 })
  t.equal(edited.headers.etag, '"2"')
  const caseAfter = await fixture.counsellor({ method: 'GET', url: base })
  t.equal(caseAfter.json().version, caseBefore.version + 1, 'a household change changes the case ETag too')
  const found = (await fixture.counsellor({ method: 'GET', url: '/v1/return-cases?q=kapanadze' })).json()
  t.same(found.items.map((item: { id: string }) => item.id), [created.id], 'the new name is searchable')
  const audit = await fixture.database.db.selectFrom('audit_events').select('changes').where('action', '=', 'case_member.updated').executeTakeFirstOrThrow()
  t.same(audit.changes, { family_name: { before: '[restricted]', after: '[restricted]' }, date_of_birth: { before: '[restricted]', after: '[restricted]' }, birth_year: { before: '[restricted]', after: '[restricted]' } })

  const members = (await fixture.auditor({ method: 'GET', url: `${base}/members?limit=2` })).json()
  t.equal(members.items.length, 2)
  t.equal(members.items[0].id, principalId, 'in the order recorded')
  const rest = (await fixture.auditor({ method: 'GET', url: `${base}/members?cursor=${members.next_cursor}` })).json()
  t.equal(rest.items.length, 1)
  t.equal(rest.next_cursor, null)
  const one = await fixture.auditor({ method: 'GET', url: `${base}/members/${principalId}` })
  t.equal(one.headers.etag, '"2"')
  t.equal((await fixture.auditor({ method: 'GET', url: `${base}/members/01900000-0000-7000-8000-000000000000` })).statusCode, 404)
})

t.test('members: the principal stays once submitted; others can leave', async (t) => {
  const fixture = await caseFixture(t)
  const created = await createCase(fixture.counsellor, fixture.offices.vilnius, {
    members: [person(), person({ relationship: 'sibling', given_name: 'Dato', date_of_birth: '1983-01-01' })],
  })
  const base = `/v1/return-cases/${created.id}`
  const [principal, sibling] = created.members
  await act(fixture.counsellor, created.id, 'submit')
  const demote = await fixture.counsellor({ method: 'PATCH', url: `${base}/members/${principal.id}`, headers: { 'if-match': '"1"' }, payload: { relationship: 'sibling' } })
  t.equal(demote.statusCode, 409)
  const remove = await fixture.counsellor({ method: 'DELETE', url: `${base}/members/${principal.id}`, headers: { 'if-match': '"1"' } })
  t.equal(remove.statusCode, 409)
  t.equal((await fixture.counsellor({ method: 'DELETE', url: `${base}/members/${sibling.id}` })).statusCode, 428)
  const left = await fixture.counsellor({ method: 'DELETE', url: `${base}/members/${sibling.id}`, headers: { 'if-match': '"1"' } })
  t.equal(left.statusCode, 204)
  const after = (await fixture.counsellor({ method: 'GET', url: base })).json()
  t.same(after.members.map((member: { id: string }) => member.id), [principal.id])
  t.equal(after.household.size, 1)
  t.same((await fixture.counsellor({ method: 'GET', url: '/v1/return-cases?q=dato' })).json().items, [], 'a removed member is no longer searchable')
  const actions = await fixture.database.db.selectFrom('audit_events').select('action').where('entity_id', '=', sibling.id).orderBy('id').execute()
  t.same(actions.map((entry) => entry.action), ['case_member.added', 'case_member.removed'])
})

t.test('vulnerabilities: coded entries with notes, escort only for medical needs', async (t) => {
  const fixture = await caseFixture(t)
  const created = await createCase(fixture.counsellor, fixture.offices.vilnius)
  const url = `/v1/return-cases/${created.id}/members/${created.members[0].id}/vulnerabilities`
  const medical = await fixture.protection({ method: 'POST', url, payload: { code: 'medical_needs', notes: 'Wheelchair user', escort_needed: true } })
  t.equal(medical.statusCode, 201)
  t.match(medical.json(), { code: 'medical_needs', escort_needed: true, recorded_by: 'petra', version: 1 })
  const second = await fixture.counsellor({ method: 'POST', url, payload: { code: 'medical_needs', notes: 'Diabetes' } })
  t.equal(second.statusCode, 201, 'several medical needs may be recorded')
  const escort = await fixture.counsellor({ method: 'POST', url, payload: { code: 'large_family', escort_needed: false } })
  t.equal(escort.statusCode, 400)
  t.equal(escort.json().errors[0].pointer, '/body/escort_needed')
  t.equal((await fixture.counsellor({ method: 'POST', url, payload: { code: 'single_parent' } })).statusCode, 201)
  const repeated = await fixture.counsellor({ method: 'POST', url, payload: { code: 'single_parent' } })
  t.equal(repeated.statusCode, 400, 'the same code twice is refused')
  t.equal((await fixture.counsellor({ method: 'POST', url, payload: { code: 'elderly' } })).statusCode, 400, 'elderly is derived, never recorded')
  t.equal((await fixture.as('olga', ['operations'])({ method: 'POST', url, payload: { code: 'pregnant' } })).statusCode, 403)

  const entryUrl = `${url}/${medical.json().id}`
  t.equal((await fixture.counsellor({ method: 'PATCH', url: entryUrl, payload: { notes: 'x' } })).statusCode, 428)
  const edited = await fixture.counsellor({ method: 'PATCH', url: entryUrl, headers: { 'if-match': '"1"' }, payload: { escort_needed: false, notes: null } })
  t.equal(edited.statusCode, 200)
  t.match(edited.json(), { escort_needed: false, notes: null, version: 2 })
  t.equal((await fixture.counsellor({ method: 'DELETE', url: entryUrl, headers: { 'if-match': '"1"' } })).statusCode, 412)
  t.equal((await fixture.counsellor({ method: 'DELETE', url: entryUrl, headers: { 'if-match': '"2"' } })).statusCode, 204)
  const member = (await fixture.counsellor({ method: 'GET', url: `/v1/return-cases/${created.id}/members/${created.members[0].id}` })).json()
  t.same(member.vulnerabilities.map((entry: { code: string }) => entry.code), ['medical_needs', 'single_parent'])
})

t.test('counselling sessions: dated records with topics, editable with If-Match until the case is closed', async (t) => {
  const fixture = await caseFixture(t)
  const created = await createCase(fixture.counsellor, fixture.offices.vilnius)
  const url = `/v1/return-cases/${created.id}/counselling-sessions`
  const payload = { held_on: isoDate(-2), mode: 'in_person', interpreter_language: 'ka', topics: ['return_process', 'reintegration_options'], outcome: 'Wants to open a clothing shop', next_steps: 'Bring a business plan' }
  const recorded = await fixture.counsellor({ method: 'POST', url, payload })
  t.equal(recorded.statusCode, 201)
  t.match(recorded.json(), { ...payload, counsellor: 'carla', created_by: 'carla', version: 1 })
  for (const [rule, body, pointer] of [
    ['a future date', { ...payload, held_on: isoDate(1) }, '/body/held_on'],
    ['an unknown topic', { ...payload, topics: ['weather'] }, '/body/topics/0'],
    ['no topics', { ...payload, topics: [] }, '/body/topics'],
    ['an unknown mode', { ...payload, mode: 'letter' }, '/body/mode'],
    ['a bad language tag', { ...payload, interpreter_language: 'Georgian' }, '/body/interpreter_language'],
  ] as const) {
    const response = await fixture.counsellor({ method: 'POST', url, payload: body })
    t.equal(response.statusCode, 400, `${rule} is refused`)
    t.equal(response.json().errors[0].pointer, pointer)
  }
  t.equal(await countRows(fixture, 'counselling_sessions'), 1)
  t.equal((await fixture.as('olga', ['operations'])({ method: 'GET', url })).statusCode, 403, 'counselling content is not for operations staff')
  const sessionUrl = `${url}/${recorded.json().id}`
  t.equal((await fixture.counsellor({ method: 'PATCH', url: sessionUrl, payload: { outcome: 'x' } })).statusCode, 428)
  const edited = await fixture.counsellor({ method: 'PATCH', url: sessionUrl, headers: { 'if-match': '"1"' }, payload: { next_steps: null, counsellor: 'dan' } })
  t.equal(edited.statusCode, 200)
  t.match(edited.json(), { next_steps: null, counsellor: 'dan', version: 2 })
  t.equal((await fixture.counsellor({ method: 'PATCH', url: sessionUrl, headers: { 'if-match': '"1"' }, payload: { outcome: 'y' } })).statusCode, 412)
  const list = (await fixture.approver({ method: 'GET', url })).json()
  t.equal(list.items.length, 1)
  t.equal((await fixture.approver({ method: 'GET', url: sessionUrl })).headers.etag, '"2"')
  const audit = await fixture.database.db.selectFrom('audit_events').select('changes').where('action', '=', 'counselling_session.updated').executeTakeFirstOrThrow()
  t.same(audit.changes, { counsellor: { before: 'carla', after: 'dan' }, next_steps: { before: '[restricted]', after: '[restricted]' } })
})

t.test('a cursor holding the wrong kind of key is a 400 on every list, never a database error', async (t) => {
  const fixture = await caseFixture(t)
  const created = await createCase(fixture.counsellor, fixture.offices.vilnius)
  const wrongKey = (key: unknown) => Buffer.from(JSON.stringify([key])).toString('base64url')
  for (const path of ['/v1/return-cases', `/v1/return-cases/${created.id}/members`, `/v1/return-cases/${created.id}/counselling-sessions`, `/v1/return-cases/${created.id}/history`]) {
    for (const key of ['not-an-id', 1.5, null]) {
      const response = await fixture.counsellor({ method: 'GET', url: `${path}?cursor=${wrongKey(key)}` })
      t.equal(response.statusCode, 400, `${path} with cursor key ${JSON.stringify(key)}`)
      t.equal(response.json().errors[0].pointer, '/query/cursor')
    }
  }
})
