import t from 'tap'
import { act, approvedCase, caseFixture, countRows, person, type CaseFixture, type Json } from './helpers.js'

/**
 * What the case workflow checks in the modules that hold money or records for a case: a
 * withdrawal leaves nothing requested or committed, a closure no active reintegration plan, and a
 * household member named by travel or grant records is not removed.
 */

const EUR = (amount_minor: number) => ({ amount_minor, currency: 'EUR' })

async function expectStatus(response: { statusCode: number; body: string; json(): Json }, status: number, what: string): Promise<Json> {
  if (response.statusCode !== status) throw new Error(`${what}: expected ${status}, got ${response.statusCode} ${response.body}`)
  return response.body ? response.json() : {}
}

/** Cash-grant and in-kind reintegration lines on the fixture's (active) project. */
async function addLines(fixture: CaseFixture): Promise<void> {
  const finance = fixture.as('fiona', ['finance'])
  for (const [category, allocated] of [['cash_grant', 100_000], ['in_kind_reintegration', 500_000]] as const) {
    await expectStatus(
      await finance({ method: 'POST', url: `/v1/projects/${fixture.projectId}/budget-lines`, payload: { category, name: category, allocated: EUR(allocated) } }),
      201,
      `${category} line`,
    )
  }
}

/** A reintegration request recorded, assessed and approved by three different people: the plan id. */
async function approvedPlan(fixture: CaseFixture, caseId: string, budgetMinor: number): Promise<string> {
  const requests = `/v1/return-cases/${caseId}/reintegration-requests`
  const request = await expectStatus(
    await fixture.counsellor({
      method: 'POST',
      url: requests,
      payload: {
        scope: 'household',
        planned_activity: 'A small dairy farm near Kutaisi.',
        form_of_help: 'small_business',
        skills_and_experience: 'Grew up on a farm.',
        motivation_statement: 'I want to work for myself.',
        items: [{ description: 'Dairy cow', quantity: 1, unit_price: EUR(budgetMinor) }],
      },
    }),
    201,
    'reintegration request',
  )
  const assessment = { feasibility: { score: 4, justification: 'Costed and realistic.' }, motivation: { score: 4, justification: 'Has found the cows.' } }
  await expectStatus(await fixture.as('cody', ['counsellor'])({ method: 'POST', url: `${requests}/${request.id}:assess`, payload: assessment }), 200, 'assess')
  const approved = await expectStatus(await fixture.approver({ method: 'POST', url: `${requests}/${request.id}:approve`, payload: { budget: EUR(budgetMinor) } }), 200, 'approve')
  return approved.plan_id as string
}

async function written(fixture: CaseFixture): Promise<Record<string, number>> {
  return {
    case_status_history: await countRows(fixture, 'case_status_history'),
    case_members: await countRows(fixture, 'case_members'),
    audit_events: await countRows(fixture, 'audit_events'),
    outbox_events: await countRows(fixture, 'outbox_events'),
  }
}

t.test('a withdrawal is refused while payments are live or a plan is active, pointing to :cancel', async (t) => {
  const fixture = await caseFixture(t)
  await addLines(fixture)
  const approved = await approvedCase(fixture)
  const grant = await expectStatus(
    await fixture.counsellor({ method: 'POST', url: `/v1/return-cases/${approved.id}/cash-grants`, payload: { scope: 'household', amount: EUR(30_000), justification: 'Household of one.' } }),
    201,
    'cash grant',
  )
  const planId = await approvedPlan(fixture, approved.id, 150_000)

  const before = await written(fixture)
  const refused = await act(fixture.counsellor, approved.id, 'withdraw', { reason: 'The migrant changed their mind' })
  t.equal(refused.statusCode, 409)
  t.match(refused.json(), {
    type: '/problems/conflict',
    detail: new RegExp(`POST /v1/return-cases/${approved.id}:cancel`),
    payment_request_ids: [grant.payment_request_id],
    reintegration_plan_ids: [planId],
  })
  t.same(await written(fixture), before, 'a refused withdrawal writes nothing')
  t.equal((await fixture.counsellor({ method: 'GET', url: `/v1/return-cases/${approved.id}` })).json().status, 'approved')

  const finance = fixture.as('fiona', ['finance'])
  await expectStatus(await finance({ method: 'POST', url: `/v1/payment-requests/${grant.payment_request_id}:cancel`, payload: { reason: 'Not needed' } }), 200, 'cancel payment')
  const planOnly = await act(fixture.counsellor, approved.id, 'withdraw', { reason: 'The migrant changed their mind' })
  t.match(planOnly.json(), { status: 409, type: '/problems/conflict', payment_request_ids: [], reintegration_plan_ids: [planId] }, 'an active plan alone is enough to refuse')

  await expectStatus(await finance({ method: 'POST', url: `/v1/return-cases/${approved.id}/reintegration-plans/${planId}:abandon`, payload: { reason: 'Not needed' } }), 200, 'abandon plan')
  const withdrawn = await expectStatus(await act(fixture.counsellor, approved.id, 'withdraw', { reason: 'The migrant changed their mind' }), 200, 'withdraw')
  t.equal(withdrawn.status, 'withdrawn', 'nothing live: the withdrawal goes through')
})

