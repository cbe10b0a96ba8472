import t from 'tap'
import {
  EUR,
  approve,
  approvedCase,
  assess,
  expectStatus,
  isoDate,
  lineBalance,
  person,
  planUrl,
  reintegrationFixture,
  requestUrl,
  snapshotCounts,
  submitRequest,
  type Fixture,
  type Json,
} from './helpers.js'

const items = (amountMinor: number) => [{ description: 'Shop stock', quantity: 1, unit_price: EUR(amountMinor) }]

async function assessedRequest(
  f: Fixture,
  scores: { feasibility: number; motivation: number },
  options: { amountMinor: number; caseOverrides?: Record<string, unknown> },
): Promise<{ caseId: string; requestId: string; reference: string }> {
  const caseRecord = await approvedCase(f, options.caseOverrides)
  const request = await submitRequest(f, caseRecord.id, { items: items(options.amountMinor) })
  await assess(f, caseRecord.id, request.id, scores)
  return { caseId: caseRecord.id, requestId: request.id, reference: caseRecord.reference }
}

async function rankingScenario(f: Fixture) {
  await expectStatus(
    await f.admin({ method: 'POST', url: '/v1/crisis-countries', payload: { country: 'IQ', kind: 'conflict', valid_from: '2003-03-20', source: 'UNHCR position on returns to Iraq' } }),
    201,
    'list Iraq',
  )
  const iraq = { country_of_return: 'IQ', place_of_return: 'Baghdad', members: [person({ nationality: 'IQ' })] }
  const medical = { members: [person({ vulnerabilities: [{ code: 'medical_needs', notes: 'Asthma' }] })] }
  // units = 40 f + 35 u + 25 m under selection-2026-01
  const a = await assessedRequest(f, { feasibility: 4, motivation: 4 }, { amountMinor: 185_000 }) // 52
  const b = await assessedRequest(f, { feasibility: 3, motivation: 3 }, { amountMinor: 300_000, caseOverrides: iraq }) // u 3: 60
  const c = await assessedRequest(f, { feasibility: 5, motivation: 2 }, { amountMinor: 150_000 }) // 50
  const d = await assessedRequest(f, { feasibility: 5, motivation: 1 }, { amountMinor: 185_000, caseOverrides: medical }) // u 1: 52
  const e = await assessedRequest(f, { feasibility: 4, motivation: 4 }, { amountMinor: 100_000 }) // 52, cheaper than a
  return { a, b, c, d, e }
}

t.test('ranking: priority order with each component, composite, cumulative amounts against the in-kind line, and the weights\' version named', async (t) => {
  const f = await reintegrationFixture(t, { inKindMinor: 700_000 })
  const { a, b, c, d, e } = await rankingScenario(f)
  const pending = await approvedCase(f)
  await submitRequest(f, pending.id)

  const response = await f.approver({ method: 'GET', url: `/v1/projects/${f.projectId}/reintegration-ranking` })
  t.equal(response.statusCode, 200)
  const ranking = response.json()
  t.match(ranking.configuration, { version: 'selection-2026-01', weights: { feasibility: 40, urgency: 35, motivation: 25 }, valid_from: '2000-01-01' })
  t.same(ranking.budget_line, { id: f.inKindLineId, allocated: EUR(700_000), committed: EUR(0), spent: EUR(0), available: EUR(700_000) })
  t.same(
    ranking.items.map((item: Json) => item.request_id),
    [b.requestId, d.requestId, e.requestId, a.requestId, c.requestId],
    'composite first; ties by urgency, then feasibility, motivation, then the smaller amount; unassessed requests are not ranked',
  )
  t.same(
    ranking.items.map((item: Json) => [item.rank, item.composite, item.urgency.score, item.cumulative_requested.amount_minor, item.fits, item.shortfall.amount_minor]),
    [
      [1, 60, 3, 300_000, true, 0],
      [2, 52, 1, 485_000, true, 0],
      [3, 52, 0, 585_000, true, 0],
      [4, 52, 0, 770_000, false, 70_000],
      [5, 50, 0, 920_000, false, 220_000],
    ],
  )
  const top = ranking.items[0]
  t.match(top, {
    case_reference: b.reference,
    status: 'assessed',
    feasibility: { score: 3, weight: 40, points: 24 },
    urgency: { score: 3, weight: 35, points: 21, crisis_points: 3, vulnerability_points: 0 },
    motivation: { score: 3, weight: 25, points: 15 },
    amount_requested: EUR(300_000),
  })
  t.match(top.explanation, /^composite 60 = feasibility 3\/5 × 40 % = 24 \+ urgency 3\/5 × 35 % = 21 \+ motivation 3\/5 × 25 % = 15; urgency 3 = 3 for returning to IQ, listed as conflict-affected/)
  t.match(top.explanation, /300000\.00 EUR|3000\.00 EUR of 7000\.00 EUR available: fits/)
  t.match(ranking.items[3].explanation, /7700\.00 EUR against 7000\.00 EUR available: 700\.00 EUR short/)
  t.equal(ranking.order.length, 7, 'the tie-breaking order is stated')

  t.equal((await f.partnerTbilisi({ method: 'GET', url: `/v1/projects/${f.projectId}/reintegration-ranking` })).statusCode, 403, 'partner offices do not see budgets')
  t.equal((await f.auditor({ method: 'GET', url: `/v1/projects/01900000-0000-7000-8000-000000000000/reintegration-ranking` })).statusCode, 404)
})

