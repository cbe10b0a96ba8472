import t from 'tap'
import { buildTestApp } from '../helpers/app.js'
import { consultationBody, counsellorOf, createEnquirer, daysFromToday, ENQUIRERS, footprint, recordConsultation } from './helpers.js'

t.test('a consultation records date, channel, topics, question, information, referrals and follow-up; audited and emitted', async (t) => {
  const testApp = await buildTestApp(t)
  const counsellor = counsellorOf(testApp)
  const enquirer = await createEnquirer(testApp)
  const response = await counsellor({ method: 'POST', url: `${ENQUIRERS}/${enquirer.id}/consultations`, payload: consultationBody({ counsellor: 'Laima' }) })
  t.equal(response.statusCode, 201)
  const consultation = response.json()
  t.equal(response.headers.location, `${ENQUIRERS}/${enquirer.id}/consultations/${consultation.id}`)
  t.equal(response.headers.etag, '"1"')
  t.match(consultation, {
    enquirer_id: enquirer.id,
    held_on: '2026-11-20',
    channel: 'online',
    topics: ['social_security', 'family_members_not_nationals'],
    referrals: [{ institution: 'Migration Department', purpose: 'Residence permit for the spouse', referred_on: '2026-11-20' }],
    follow_up_on: '2026-12-04',
    follow_up_done_on: null,
    residence_country: 'GB',
    counsellor: 'Laima',
    created_by: 'connie',
  })
  const db = testApp.database.db
  const audit = await db.selectFrom('audit_events').selectAll().where('entity_id', '=', consultation.id).executeTakeFirstOrThrow()
  t.equal(audit.action, 'mic_consultation.recorded')
  t.equal(audit.changes.question?.after, '[restricted]', 'what was asked is masked')
  t.equal(audit.changes.information_given?.after, '[restricted]', 'what was told is masked')
  const event = await db.selectFrom('outbox_events').selectAll().where('entity_id', '=', consultation.id).executeTakeFirstOrThrow()
  t.equal(event.event_type, 'mic_consultation.recorded')
  t.same(event.payload, {
    id: consultation.id,
    enquirer_id: enquirer.id,
    held_on: '2026-11-20',
    channel: 'online',
    topics: ['social_security', 'family_members_not_nationals'],
    referral_count: 1,
    follow_up_on: '2026-12-04',
    follow_up_done_on: null,
    residence_country: 'GB',
    version: 1,
  })
  t.notMatch(JSON.stringify(event.payload), /Migration Department|pension|insurance periods/, 'the event carries no content of the consultation')

  const read = await testApp.as('audrey', ['auditor'])({ method: 'GET', url: `${ENQUIRERS}/${enquirer.id}/consultations/${consultation.id}` })
  t.equal(read.statusCode, 200)
  t.same(read.json(), consultation)
})

t.test('bad consultations are refused with a problem and write nothing', async (t) => {
  const testApp = await buildTestApp(t)
  const counsellor = counsellorOf(testApp)
  const enquirer = await createEnquirer(testApp)
  const url = `${ENQUIRERS}/${enquirer.id}/consultations`
  const before = await footprint(testApp)
  const cases: Array<[string, Record<string, unknown>, number, string]> = [
    ['held in the future', consultationBody({ held_on: daysFromToday(5), follow_up_on: null, referrals: [] }), 400, '/body/held_on'],
    ['a follow-up before the consultation', consultationBody({ follow_up_on: '2026-11-19' }), 400, '/body/follow_up_on'],
    ['a referral before the consultation', consultationBody({ referrals: [{ institution: 'Sodra', purpose: 'Pension', referred_on: '2026-11-01' }] }), 400, '/body/referrals/0/referred_on'],
    ['a referral in the future', consultationBody({ referrals: [{ institution: 'Sodra', purpose: 'Pension', referred_on: daysFromToday(10) }] }), 400, '/body/referrals/0/referred_on'],
    ['an unknown channel', consultationBody({ channel: 'fax' }), 400, '/body/channel'],
    ['an unknown topic', consultationBody({ topics: ['taxes'] }), 400, '/body/topics/0'],
    ['no topic', consultationBody({ topics: [] }), 400, '/body/topics'],
    ['a repeated topic', consultationBody({ topics: ['education', 'education'] }), 400, '/body/topics'],
    ['no question', { ...consultationBody(), question: undefined }, 400, '/body'],
    ['an empty answer', consultationBody({ information_given: '' }), 400, '/body/information_given'],
    ['a referral without an institution', consultationBody({ referrals: [{ purpose: 'Pension', referred_on: '2026-11-20' }] }), 400, '/body/referrals/0'],
    ['a malformed date', consultationBody({ held_on: '20-11-2026' }), 400, '/body/held_on'],
  ]
  for (const [name, payload, status, pointer] of cases) {
    const response = await counsellor({ method: 'POST', url, payload })
    t.equal(response.statusCode, status, `${name}: ${status}`)
    t.match(response.headers['content-type'], /application\/problem\+json/)
    t.ok((response.json().errors ?? []).some((error: { pointer: string }) => error.pointer.startsWith(pointer)), `${name}: points at ${pointer} (${JSON.stringify(response.json().errors)})`)
  }
  const unknown = await counsellor({ method: 'POST', url: `${ENQUIRERS}/01900000-0000-7000-8000-000000000000/consultations`, payload: consultationBody() })
  t.equal(unknown.statusCode, 404, 'no consultation for an enquirer who does not exist')
  t.same(await footprint(testApp), before, 'nothing was written')
})

