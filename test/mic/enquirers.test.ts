import t from 'tap'
import { buildTestApp } from '../helpers/app.js'
import { consultationBody, counsellorOf, createEnquirer, daysFromToday, ENQUIRERS, enquirerBody, footprint, recordConsultation } from './helpers.js'

t.test('an enquirer is registered with contact, residence, household and consent; audited without personal values', async (t) => {
  const testApp = await buildTestApp(t)
  const response = await counsellorOf(testApp)({ method: 'POST', url: ENQUIRERS, payload: enquirerBody() })
  t.equal(response.statusCode, 201)
  const enquirer = response.json()
  t.equal(response.headers.etag, '"1"')
  t.equal(response.headers.location, `${ENQUIRERS}/${enquirer.id}`)
  t.match(enquirer, {
    given_name: 'Ona',
    contact: { email: 'ona.petraitiene@example.org', phone: '+442079460958', address: '12 Baker Street, London' },
    residence_country: 'GB',
    planned_return_on: '2027-06-30',
    household: [{ given_name: 'James', relationship: 'spouse_partner', nationality: 'GB', date_of_birth: null }],
    consent: { given_by: 'enquirer', scope: ['information_and_advice', 'follow_up_contact'], recorded_by: 'connie' },
    created_by: 'connie',
  })
  t.equal(enquirer.contact.phone, '+442079460958', 'the phone is stored in E.164')

  const db = testApp.database.db
  const audit = await db.selectFrom('audit_events').selectAll().where('entity_id', '=', enquirer.id).executeTakeFirstOrThrow()
  t.equal(audit.action, 'mic_enquirer.created')
  const changes = JSON.stringify(audit.changes)
  for (const secret of ['Ona', 'Petraitien', 'example.org', '2079460958', 'Baker', 'James']) t.notMatch(changes, secret, `the audit entry does not hold ${secret}`)
  t.equal(audit.changes.residence_country?.after, 'GB', 'non-personal fields are recorded with their values')
  const event = await db.selectFrom('outbox_events').selectAll().where('entity_id', '=', enquirer.id).executeTakeFirstOrThrow()
  t.equal(event.event_type, 'mic_enquirer.created')
  t.same(event.payload, { id: enquirer.id, residence_country: 'GB', planned_return_on: '2027-06-30', household_nationalities: ['GB'], consent_scope: ['information_and_advice', 'follow_up_contact'], version: 1 })

  const read = await testApp.as('audrey', ['auditor'])({ method: 'GET', url: `${ENQUIRERS}/${enquirer.id}` })
  t.equal(read.statusCode, 200)
  t.equal(read.headers.etag, '"1"')
  t.same(read.json(), enquirer)
})