t.test('ranking: the weights are versioned configuration; a new version re-orders, an old one can still be asked for', async (t) => {
  const f = await reintegrationFixture(t, { inKindMinor: 700_000 })
  const { a, b, c, d, e } = await rankingScenario(f)
  const before = await snapshotCounts(f)
  for (const [payload, status] of [
    [{ version: 'selection-x', valid_from: isoDate(0), weights: { feasibility: 50, urgency: 30, motivation: 30 }, description: 'Sum 110' }, 422],
    [{ version: 'selection-x', valid_from: isoDate(-1), weights: { feasibility: 80, urgency: 10, motivation: 10 }, description: 'Backdated' }, 422],
    [{ version: 'selection-2026-01', valid_from: isoDate(0), weights: { feasibility: 80, urgency: 10, motivation: 10 }, description: 'Same name' }, 409],
    [{ version: 'Selection X', valid_from: isoDate(0), weights: { feasibility: 80, urgency: 10, motivation: 10 }, description: 'Bad name' }, 400],
  ] as const) {
    const response = await f.admin({ method: 'POST', url: '/v1/reintegration-scoring-configurations', payload })
    t.equal(response.statusCode, status, payload.description)
  }
  t.equal(
    (await f.approver({ method: 'POST', url: '/v1/reintegration-scoring-configurations', payload: { version: 'selection-y', valid_from: isoDate(0), weights: { feasibility: 80, urgency: 10, motivation: 10 }, description: 'x' } })).statusCode,
    403,
    'only administrators manage the weights',
  )
  t.same(await snapshotCounts(f), before, 'refused versions wrote nothing')

  const created = await f.admin({
    method: 'POST',
    url: '/v1/reintegration-scoring-configurations',
    payload: { version: 'selection-feasibility-first', valid_from: isoDate(0), weights: { feasibility: 80, urgency: 10, motivation: 10 }, description: 'Feasibility above all.' },
  })
  t.equal(created.statusCode, 201)
  const ranking = (await f.counsellor({ method: 'GET', url: `/v1/projects/${f.projectId}/reintegration-ranking` })).json()
  t.equal(ranking.configuration.version, 'selection-feasibility-first', 'the version in force today is used and named')
  t.same(
    ranking.items.map((item: Json) => [item.request_id, item.composite]),
    [
      [d.requestId, 84],
      [c.requestId, 84],
      [e.requestId, 72],
      [a.requestId, 72],
      [b.requestId, 60],
    ],
  )
  const old = (await f.counsellor({ method: 'GET', url: `/v1/projects/${f.projectId}/reintegration-ranking?configuration_version=selection-2026-01` })).json()
  t.equal(old.configuration.version, 'selection-2026-01')
  t.equal(old.items[0].request_id, b.requestId, 'an earlier selection can be explained with the weights it used')
  t.equal((await f.counsellor({ method: 'GET', url: `/v1/projects/${f.projectId}/reintegration-ranking?configuration_version=nope-1` })).statusCode, 404)
  const versions = (await f.auditor({ method: 'GET', url: '/v1/reintegration-scoring-configurations' })).json()
  t.same(versions.items.map((item: Json) => item.version), ['selection-2026-01', 'selection-feasibility-first'])

  const edit = f.db.updateTable('reintegration_scoring_configurations').set({ urgency_weight: 90, feasibility_weight: 0 }).where('version', '=', 'selection-2026-01').execute()
  await t.rejects(edit, /versioned configuration/, 'a version can never be edited, even in the database')
})

