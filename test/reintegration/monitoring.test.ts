import t from 'tap'
import { expectStatus, isoDate, markArrived, person, planFixture, reintegrationFixture, snapshotCounts, type Fixture, type Json } from './helpers.js'

const ANSWERS = {
  income_covers_needs: 3,
  income_generating_activity: 1,
  debt_manageable: 4,
  access_to_credit: 0,
  adequate_housing: 4,
  access_to_services: 4,
  identity_documents: 1,
  feels_safe: 5,
  part_of_community: 4,
  plans_to_stay: 4,
}

async function arrivedCase(f: Fixture) {
  const planned = await planFixture(f, {
    caseOverrides: { members: [person(), person({ relationship: 'spouse_partner', given_name: 'Nino', sex: 'female', date_of_birth: '1980-01-01' })] },
  })
  await markArrived(f, planned.caseId, 'in_reintegration')
  return { ...planned, members: planned.caseRecord.members as Array<{ id: string }> }
}

t.test('monitoring visits: the partner office of the case records them after return', async (t) => {
  const f = await reintegrationFixture(t)
  const notYet = await planFixture(f)
  const url = (caseId: string) => `/v1/return-cases/${caseId}/monitoring-visits`
  const visit = { visited_on: isoDate(-1), visited_by: 'Tamar K., IOM Tbilisi', mode: 'in_person', findings: 'Two renovation contracts under way.' }
  const early = await f.partnerTbilisi({ method: 'POST', url: url(notYet.caseId), payload: visit })
  t.equal(early.statusCode, 409, 'monitoring follows the return')

  const { caseId, planId } = await arrivedCase(f)
  const before = await snapshotCounts(f)
  for (const [payload, status] of [
    [{ ...visit, plan_id: planId }, 422],
    [{ ...visit, plan_id: notYet.planId, activity_running: true }, 422],
    [{ ...visit, visited_on: isoDate(1) }, 400],
    [{ ...visit, mode: 'carrier_pigeon' }, 400],
    [{ ...visit, findings: '' }, 400],
  ] as const) {
    t.equal((await f.partnerTbilisi({ method: 'POST', url: url(caseId), payload })).statusCode, status, JSON.stringify(payload).slice(0, 100))
  }
  t.equal((await f.partnerBaghdad({ method: 'POST', url: url(caseId), payload: visit })).statusCode, 404, 'another partner office does not see the case')
  t.equal((await f.finance({ method: 'POST', url: url(caseId), payload: visit })).statusCode, 403)
  t.same(await snapshotCounts(f), before, 'refused visits wrote nothing')

  const recorded = await f.partnerTbilisi({ method: 'POST', url: url(caseId), payload: { ...visit, plan_id: planId, activity_running: true } })
  t.equal(recorded.statusCode, 201)
  t.match(recorded.json(), { plan_id: planId, activity_running: true, recorded_by: 'pat', recorded_by_office_id: f.offices.tbilisi, mode: 'in_person' })
  const byPhone = await f.counsellor({ method: 'POST', url: url(caseId), payload: { ...visit, mode: 'phone', visited_by: 'Carla' } })
  t.match(byPhone.json(), { plan_id: null, activity_running: null, recorded_by_office_id: null })
  const list = (await f.partnerTbilisi({ method: 'GET', url: url(caseId) })).json()
  t.equal(list.items.length, 2)
  t.equal((await f.auditor({ method: 'GET', url: `${url(caseId)}/${recorded.json().id}` })).json().findings, 'Two renovation contracts under way.')
  const audit = await f.db.selectFrom('audit_events').select('changes').where('entity_id', '=', recorded.json().id).executeTakeFirstOrThrow()
  t.same(audit.changes.findings, { after: '[restricted]' }, 'findings about the household are not copied into the audit trail')
})

t.test('satisfaction surveys: one per returnee, scores 1-5, reintegration optional', async (t) => {
  const f = await reintegrationFixture(t)
  const { caseId, members } = await arrivedCase(f)
  const url = `/v1/return-cases/${caseId}/satisfaction-surveys`
  const [principal, spouse] = members
  const survey = { member_id: principal?.id, surveyed_on: isoDate(0), counselling: 5, travel_arrangements: 5, reintegration_assistance: 4, comments: 'Thank you' }
  const before = await snapshotCounts(f)
  t.equal((await f.partnerTbilisi({ method: 'POST', url, payload: { ...survey, counselling: 0 } })).statusCode, 400)
  t.equal((await f.partnerTbilisi({ method: 'POST', url, payload: { ...survey, travel_arrangements: 6 } })).statusCode, 400)
  t.equal((await f.partnerTbilisi({ method: 'POST', url, payload: { ...survey, member_id: '01900000-0000-7000-8000-000000000000' } })).statusCode, 422)
  t.same(await snapshotCounts(f), before)
  const recorded = await f.partnerTbilisi({ method: 'POST', url, payload: survey })
  t.equal(recorded.statusCode, 201)
  t.match(recorded.json(), { counselling: 5, travel_arrangements: 5, reintegration_assistance: 4, comments: 'Thank you' })
  const twice = await f.counsellor({ method: 'POST', url, payload: survey })
  t.equal(twice.statusCode, 409, 'one survey per returnee')
  t.equal(twice.json().type, '/problems/duplicate-resource')
  const noReintegration = await f.counsellor({ method: 'POST', url, payload: { member_id: spouse?.id, surveyed_on: isoDate(0), counselling: 4, travel_arrangements: 5, reintegration_assistance: null } })
  t.equal(noReintegration.json().reintegration_assistance, null)
  t.equal((await f.partnerTbilisi({ method: 'GET', url })).json().items.length, 2)
  t.equal((await f.partnerBaghdad({ method: 'GET', url })).statusCode, 404)
})