t.test('bad input is a 400 or 422 problem and writes nothing', async (t) => {
  const testApp = await buildTestApp(t)
  const counsellor = counsellorOf(testApp)
  const future = new Date(Date.now() + 3 * 86_400_000).toISOString()
  const cases: Array<[string, Record<string, unknown>, number, string]> = [
    ['an unknown country of residence', enquirerBody({ residence_country: 'XX' }), 400, '/body/residence_country'],
    ['an unknown nationality in the household', enquirerBody({ household: [{ relationship: 'child', nationality: 'QQ' }] }), 400, '/body/household/0/nationality'],
    ['no consent', { ...enquirerBody(), consent: undefined }, 400, '/body'],
    ['consent given in the future', enquirerBody({ consent: { given_at: future, given_by: 'enquirer', scope: ['information_and_advice'] } }), 400, '/body/consent/given_at'],
    ['consent that does not cover the advice', enquirerBody({ consent: { given_at: '2026-11-20T10:00:00Z', given_by: 'enquirer', scope: ['statistics'] } }), 400, '/body/consent/scope'],
    ['no way of contact', enquirerBody({ contact: {} }), 400, '/body/contact'],
    ['only nulls as contact', enquirerBody({ contact: { email: null, phone: null } }), 400, '/body/contact'],
    ['a phone without a country code', enquirerBody({ contact: { phone: '861234567' } }), 400, '/body/contact/phone'],
    ['a phone number that does not exist', enquirerBody({ contact: { phone: '+370 1' } }), 400, '/body/contact/phone'],
    ['a malformed e-mail', enquirerBody({ contact: { email: 'ona at example' } }), 400, '/body/contact/email'],
    ['a name without letters', enquirerBody({ given_name: '--' }), 400, '/body/given_name'],
    ['a household member born in the future', enquirerBody({ household: [{ relationship: 'child', nationality: 'GB', date_of_birth: daysFromToday(30) }] }), 400, '/body/household/0/date_of_birth'],
    ['an unknown property', enquirerBody({ nickname: 'O' }), 400, '/body'],
    ['an unknown relationship', enquirerBody({ household: [{ relationship: 'friend', nationality: 'GB' }] }), 400, '/body/household/0/relationship'],
  ]
  for (const [name, payload, status, pointer] of cases) {
    const response = await counsellor({ method: 'POST', url: ENQUIRERS, payload })
    t.equal(response.statusCode, status, `${name}: ${status}`)
    t.match(response.headers['content-type'], /application\/problem\+json/, `${name}: problem+json`)
    t.ok(
      (response.json().errors ?? []).some((error: { pointer: string }) => error.pointer.startsWith(pointer)),
      `${name}: points at ${pointer} (${JSON.stringify(response.json().errors)})`,
    )
  }
  t.same(await footprint(testApp), { enquirers: 0, consultations: 0, audits: 0, events: 0 }, 'nothing was written')
})

t.test('edits need If-Match: 428 without, 412 when stale; the person stays reachable', async (t) => {
  const testApp = await buildTestApp(t)
  const counsellor = counsellorOf(testApp)
  const enquirer = await createEnquirer(testApp)
  const url = `${ENQUIRERS}/${enquirer.id}`
  const before = await footprint(testApp)

  const withoutIfMatch = await counsellor({ method: 'PATCH', url, payload: { planned_return_on: '2027-08-15' } })
  t.equal(withoutIfMatch.statusCode, 428)
  t.equal(withoutIfMatch.json().type, '/problems/precondition-required')
  const stale = await counsellor({ method: 'PATCH', url, headers: { 'if-match': '"7"' }, payload: { planned_return_on: '2027-08-15' } })
  t.equal(stale.statusCode, 412)
  t.equal(stale.json().current_etag, '"1"')
  const unreachable = await counsellor({ method: 'PATCH', url, headers: { 'if-match': '"1"' }, payload: { contact: { email: null, phone: null, address: null } } })
  t.equal(unreachable.statusCode, 400)
  t.equal(unreachable.json().errors[0].pointer, '/body/contact')
  const empty = await counsellor({ method: 'PATCH', url, headers: { 'if-match': '"1"' }, payload: {} })
  t.equal(empty.statusCode, 400, 'an edit that changes nothing is refused')
  t.same(await footprint(testApp), before, 'refused edits wrote nothing')

  const edited = await counsellor({ method: 'PATCH', url, headers: { 'if-match': '"1"' }, payload: { planned_return_on: '2027-08-15', family_name: 'Petraitė', contact: { phone: null, email: 'ona@example.org' } } })
  t.equal(edited.statusCode, 200)
  t.equal(edited.headers.etag, '"2"')
  t.match(edited.json(), { planned_return_on: '2027-08-15', family_name: 'Petraitė', contact: { email: 'ona@example.org', phone: null, address: '12 Baker Street, London' }, version: 2 })
  const audit = await testApp.database.db.selectFrom('audit_events').selectAll().where('action', '=', 'mic_enquirer.updated').executeTakeFirstOrThrow()
  t.same(audit.changes, {
    family_name: { before: '[restricted]', after: '[restricted]' },
    email: { before: '[restricted]', after: '[restricted]' },
    phone: { before: '[restricted]', after: '[restricted]' },
    planned_return_on: { before: '2027-06-30', after: '2027-08-15' },
  }, 'the audit entry names what changed, masking personal values')
  const found = (await counsellor({ method: 'GET', url: `${ENQUIRERS}?q=petraite` })).json()
  t.equal(found.items.length, 1, 'a new name is searchable')
  t.equal((await counsellor({ method: 'GET', url: `${ENQUIRERS}?q=petraitiene` })).json().items.length, 0, 'the old name no longer is')
})