t.test('approval commits the budget on the in-kind line and creates the plan; maker-checker', async (t) => {
  const f = await reintegrationFixture(t, { inKindMinor: 1_000_000 })
  const caseRecord = await approvedCase(f)
  const request = await submitRequest(f, caseRecord.id)
  const url = requestUrl(caseRecord.id, request.id, 'approve')
  const early = await f.approver({ method: 'POST', url, payload: { budget: EUR(100_000) } })
  t.equal(early.statusCode, 409, 'a request is approved once assessed')
  t.match(early.json(), { type: '/problems/invalid-transition', current_status: 'submitted' })
  await assess(f, caseRecord.id, request.id, { feasibility: 4, motivation: 4 })

  const before = await snapshotCounts(f)
  for (const [caller, who] of [
    [f.as('carla', ['counsellor', 'approver']), 'who recorded the form'],
    [f.as('cody', ['counsellor', 'approver']), 'who assessed it'],
  ] as const) {
    const response = await caller({ method: 'POST', url, payload: { budget: EUR(100_000) } })
    t.equal(response.statusCode, 403, `${who} cannot approve it`)
    t.equal(response.json().type, '/problems/maker-checker-violation')
    const reject = await caller({ method: 'POST', url: requestUrl(caseRecord.id, request.id, 'reject'), payload: { reason: 'no' } })
    t.equal(reject.json().type, '/problems/maker-checker-violation', `${who} cannot reject it either`)
  }
  t.equal((await f.counsellor({ method: 'POST', url, payload: { budget: EUR(100_000) } })).statusCode, 403, 'counsellors do not decide')
  t.equal((await f.approver({ method: 'POST', url, payload: { budget: EUR(185_001) } })).statusCode, 422, 'no more than requested')
  const currency = await f.approver({ method: 'POST', url, payload: { budget: { amount_minor: 100_000, currency: 'USD' } } })
  t.equal(currency.json().type, '/problems/currency-mismatch')
  t.equal((await f.approver({ method: 'POST', url, payload: { budget: EUR(0) } })).statusCode, 400)
  t.same(await snapshotCounts(f), before, 'refused decisions wrote nothing')

  const approved = await f.approver({ method: 'POST', url, payload: { budget: EUR(150_000), note: 'Second power tool set not needed' } })
  t.equal(approved.statusCode, 200)
  const record = approved.json()
  t.match(record, { status: 'approved', allowed_actions: [], decisions: [{ outcome: 'approved', decided_by: 'abe', budget: EUR(150_000), reason: 'Second power tool set not needed' }] })
  t.equal(record.decisions[0].plan_id, record.plan_id)
  t.same(await lineBalance(f), { allocated: 1_000_000, committed: 150_000, spent: 0 }, 'the budget is committed on the in-kind line')
  const entry = await f.db.selectFrom('ledger_entries').selectAll().where('budget_line_id', '=', f.inKindLineId).executeTakeFirstOrThrow()
  t.match(entry, { kind: 'commit', source_type: 'reintegration_plan', source_id: record.plan_id, case_id: caseRecord.id, amount_minor: 150_000, actor_sub: 'abe' })

  const plan = (await f.partnerTbilisi({ method: 'GET', url: planUrl(caseRecord.id, record.plan_id) })).json()
  t.match(plan, {
    request_id: request.id,
    status: 'active',
    budget: EUR(150_000),
    disbursed: EUR(0),
    spent: EUR(0),
    available: EUR(150_000),
    released: EUR(0),
    approved_by: 'abe',
    allowed_actions: ['disburse', 'complete', 'abandon'],
  })
  t.equal(plan.items.length, 2, 'the plan carries the request\'s items')
  const plans = (await f.partnerTbilisi({ method: 'GET', url: `/v1/return-cases/${caseRecord.id}/reintegration-plans` })).json()
  t.same(plans.items.map((item: Json) => item.id), [record.plan_id])
  t.equal((await f.partnerBaghdad({ method: 'GET', url: `/v1/return-cases/${caseRecord.id}/reintegration-plans` })).statusCode, 404, 'another partner office does not see the plans')
  t.equal((await f.approver({ method: 'POST', url, payload: { budget: EUR(10_000) } })).statusCode, 409, 'approved once')
})