t.test('sustainability: scored per dimension and composite with the versioned instrument, follow-ups compared with the baseline', async (t) => {
  const f = await reintegrationFixture(t)
  const { caseId, members } = await arrivedCase(f)
  const url = `/v1/return-cases/${caseId}/sustainability-assessments`
  const [principal, spouse] = members
  const instrument = (await f.partnerTbilisi({ method: 'GET', url: '/v1/sustainability-instruments/sustainability-2026-01' })).json()
  t.same(instrument.definition.dimensions.map((entry: Json) => [entry.dimension, entry.weight]), [['economic', 40], ['social', 30], ['psychosocial', 30]])

  const before = await snapshotCounts(f)
  const { plans_to_stay: _missing, ...incomplete } = ANSWERS
  const refusals = [
    [{ member_id: principal?.id, assessed_on: isoDate(-30), answers: incomplete }, 422, '/body/answers/plans_to_stay'],
    [{ member_id: principal?.id, assessed_on: isoDate(-30), answers: { ...ANSWERS, income_covers_needs: 6 } }, 422, '/body/answers/income_covers_needs'],
    [{ member_id: principal?.id, assessed_on: isoDate(-30), answers: { ...ANSWERS, happiness: 3 } }, 422, '/body/answers/happiness'],
    [{ member_id: principal?.id, assessed_on: isoDate(-30), answers: ANSWERS, instrument_version: 'nope-1' }, 422, '/body/instrument_version'],
    [{ member_id: principal?.id, assessed_on: isoDate(2), answers: ANSWERS }, 400, '/body/assessed_on'],
  ] as const
  for (const [payload, status, pointer] of refusals) {
    const response = await f.partnerTbilisi({ method: 'POST', url, payload })
    t.equal(response.statusCode, status, pointer)
    t.ok(response.json().errors.some((error: { pointer: string }) => error.pointer === pointer), `points at ${pointer}`)
  }
  t.same(await snapshotCounts(f), before, 'refused assessments wrote nothing')

  const baseline = await expectStatus(await f.partnerTbilisi({ method: 'POST', url, payload: { member_id: principal?.id, assessed_on: isoDate(-30), answers: ANSWERS } }), 201, 'baseline')
  // economic: (2×2/4 + 2×1 + 1×3/4 + 1×0) / 6 = 3.75/6 = 62.5; social: (3/4 + 3/4 + 1) / 3 = 83.33;
  // psychosocial: (1 + 3/4 + 3/4) / 3 = 83.33; composite: 0.4×62.5 + 0.3×83.333 + 0.3×83.333 = 75.
  t.match(baseline, {
    sequence: 1,
    is_baseline: true,
    instrument_version: 'sustainability-2026-01',
    scores: { economic: 62.5, social: 83.33, psychosocial: 83.33, composite: 75 },
    baseline: null,
    change_from_baseline: null,
  })
  const early = await f.partnerTbilisi({ method: 'POST', url, payload: { member_id: principal?.id, assessed_on: isoDate(-31), answers: ANSWERS } })
  t.equal(early.statusCode, 400, 'a follow-up is not dated before the previous assessment')

  const followUp = await expectStatus(
    await f.counsellor({ method: 'POST', url, payload: { member_id: principal?.id, assessed_on: isoDate(0), answers: { ...ANSWERS, income_covers_needs: 5, access_to_credit: 1, plans_to_stay: 2 } } }),
    201,
    'follow-up',
  )
  // economic: (2×1 + 2 + 0.75 + 1) / 6 = 95.83; psychosocial: (1 + 0.75 + 0.25) / 3 = 66.67; composite 0.4×95.833 + 0.3×83.333 + 0.3×66.667 = 83.33
  t.match(followUp, {
    sequence: 2,
    is_baseline: false,
    scores: { economic: 95.83, social: 83.33, psychosocial: 66.67, composite: 83.33 },
    baseline: { assessment_id: baseline.id, scores: { composite: 75 } },
    change_from_baseline: { economic: 33.33, social: 0, psychosocial: -16.66, composite: 8.33, same_instrument: true },
  })
  const other = await expectStatus(await f.partnerTbilisi({ method: 'POST', url, payload: { member_id: spouse?.id, assessed_on: isoDate(0), answers: ANSWERS } }), 201, 'spouse baseline')
  t.equal(other.sequence, 1, 'each returnee has their own baseline')

  const list = (await f.auditor({ method: 'GET', url: `${url}?member_id=${principal?.id}` })).json()
  t.same(list.items.map((item: Json) => [item.sequence, item.change_from_baseline?.composite ?? null]), [[1, null], [2, 8.33]])
  t.equal((await f.partnerBaghdad({ method: 'GET', url })).statusCode, 404)
  const audit = await f.db.selectFrom('audit_events').select('changes').where('entity_id', '=', followUp.id).executeTakeFirstOrThrow()
  t.same(audit.changes.answers, { after: '[restricted]' }, 'answers are audited as recorded, not copied')
})