t.test('a retried create with the same Idempotency-Key replays; another body with the key is 422', async (t) => {
  const testApp = await buildTestApp(t)
  const counsellor = counsellorOf(testApp)
  const headers = { 'idempotency-key': 'enquirer-ona-1' }
  const first = await counsellor({ method: 'POST', url: ENQUIRERS, headers, payload: enquirerBody() })
  const again = await counsellor({ method: 'POST', url: ENQUIRERS, headers, payload: enquirerBody() })
  t.equal(first.statusCode, 201)
  t.equal(again.statusCode, 201)
  t.equal(again.headers['idempotent-replayed'], 'true')
  t.equal(again.json().id, first.json().id)
  const other = await counsellor({ method: 'POST', url: ENQUIRERS, headers, payload: enquirerBody({ given_name: 'Rūta' }) })
  t.equal(other.statusCode, 422)
  t.equal(other.json().type, '/problems/idempotency-key-reused')
  t.same(await footprint(testApp), { enquirers: 1, consultations: 0, audits: 1, events: 1 }, 'one enquirer, one audit entry, one event')
})

t.test('search and filters: name words (accent-insensitive), residence, household nationality, planned return; keyset pages', async (t) => {
  const testApp = await buildTestApp(t)
  const counsellor = counsellorOf(testApp)
  const ona = await createEnquirer(testApp)
  const jonas = await createEnquirer(testApp, { given_name: 'Jonas', family_name: 'Kazlauskas', residence_country: 'NO', planned_return_on: null, household: [] })
  const rasa = await createEnquirer(testApp, {
    given_name: 'Rasa',
    family_name: 'Žukauskienė',
    residence_country: 'IE',
    planned_return_on: '2027-01-15',
    household: [{ relationship: 'child', nationality: 'IE' }, { relationship: 'spouse_partner', nationality: 'UA' }],
  })
  const ids = async (query: string) => (await counsellor({ method: 'GET', url: `${ENQUIRERS}?${query}` })).json().items.map((item: { id: string }) => item.id)
  t.same(await ids('q=zukausk'), [rasa.id], 'without diacritics')
  t.same(await ids('q=RASA%20%C5%BDuk'), [rasa.id], 'several words, any case')
  t.same(await ids('q=kauskas'), [], 'a word must match from its start')
  t.same(await ids('residence_country=NO'), [jonas.id])
  t.same(await ids('household_nationality=UA'), [rasa.id])
  t.same(await ids('household_nationality=GB'), [ona.id])
  t.same(await ids('planned_return_from=2027-01-01&planned_return_to=2027-03-31'), [rasa.id])
  t.same(await ids('planned_return_from=2027-01-01'), [ona.id, rasa.id])
  const noLetters = await counsellor({ method: 'GET', url: `${ENQUIRERS}?q=%25%25` })
  t.equal(noLetters.statusCode, 400)
  t.equal(noLetters.json().errors[0].pointer, '/query/q')
  t.equal((await counsellor({ method: 'GET', url: `${ENQUIRERS}?residence_country=ZZ` })).statusCode, 400, 'an unknown country is refused')

  const firstPage = (await counsellor({ method: 'GET', url: `${ENQUIRERS}?limit=2` })).json()
  t.same(firstPage.items.map((item: { id: string }) => item.id), [ona.id, jonas.id])
  t.type(firstPage.next_cursor, 'string')
  const secondPage = (await counsellor({ method: 'GET', url: `${ENQUIRERS}?limit=2&cursor=${firstPage.next_cursor}` })).json()
  t.same(secondPage.items.map((item: { id: string }) => item.id), [rasa.id])
  t.equal(secondPage.next_cursor, null)
  const badCursor = await counsellor({ method: 'GET', url: `${ENQUIRERS}?cursor=bm9wZQ` })
  t.equal(badCursor.statusCode, 400)
})