t.test('edits need If-Match; the follow-up is marked done; dates stay consistent', async (t) => {
  const testApp = await buildTestApp(t)
  const counsellor = counsellorOf(testApp)
  const enquirer = await createEnquirer(testApp)
  const consultation = await recordConsultation(testApp, enquirer.id)
  const url = `${ENQUIRERS}/${enquirer.id}/consultations/${consultation.id}`
  const before = await footprint(testApp)
  t.equal((await counsellor({ method: 'PATCH', url, payload: { channel: 'phone' } })).statusCode, 428)
  t.equal((await counsellor({ method: 'PATCH', url, headers: { 'if-match': '"2"' }, payload: { channel: 'phone' } })).statusCode, 412)
  const heldAfterFollowUp = await counsellor({ method: 'PATCH', url, headers: { 'if-match': '"1"' }, payload: { held_on: '2026-12-10' } })
  t.equal(heldAfterFollowUp.statusCode, 400, 'moving the consultation after its follow-up is refused')
  t.ok(heldAfterFollowUp.json().errors.some((error: { pointer: string }) => error.pointer === '/body/follow_up_on'))
  const doneInFuture = await counsellor({ method: 'PATCH', url, headers: { 'if-match': '"1"' }, payload: { follow_up_done_on: daysFromToday(3) } })
  t.equal(doneInFuture.statusCode, 400)
  t.same(await footprint(testApp), before, 'refused edits wrote nothing')

  const edited = await counsellor({
    method: 'PATCH',
    url,
    headers: { 'if-match': '"1"' },
    payload: { channel: 'phone', topics: ['employment'], information_given: 'Gave the employment service contacts.', follow_up_done_on: '2026-12-01' },
  })
  t.equal(edited.statusCode, 200)
  t.equal(edited.headers.etag, '"2"')
  t.match(edited.json(), { channel: 'phone', topics: ['employment'], follow_up_on: '2026-12-04', follow_up_done_on: '2026-12-01', version: 2 })
  const db = testApp.database.db
  const audit = await db.selectFrom('audit_events').selectAll().where('action', '=', 'mic_consultation.updated').executeTakeFirstOrThrow()
  t.same(Object.keys(audit.changes).sort(), ['channel', 'follow_up_done_on', 'information_given', 'topics'])
  t.equal(audit.changes.information_given?.after, '[restricted]')
  t.equal((await db.selectFrom('outbox_events').select('event_type').where('entity_id', '=', consultation.id).orderBy('sequence').execute()).at(-1)?.event_type, 'mic_consultation.updated')

  const cleared = await counsellor({ method: 'PATCH', url, headers: { 'if-match': '"2"' }, payload: { follow_up_on: null } })
  t.equal(cleared.statusCode, 200)
  t.match(cleared.json(), { follow_up_on: null, follow_up_done_on: null }, 'clearing the follow-up clears its done date')
  const doneWithout = await counsellor({ method: 'PATCH', url, headers: { 'if-match': '"3"' }, payload: { follow_up_done_on: '2026-12-01' } })
  t.equal(doneWithout.statusCode, 400, 'no follow-up to mark done')
})

