import { parse } from 'csv-parse/sync'
import t from 'tap'
import { buildTestApp } from '../helpers/app.js'
import { counsellorOf, createEnquirer, daysFromToday, ENQUIRERS, recordConsultation } from './helpers.js'

const CSV = { accept: 'text/csv' }

t.test('the centre\'s lists export as CSV under their filters, all pages, for the roles that read them', async (t) => {
  const testApp = await buildTestApp(t)
  const counsellor = counsellorOf(testApp)
  const ona = await createEnquirer(testApp)
  const jonas = await createEnquirer(testApp, { given_name: 'Jonas', family_name: 'Kazlauskas', residence_country: 'NO', household: [] })
  await createEnquirer(testApp, { given_name: 'Rasa', family_name: 'Žukauskienė', residence_country: 'NO', household: [] })
  await recordConsultation(testApp, ona.id, { held_on: daysFromToday(-10), referrals: [], follow_up_on: daysFromToday(-2) })
  await recordConsultation(testApp, jonas.id, { held_on: daysFromToday(-10), referrals: [], follow_up_on: daysFromToday(2) })

  const enquirers = await testApp.as('audrey', ['auditor'])({ method: 'GET', url: `${ENQUIRERS}?residence_country=NO&limit=1`, headers: CSV })
  t.equal(enquirers.statusCode, 200)
  t.match(enquirers.headers['content-type'], /^text\/csv/)
  t.match(enquirers.headers['content-disposition'], /listMicEnquirers\.csv/)
  const rows = parse(enquirers.body, { columns: true }) as Array<Record<string, string>>
  t.same(rows.map((row) => row.family_name), ['Kazlauskas', 'Žukauskienė'], 'the filter applies and every page is exported, whatever the limit')
  t.equal(rows[0]?.['contact.email'], 'ona.petraitiene@example.org', 'nested contact fields are columns')
  t.equal(rows[0]?.['contact.phone'], "'+442079460958", 'a cell that starts like a formula is guarded')

  const consultations = parse((await counsellor({ method: 'GET', url: `${ENQUIRERS}/${ona.id}/consultations`, headers: CSV })).body, { columns: true }) as Array<Record<string, string>>
  t.equal(consultations.length, 1)
  t.equal(consultations[0]?.topics, 'social_security; family_members_not_nationals')

  const queue = await counsellor({ method: 'GET', url: '/v1/mic/follow-ups?due_within=7', headers: CSV })
  t.equal(queue.statusCode, 200)
  const due = parse(queue.body, { columns: true }) as Array<Record<string, string>>
  t.same(due.map((row) => [row.family_name, row.state]), [['Petraitienė', 'overdue'], ['Kazlauskas', 'due']])

  const partner = await testApp.as('pat', ['partner'], '01900000-0000-7000-8000-000000000001')({ method: 'GET', url: ENQUIRERS, headers: CSV })
  t.equal(partner.statusCode, 403, 'a partner exports nothing')
  t.notMatch(partner.body, /Kazlauskas/)
  const badFilter = await counsellor({ method: 'GET', url: `${ENQUIRERS}?q=%25%25`, headers: CSV })
  t.equal(badFilter.statusCode, 400, 'a bad filter is still a problem response')
})