t.test('waitlist: an exhausted line refuses the approval, or waitlists it when asked; a waitlisted request is approved once money is released', async (t) => {
  const f = await reintegrationFixture(t, { inKindMinor: 200_000 })
  const first = await assessedRequest(f, { feasibility: 4, motivation: 4 }, { amountMinor: 150_000 })
  const second = await assessedRequest(f, { feasibility: 3, motivation: 3 }, { amountMinor: 100_000 })
  const firstApproval = await approve(f, first.caseId, first.requestId, 150_000)

  const before = await snapshotCounts(f)
  const refused = await f.approver({ method: 'POST', url: requestUrl(second.caseId, second.requestId, 'approve'), payload: { budget: EUR(100_000) } })
  t.equal(refused.statusCode, 409)
  t.match(refused.json(), { type: '/problems/budget-line-exhausted', available: EUR(50_000) })
  t.same(await snapshotCounts(f), before, 'nothing written: no plan, no decision, no commitment')

  const waitlisted = await f.approver({
    method: 'POST',
    url: requestUrl(second.caseId, second.requestId, 'approve'),
    payload: { budget: EUR(100_000), waitlist_if_exhausted: true },
  })
  t.equal(waitlisted.statusCode, 200)
  t.match(waitlisted.json(), { status: 'waitlisted', plan_id: null, decisions: [{ outcome: 'waitlisted', budget: EUR(100_000), available: EUR(50_000), plan_id: null }] })
  t.same(await lineBalance(f), { allocated: 200_000, committed: 150_000, spent: 0 }, 'waitlisting commits nothing')
  const ranking = (await f.approver({ method: 'GET', url: `/v1/projects/${f.projectId}/reintegration-ranking` })).json()
  t.same(ranking.items.map((item: Json) => [item.request_id, item.status, item.fits]), [[second.requestId, 'waitlisted', false]], 'a waitlisted request stays in the ranking')

  await expectStatus(
    await f.finance({ method: 'POST', url: planUrl(first.caseId, firstApproval.plan_id, 'abandon'), payload: { reason: 'The returnee moved abroad again' } }),
    200,
    'abandon the first plan',
  )
  const approved = await approve(f, second.caseId, second.requestId, 100_000)
  t.match(approved, { status: 'approved', decisions: [{ outcome: 'waitlisted' }, { outcome: 'approved', budget: EUR(100_000) }] })
  t.same(await lineBalance(f), { allocated: 200_000, committed: 100_000, spent: 0 })
})

t.test('rejection needs a reason; decisions are not taken for cases that ended', async (t) => {
  const f = await reintegrationFixture(t)
  const rejected = await assessedRequest(f, { feasibility: 1, motivation: 2 }, { amountMinor: 50_000 })
  const url = requestUrl(rejected.caseId, rejected.requestId, 'reject')
  t.equal((await f.approver({ method: 'POST', url, payload: {} })).statusCode, 400, 'a reason is required')
  const response = await f.approver({ method: 'POST', url, payload: { reason: 'The plan does not match the person\'s skills.' } })
  t.equal(response.statusCode, 200)
  t.match(response.json(), { status: 'rejected', decisions: [{ outcome: 'rejected', reason: 'The plan does not match the person\'s skills.', budget: null }] })

  const ended = await assessedRequest(f, { feasibility: 4, motivation: 4 }, { amountMinor: 50_000 })
  await f.db.updateTable('return_cases').set({ status: 'no_show' }).where('id', '=', ended.caseId).execute()
  const approval = await f.approver({ method: 'POST', url: requestUrl(ended.caseId, ended.requestId, 'approve'), payload: { budget: EUR(50_000) } })
  t.equal(approval.statusCode, 409)
  t.match(approval.json(), { current_status: 'no_show' })
  const ranking = (await f.approver({ method: 'GET', url: `/v1/projects/${f.projectId}/reintegration-ranking` })).json()
  t.same(ranking.items, [], 'requests of cases that ended are not ranked')
  await f.db.updateTable('return_cases').set({ status: 'closed', closure_reason: 'no_show' }).where('id', '=', ended.caseId).execute()
  const closed = await f.approver({ method: 'POST', url: requestUrl(ended.caseId, ended.requestId, 'reject'), payload: { reason: 'Case closed' } })
  t.equal(closed.json().type, '/problems/case-closed', 'a closed case is read-only')
})

t.test('money is committed to a plan only once the case\'s return assistance is approved', async (t) => {
  const f = await reintegrationFixture(t)
  const created = await expectStatus(
    await f.counsellor({
      method: 'POST',
      url: '/v1/return-cases',
      payload: {
        office_id: f.offices.vilnius,
        project_id: f.projectId,
        legal_status: 'irregular_stay',
        referral_source: 'self',
        country_of_return: 'GE',
        intended_departure_on: isoDate(30),
        consent: { given_at: '2026-01-10T10:00:00Z', given_by: 'principal applicant', scope: ['return_assistance'] },
        members: [person()],
      },
    }),
    201,
    'case',
  )
  for (const verb of ['submit', 'start-counselling']) {
    await expectStatus(await f.counsellor({ method: 'POST', url: `/v1/return-cases/${created.id}:${verb}`, payload: {} }), 200, verb)
  }
  const request = await submitRequest(f, created.id)
  await assess(f, created.id, request.id, { feasibility: 4, motivation: 4 })
  const before = await snapshotCounts(f)
  const early = await f.approver({ method: 'POST', url: requestUrl(created.id, request.id, 'approve'), payload: { budget: EUR(100_000) } })
  t.equal(early.statusCode, 409)
  t.match(early.json(), { current_status: 'in_counselling' })
  t.same(await snapshotCounts(f), before, 'nothing committed while the return itself is undecided')
  await expectStatus(await f.approver({ method: 'POST', url: `/v1/return-cases/${created.id}:approve`, payload: {} }), 200, 'approve the case')
  t.equal((await approve(f, created.id, request.id, 100_000)).status, 'approved')
})