t.test('a consultation keeps the country the enquirer lived in when consulted', async (t) => {
  const testApp = await buildTestApp(t)
  const counsellor = counsellorOf(testApp)
  const enquirer = await createEnquirer(testApp)
  const abroad = await recordConsultation(testApp, enquirer.id)
  await counsellor({ method: 'PATCH', url: `${ENQUIRERS}/${enquirer.id}`, headers: { 'if-match': '"1"' }, payload: { residence_country: 'LT' } })
  const home = await recordConsultation(testApp, enquirer.id, { held_on: '2026-11-25', follow_up_on: null, referrals: [] })
  const list = (await counsellor({ method: 'GET', url: `${ENQUIRERS}/${enquirer.id}/consultations` })).json()
  t.same(list.items.map((item: { id: string; residence_country: string }) => [item.id, item.residence_country]), [[abroad.id, 'GB'], [home.id, 'LT']])
})

t.test('consultations of an enquirer: filters, pages, and another enquirer\'s consultation is not found', async (t) => {
  const testApp = await buildTestApp(t)
  const counsellor = counsellorOf(testApp)
  const ona = await createEnquirer(testApp)
  const jonas = await createEnquirer(testApp, { given_name: 'Jonas', family_name: 'Kazlauskas' })
  const first = await recordConsultation(testApp, ona.id, { held_on: '2026-10-01', follow_up_on: null, referrals: [], channel: 'phone', topics: ['education'] })
  const second = await recordConsultation(testApp, ona.id)
  const third = await recordConsultation(testApp, ona.id, { held_on: '2026-11-28', follow_up_on: null, referrals: [], channel: 'in_person', topics: ['health_insurance', 'education'] })
  const jonasConsultation = await recordConsultation(testApp, jonas.id)
  const ids = async (query: string) => (await counsellor({ method: 'GET', url: `${ENQUIRERS}/${ona.id}/consultations?${query}` })).json().items.map((item: { id: string }) => item.id)
  t.same(await ids(''), [first.id, second.id, third.id])
  t.same(await ids('topic=education'), [first.id, third.id])
  t.same(await ids('channel=online'), [second.id])
  t.same(await ids('held_from=2026-11-01&held_to=2026-11-27'), [second.id])
  t.same(await ids('limit=2'), [first.id, second.id])
  const page = (await counsellor({ method: 'GET', url: `${ENQUIRERS}/${ona.id}/consultations?limit=2` })).json()
  t.same(await ids(`limit=2&cursor=${page.next_cursor}`), [third.id])
  t.equal((await counsellor({ method: 'GET', url: `${ENQUIRERS}/${ona.id}/consultations?topic=taxes` })).statusCode, 400)
  const crossed = await counsellor({ method: 'GET', url: `${ENQUIRERS}/${ona.id}/consultations/${jonasConsultation.id}` })
  t.equal(crossed.statusCode, 404, 'a consultation is reached only through its own enquirer')
  const crossedEdit = await counsellor({ method: 'PATCH', url: `${ENQUIRERS}/${ona.id}/consultations/${jonasConsultation.id}`, headers: { 'if-match': '"1"' }, payload: { channel: 'phone' } })
  t.equal(crossedEdit.statusCode, 404)
})

t.test('a retried consultation with the same Idempotency-Key is recorded once', async (t) => {
  const testApp = await buildTestApp(t)
  const counsellor = counsellorOf(testApp)
  const enquirer = await createEnquirer(testApp)
  const request = { method: 'POST' as const, url: `${ENQUIRERS}/${enquirer.id}/consultations`, headers: { 'idempotency-key': 'consultation-2026-11-20' }, payload: consultationBody() }
  const first = await counsellor(request)
  const again = await counsellor(request)
  t.equal(again.statusCode, 201)
  t.equal(again.headers['idempotent-replayed'], 'true')
  t.equal(again.json().id, first.json().id)
  t.equal((await footprint(testApp)).consultations, 1)
  const edit = { method: 'PATCH' as const, url: `${ENQUIRERS}/${enquirer.id}/consultations/${first.json().id}`, headers: { 'if-match': '"1"', 'idempotency-key': 'edit-1' }, payload: { channel: 'email' } }
  t.equal((await counsellor(edit)).statusCode, 200)
  const replayedEdit = await counsellor(edit)
  t.equal(replayedEdit.statusCode, 200, 'a retried edit replays instead of failing on the old version')
  t.equal(replayedEdit.json().version, 2)
})