t.test('a case with an active reintegration plan cannot be closed', async (t) => {
  const fixture = await caseFixture(t)
  await addLines(fixture)
  const approved = await approvedCase(fixture)
  const planId = await approvedPlan(fixture, approved.id, 150_000)
  await fixture.database.db.updateTable('return_cases').set({ status: 'arrived' }).where('id', '=', approved.id).execute()

  const before = await written(fixture)
  const refused = await act(fixture.counsellor, approved.id, 'close', { reason: 'Assistance delivered' })
  t.equal(refused.statusCode, 409)
  t.match(refused.json(), { type: '/problems/conflict', detail: /complete or abandon/, reintegration_plan_ids: [planId] })
  t.same(await written(fixture), before, 'a refused closure writes nothing')

  await expectStatus(
    await fixture.as('fiona', ['finance'])({ method: 'POST', url: `/v1/return-cases/${approved.id}/reintegration-plans/${planId}:abandon`, payload: { reason: 'The returnee moved away' } }),
    200,
    'abandon plan',
  )
  const closed = await expectStatus(await act(fixture.counsellor, approved.id, 'close', { reason: 'Assistance ended' }), 200, 'close')
  t.equal(closed.status, 'closed')
})

t.test('a member with travel documents or grants is not removed: 409 naming what they have', async (t) => {
  const fixture = await caseFixture(t)
  await addLines(fixture)
  const approved = await approvedCase(fixture, {
    members: [person(), person({ relationship: 'spouse_partner', given_name: 'Nino', sex: 'female', date_of_birth: '1981-06-02' })],
  })
  const spouse = (approved.members as Json[]).find((member) => member.relationship === 'spouse_partner') as Json
  const base = `/v1/return-cases/${approved.id}`
  const document = await expectStatus(
    await fixture.as('olga', ['operations'])({
      method: 'POST',
      url: `${base}/travel-documents`,
      payload: { member_id: spouse.id, kind: 'national_passport', document_number: '13AB45678', issuing_country: 'GE', issued_on: '2019-03-01', expires_on: '2035-03-01' },
    }),
    201,
    'travel document',
  )
  const grant = await expectStatus(
    await fixture.counsellor({ method: 'POST', url: `${base}/cash-grants`, payload: { scope: 'returnee', member_id: spouse.id, amount: EUR(20_000), justification: 'Adult returnee.' } }),
    201,
    'cash grant',
  )
  const etag = (await fixture.counsellor({ method: 'GET', url: `${base}/members/${spouse.id}` })).headers.etag as string

  const before = await written(fixture)
  const refused = await fixture.counsellor({ method: 'DELETE', url: `${base}/members/${spouse.id}`, headers: { 'if-match': etag } })
  t.equal(refused.statusCode, 409)
  t.match(refused.json(), { type: '/problems/conflict', detail: /still have cash grants, travel documents/, records: { travel_documents: [document.id], cash_grants: [grant.id] } })
  t.same(await written(fixture), before, 'the member and everything else stay as they were')
  t.equal((await fixture.counsellor({ method: 'GET', url: `${base}/members/${spouse.id}` })).statusCode, 200)
})
