import t from 'tap'
import { consultationFigures } from '../../src/modules/mic/index.js'
import { ProblemError } from '../../src/shared/problems.js'
import { buildTestApp } from '../helpers/app.js'
import { counsellorOf, createEnquirer, ENQUIRERS, recordConsultation } from './helpers.js'

t.test('figures for a period: consultations by topic, channel and country of previous residence, in one aggregate', async (t) => {
  const testApp = await buildTestApp(t)
  const ona = await createEnquirer(testApp)
  const jonas = await createEnquirer(testApp, { given_name: 'Jonas', family_name: 'Kazlauskas', residence_country: 'NO' })
  const plain = { referrals: [], follow_up_on: null }
  await recordConsultation(testApp, ona.id, { ...plain, held_on: '2026-01-10', channel: 'online', topics: ['social_security', 'health_insurance'] })
  await recordConsultation(testApp, ona.id, { ...plain, held_on: '2026-02-01', channel: 'phone', topics: ['social_security'] })
  await recordConsultation(testApp, jonas.id, { ...plain, held_on: '2026-03-31', channel: 'phone', topics: ['employment'] })
  await recordConsultation(testApp, jonas.id, { ...plain, held_on: '2025-12-31', channel: 'email', topics: ['education'] })
  await recordConsultation(testApp, jonas.id, { ...plain, held_on: '2026-04-01', channel: 'email', topics: ['education'] })
  // Ona comes home: later consultations count under Lithuania, the earlier ones stay under the UK.
  await counsellorOf(testApp)({ method: 'PATCH', url: `${ENQUIRERS}/${ona.id}`, headers: { 'if-match': '"1"' }, payload: { residence_country: 'LT' } })
  await recordConsultation(testApp, ona.id, { ...plain, held_on: '2026-03-15', channel: 'in_person', topics: ['health_insurance'] })

  const figures = await consultationFigures(testApp.database.db, { from: '2026-01-01', to: '2026-03-31' })
  t.equal(figures.total, 4, 'consultations in the period, each once (the period is inclusive at both ends)')
  t.same(figures.by_topic, [
    { topic: 'employment', consultations: 1 },
    { topic: 'health_insurance', consultations: 2 },
    { topic: 'social_security', consultations: 2 },
  ], 'a consultation on two topics counts under each')
  t.same(figures.by_channel, [
    { channel: 'in_person', consultations: 1 },
    { channel: 'online', consultations: 1 },
    { channel: 'phone', consultations: 2 },
  ], 'channels count consultations once, whatever their topics')
  t.same(figures.by_country_of_previous_residence, [
    { country: 'GB', consultations: 2 },
    { country: 'LT', consultations: 1 },
    { country: 'NO', consultations: 1 },
  ])
  t.same(figures.by_topic_channel_country, [
    { topic: 'employment', channel: 'phone', country: 'NO', consultations: 1 },
    { topic: 'health_insurance', channel: 'in_person', country: 'LT', consultations: 1 },
    { topic: 'health_insurance', channel: 'online', country: 'GB', consultations: 1 },
    { topic: 'social_security', channel: 'online', country: 'GB', consultations: 1 },
    { topic: 'social_security', channel: 'phone', country: 'GB', consultations: 1 },
  ])

  const empty = await consultationFigures(testApp.database.db, { from: '2020-01-01', to: '2020-12-31' })
  t.same(empty, { from: '2020-01-01', to: '2020-12-31', total: 0, by_topic: [], by_channel: [], by_country_of_previous_residence: [], by_topic_channel_country: [] })

  await t.rejects(consultationFigures(testApp.database.db, { from: '2026-04-01', to: '2026-03-01' }), ProblemError, 'a period that ends before it starts')
  await t.rejects(consultationFigures(testApp.database.db, { from: '2026-13-01', to: '2026-12-31' }), ProblemError, 'a month that does not exist is refused before SQL')
  await t.rejects(consultationFigures(testApp.database.db, { from: '2026-02-30', to: '2026-12-31' }), ProblemError, 'nor does a day that does not exist')
  await t.rejects(consultationFigures(testApp.database.db, { from: 'yesterday', to: '2026-12-31' }), ProblemError)
})