t.test('erasing an enquirer removes their consultations, needs If-Match, and leaves an audit entry without their data', async (t) => {
  const testApp = await buildTestApp(t)
  const counsellor = counsellorOf(testApp)
  const enquirer = await createEnquirer(testApp)
  await recordConsultation(testApp, enquirer.id)
  const url = `${ENQUIRERS}/${enquirer.id}`
  t.equal((await counsellor({ method: 'DELETE', url })).statusCode, 428)
  t.equal((await counsellor({ method: 'DELETE', url, headers: { 'if-match': '"5"' } })).statusCode, 412)
  t.equal((await footprint(testApp)).consultations, 1, 'refused erasures removed nothing')
  const erased = await counsellor({ method: 'DELETE', url, headers: { 'if-match': '"1"', 'idempotency-key': 'erase-ona' } })
  t.equal(erased.statusCode, 204)
  const replay = await counsellor({ method: 'DELETE', url, headers: { 'if-match': '"1"', 'idempotency-key': 'erase-ona' } })
  t.equal(replay.statusCode, 204, 'a retried erasure replays')
  t.equal(replay.headers['idempotent-replayed'], 'true')
  t.equal((await counsellor({ method: 'GET', url })).statusCode, 404)
  t.equal((await counsellor({ method: 'GET', url: `${url}/consultations` })).statusCode, 404)
  const counts = await footprint(testApp)
  t.equal(counts.enquirers, 0)
  t.equal(counts.consultations, 0)
  const db = testApp.database.db
  const audit = await db.selectFrom('audit_events').selectAll().where('action', '=', 'mic_enquirer.deleted').executeTakeFirstOrThrow()
  t.notMatch(JSON.stringify(audit.changes), /Ona|example\.org|Baker/, 'no personal value survives in the audit trail')
  const event = await db.selectFrom('outbox_events').selectAll().where('event_type', '=', 'mic_enquirer.deleted').executeTakeFirstOrThrow()
  t.same(event.payload, { id: enquirer.id, consultations_removed: 1 })
})

t.test('consent without follow-up contact: no follow-up can be planned, and it cannot replace a consent while follow-ups are open', async (t) => {
  const testApp = await buildTestApp(t)
  const counsellor = counsellorOf(testApp)
  const enquirer = await createEnquirer(testApp)
  const consultation = await recordConsultation(testApp, enquirer.id)
  const url = `${ENQUIRERS}/${enquirer.id}`
  const narrower = { consent: { given_at: '2026-11-25T09:00:00Z', given_by: 'enquirer', scope: ['information_and_advice'] } }
  const refused = await counsellor({ method: 'PATCH', url, headers: { 'if-match': '"1"' }, payload: narrower })
  t.equal(refused.statusCode, 409)
  t.match(refused.json().detail, /follow_up_contact/)
  const done = await counsellor({ method: 'PATCH', url: `${url}/consultations/${consultation.id}`, headers: { 'if-match': '"1"' }, payload: { follow_up_done_on: '2026-11-30' } })
  t.equal(done.statusCode, 200)
  const accepted = await counsellor({ method: 'PATCH', url, headers: { 'if-match': '"1"' }, payload: narrower })
  t.equal(accepted.statusCode, 200, 'once the follow-up is done the consent can be narrowed')
  t.same(accepted.json().consent.scope, ['information_and_advice'])
  const planned = await counsellor({ method: 'POST', url: `${url}/consultations`, payload: consultationBody({ follow_up_on: '2026-12-20' }) })
  t.equal(planned.statusCode, 422)
  t.equal(planned.json().errors[0].pointer, '/body/follow_up_on')
  const without = await counsellor({ method: 'POST', url: `${url}/consultations`, payload: consultationBody({ follow_up_on: null }) })
  t.equal(without.statusCode, 201, 'a consultation without a follow-up is fine')
})