t.test('sustainability instruments are versioned configuration managed by administrators', async (t) => {
  const f = await reintegrationFixture(t)
  const definition = {
    answer_scales: [{ code: 'yes_no', options: [{ value: 0, label: 'no' }, { value: 1, label: 'yes' }] }],
    dimensions: [
      { dimension: 'economic', weight: 50, indicators: [{ code: 'has_income', question: 'Do you have an income?', scale: 'yes_no', weight: 1 }] },
      { dimension: 'social', weight: 25, indicators: [{ code: 'has_housing', question: 'Do you have housing?', scale: 'yes_no', weight: 1 }] },
      { dimension: 'psychosocial', weight: 25, indicators: [{ code: 'feels_safe', question: 'Do you feel safe?', scale: 'yes_no', weight: 1 }] },
    ],
  }
  const body = { version: 'sustainability-short', valid_from: isoDate(0), description: 'Three questions.', definition }
  const before = await snapshotCounts(f)
  const inconsistent = await f.admin({
    method: 'POST',
    url: '/v1/sustainability-instruments',
    payload: { ...body, definition: { ...definition, dimensions: [definition.dimensions[0], definition.dimensions[0], { ...definition.dimensions[2], indicators: [{ code: 'x', question: 'x', scale: 'stars', weight: 1 }] }] } },
  })
  t.equal(inconsistent.statusCode, 422)
  const details = inconsistent.json().errors.map((error: { detail: string }) => error.detail)
  t.ok(details.some((detail: string) => /social dimension/.test(detail)), 'every dimension exactly once')
  t.ok(details.some((detail: string) => /sum to 125/.test(detail)), 'weights sum to 100')
  t.ok(details.some((detail: string) => /no answer scale stars/.test(detail)), 'scales exist')
  t.ok(details.some((detail: string) => /has_income is defined twice/.test(detail)), 'indicator codes are unique')
  t.equal((await f.admin({ method: 'POST', url: '/v1/sustainability-instruments', payload: { ...body, valid_from: isoDate(-1) } })).statusCode, 422, 'not backdated')
  t.equal((await f.counsellor({ method: 'POST', url: '/v1/sustainability-instruments', payload: body })).statusCode, 403)
  t.same(await snapshotCounts(f), before)

  await expectStatus(await f.admin({ method: 'POST', url: '/v1/sustainability-instruments', payload: body }), 201, 'new version')
  t.equal((await f.admin({ method: 'POST', url: '/v1/sustainability-instruments', payload: body })).statusCode, 409)
  const { caseId, members } = await arrivedCase(f)
  const url = `/v1/return-cases/${caseId}/sustainability-assessments`
  const baseline = await expectStatus(await f.partnerTbilisi({ method: 'POST', url, payload: { member_id: members[0]?.id, assessed_on: isoDate(-10), answers: ANSWERS } }), 201, 'baseline, old instrument')
  t.equal(baseline.instrument_version, 'sustainability-2026-01', 'the instrument in force on the assessment date')
  const followUp = await expectStatus(
    await f.partnerTbilisi({ method: 'POST', url, payload: { member_id: members[0]?.id, assessed_on: isoDate(0), answers: { has_income: 1, has_housing: 1, feels_safe: 0 } } }),
    201,
    'follow-up, new instrument',
  )
  t.match(followUp, { instrument_version: 'sustainability-short', scores: { economic: 100, social: 100, psychosocial: 0, composite: 75 }, change_from_baseline: { composite: 0, same_instrument: false } })
  await t.rejects(
    f.db.deleteFrom('sustainability_instruments').where('version', '=', 'sustainability-short').execute(),
    /versioned configuration/,
    'a version can never be removed',
  )
})
