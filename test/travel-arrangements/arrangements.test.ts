import t from 'tap'
import { sql } from 'kysely'
import { newId } from '../../src/shared/ids.js'
import { approvePayment, createBooking, EUR, expectStatus, isoDate, lineState, payPayment, recordPassport, rowCounts, ticketBody, travelFixture, type TravelFixture } from '../travel/fixtures.js'

const insurance = (caseId: string) => `/v1/return-cases/${caseId}/travel-insurance`
const accommodation = (caseId: string) => `/v1/return-cases/${caseId}/accommodation`
const TRAVEL_ON = isoDate(30)

const policy = (memberId: string, overrides: Record<string, unknown> = {}) => ({
  member_id: memberId,
  insurer: 'ERGO Insurance',
  policy_number: 'ERV-2026-118734',
  cover_from: TRAVEL_ON,
  cover_until: TRAVEL_ON,
  premium: EUR(2_500),
  ...overrides,
})
const stay = (overrides: Record<string, unknown> = {}) => ({ place_name: 'Hotel Ibis Vilnius Centre', check_in_on: isoDate(28), check_out_on: isoDate(30), guests: 2, cost: EUR(8_900), ...overrides })

async function routeTo(fixture: TravelFixture, routing: Record<string, string>) {
  await sql`update projects set cost_routing = ${JSON.stringify(routing)}::jsonb where id = ${fixture.projectId}`.execute(fixture.db)
}

async function addLine(fixture: TravelFixture, category: 'insurance' | 'accommodation', allocated: number): Promise<string> {
  const id = newId()
  await fixture.db
    .insertInto('budget_lines')
    .values({ id, project_id: fixture.projectId, category, name: category, currency: 'EUR', accepts_commitments: true, allocated_minor: allocated })
    .execute()
  return id
}

t.test('travel insurance: its premium is a payment like excess baggage, charged to the travel line the project routes insurance to', async (t) => {
  const fixture = await travelFixture(t)
  const { caseId, memberIds } = await fixture.newCase()
  await routeTo(fixture, { insurance: 'travel' })
  const created = await expectStatus(await fixture.operations({ method: 'POST', url: insurance(caseId), payload: policy(memberIds[0] as string) }), 201, 'insure')
  t.match(created, { member_id: memberIds[0], insurer: 'ERGO Insurance', premium: EUR(2_500), payee_name: 'ERGO Insurance', status: 'requested', requested_by: 'olga' })
  const payment = await expectStatus(await fixture.finance({ method: 'GET', url: `/v1/payment-requests/${created.payment_request_id}` }), 200, 'payment')
  t.match(payment, { kind: 'travel_insurance', budget_line_id: fixture.lines.travel, amount: EUR(2_500), source: { type: 'travel_insurance', id: created.id } })
  const self = await fixture.as('olga', ['operations', 'approver'])({ method: 'POST', url: `/v1/payment-requests/${created.payment_request_id}:approve` })
  t.equal(self.json().type, '/problems/maker-checker-violation')
  await approvePayment(fixture, created.payment_request_id)
  t.same(await lineState(fixture.db, fixture.lines.travel), { committed: 2_500, spent: 0, ledgerCommitted: 2_500, ledgerSpent: 0 }, 'committed on the fallback line')
  await payPayment(fixture, created.payment_request_id)
  const paid = await expectStatus(await fixture.tbilisi({ method: 'GET', url: `${insurance(caseId)}/${created.id}` }), 200, 'partner reads')
  t.equal(paid.status, 'paid')
  t.equal((await fixture.baghdad({ method: 'GET', url: `${insurance(caseId)}/${created.id}` })).statusCode, 404, 'another partner office sees nothing')
  t.equal((await fixture.baghdad({ method: 'GET', url: insurance(caseId) })).statusCode, 404)
  const audit = await fixture.db.selectFrom('audit_events').select(['action', 'changes']).where('entity_id', '=', created.id).orderBy('id').execute()
  t.same(audit.map((row) => row.action), ['travel_insurance.requested', 'travel_insurance.approved', 'travel_insurance.paid'])
  t.notOk(JSON.stringify(audit).includes('ERV-2026-118734'), 'the policy number is masked in the audit trail')
  const list = await expectStatus(await fixture.operations({ method: 'GET', url: `${insurance(caseId)}?status=paid` }), 200, 'list')
  t.equal(list.items.length, 1)
})

t.test('cost routing: the cost\'s own line comes first; with neither its line nor a fallback it is 409 no-budget-line-for-cost and nothing is written', async (t) => {
  const fixture = await travelFixture(t)
  const { caseId, memberIds } = await fixture.newCase()
  const before = await rowCounts(fixture.db)
  const nowhere = await fixture.operations({ method: 'POST', url: insurance(caseId), payload: policy(memberIds[0] as string) })
  t.match(nowhere.json(), { status: 409, type: '/problems/no-budget-line-for-cost', cost_kind: 'insurance', category: 'insurance', fallback_category: null })
  const noStay = await fixture.operations({ method: 'POST', url: accommodation(caseId), payload: stay() })
  t.match(noStay.json(), { status: 409, type: '/problems/no-budget-line-for-cost', cost_kind: 'accommodation', category: 'accommodation' })
  await routeTo(fixture, { accommodation: 'other' })
  const missingFallback = await fixture.operations({ method: 'POST', url: accommodation(caseId), payload: stay() })
  t.match(missingFallback.json(), { status: 409, type: '/problems/no-budget-line-for-cost', fallback_category: 'other' }, 'a fallback the project has no line of either')
  t.same(await rowCounts(fixture.db), before, 'nothing written')

  await routeTo(fixture, { insurance: 'travel' })
  const insuranceLine = await addLine(fixture, 'insurance', 10_000)
  const own = await expectStatus(await fixture.operations({ method: 'POST', url: insurance(caseId), payload: policy(memberIds[0] as string) }), 201, 'insure')
  const payment = await expectStatus(await fixture.finance({ method: 'GET', url: `/v1/payment-requests/${own.payment_request_id}` }), 200, 'payment')
  t.equal(payment.budget_line_id, insuranceLine, 'the insurance line, not the fallback')
})

t.test('excess baggage with no excess-baggage line: 409 naming the category, then paid from the travel line the project routes it to', async (t) => {
  const fixture = await travelFixture(t)
  const { caseId, memberIds } = await fixture.newCase()
  await fixture.db.deleteFrom('budget_lines').where('id', '=', fixture.lines.excess_baggage).execute()
  const body = { member_id: memberIds[0], kilograms: 20, cost: EUR(10_000), reason: 'Construction tools for the reintegration plan', payee: { type: 'carrier', name: 'airBaltic' } }
  const refused = await fixture.operations({ method: 'POST', url: `/v1/return-cases/${caseId}/excess-baggage`, payload: body })
  t.match(refused.json(), { status: 409, type: '/problems/no-budget-line-for-cost', cost_kind: 'excess_baggage', category: 'excess_baggage' })
  t.match(refused.json().detail, /no excess_baggage budget line/)
  await routeTo(fixture, { excess_baggage: 'travel' })
  const charge = await expectStatus(await fixture.operations({ method: 'POST', url: `/v1/return-cases/${caseId}/excess-baggage`, payload: body }), 201, 'routed')
  await approvePayment(fixture, charge.payment_request_id)
  t.same(await lineState(fixture.db, fixture.lines.travel), { committed: 10_000, spent: 0, ledgerCommitted: 10_000, ledgerSpent: 0 }, 'paid from the travel line')
})

t.test('insurance is required for escorted travellers and medical cases, and must cover the whole journey', async (t) => {
  const fixture = await travelFixture(t)
  await routeTo(fixture, { insurance: 'travel' })
  const { caseId, memberIds } = await fixture.newCase({ members: [{}, {}] })
  const [principal, escorted] = memberIds as [string, string]
  for (const memberId of memberIds) await recordPassport(fixture, caseId, memberId)
  const booking = await createBooking(fixture, caseId, { escorts: [{ member_id: escorted, kind: 'other', escort_name: 'Jonas Jonaitis', organisation: 'IOM' }] })
  const ticket = (memberId: string) => fixture.operations({ method: 'POST', url: `/v1/return-cases/${caseId}/tickets`, payload: ticketBody(booking.id, memberId) })

  await expectStatus(await ticket(principal), 201, 'insurance is optional for a traveller without medical needs or an escort')
  const before = await rowCounts(fixture.db)
  const missing = await ticket(escorted)
  t.match(missing.json(), { status: 409, type: '/problems/travel-insurance-required', traveller: { member_id: escorted }, reasons: ['escorted'], cover_needed: { from: TRAVEL_ON, until: TRAVEL_ON } }, 'insurance missing for an escorted traveller')
  t.same(await rowCounts(fixture.db), before, 'nothing written')

  await expectStatus(await fixture.operations({ method: 'POST', url: insurance(caseId), payload: policy(escorted, { cover_from: isoDate(20), cover_until: isoDate(29) }) }), 201, 'cover ending the day before')
  t.equal((await ticket(escorted)).json().type, '/problems/travel-insurance-required', 'cover that ends before the journey does not do')
  await expectStatus(await fixture.operations({ method: 'POST', url: insurance(caseId), payload: policy(principal) }), 201, 'another traveller\'s policy')
  t.equal((await ticket(escorted)).json().type, '/problems/travel-insurance-required', 'nor does another traveller\'s policy')
  const covering = await expectStatus(await fixture.operations({ method: 'POST', url: insurance(caseId), payload: policy(escorted) }), 201, 'covering policy')
  await expectStatus(await fixture.operations({ method: 'POST', url: `${insurance(caseId)}/${covering.id}:cancel`, payload: { reason: 'Wrong insurer' } }), 200, 'cancel')
  t.equal((await ticket(escorted)).json().type, '/problems/travel-insurance-required', 'nor does a cancelled policy')
  const valid = await expectStatus(await fixture.operations({ method: 'POST', url: insurance(caseId), payload: policy(escorted, { cover_from: isoDate(29), cover_until: isoDate(31) }) }), 201, 'covering policy')
  const issued = await expectStatus(await ticket(escorted), 201, 'insured for the journey')
  await expectStatus(await fixture.approver({ method: 'POST', url: `/v1/payment-requests/${valid.payment_request_id}:reject`, payload: { reason: 'Premium too high' } }), 200, 'reject premium')
  const approval = await fixture.approver({ method: 'POST', url: `/v1/payment-requests/${issued.payment_request_id}:approve` })
  t.match(approval.json(), { status: 409, type: '/problems/travel-insurance-required' }, 'checked again when the ticket is issued: a rejected policy covers nothing')

  const medical = await fixture.newCase({ members: [{ escortNeeded: true }] })
  const patient = medical.memberIds[0] as string
  await recordPassport(fixture, medical.caseId, patient)
  const medicalBooking = await createBooking(fixture, medical.caseId, { escorts: [{ member_id: patient, kind: 'medical', escort_name: 'Dr. Rasa Petrauskienė' }] })
  const patientTicket = await fixture.operations({ method: 'POST', url: `/v1/return-cases/${medical.caseId}/tickets`, payload: ticketBody(medicalBooking.id, patient) })
  t.match(patientTicket.json(), { type: '/problems/travel-insurance-required', reasons: ['medical_needs', 'escorted'] })
})

t.test('validation and cancellation: a traveller of this case, dates that make sense; cancelling releases the commitment', async (t) => {
  const fixture = await travelFixture(t)
  await routeTo(fixture, { insurance: 'travel', accommodation: 'travel' })
  const { caseId, memberIds } = await fixture.newCase()
  const other = await fixture.newCase()
  const before = await rowCounts(fixture.db)
  const refuse = async (url: string, payload: Record<string, unknown>, status: number, pointer: string, rule: string) => {
    const response = await fixture.operations({ method: 'POST', url, payload })
    t.equal(response.statusCode, status, rule)
    t.ok((response.json().errors as Array<{ pointer: string }>).some((error) => error.pointer === pointer), `${rule}: ${pointer}`)
  }
  await refuse(insurance(caseId), policy(other.memberIds[0] as string), 422, '/body/member_id', 'a member of another case')
  await refuse(insurance(caseId), policy(memberIds[0] as string, { cover_from: isoDate(31), cover_until: isoDate(30) }), 422, '/body/cover_until', 'cover ends before it starts')
  await refuse(insurance(caseId), policy(memberIds[0] as string, { premium: { amount_minor: 2_500, currency: 'USD' } }), 422, '/body/premium/currency', 'the project currency')
  await refuse(accommodation(caseId), stay({ check_out_on: isoDate(28) }), 422, '/body/check_out_on', 'at least one night')
  await refuse(accommodation(caseId), stay({ guests: 0 }), 400, '/body/guests', 'at least one guest')
  t.same(await rowCounts(fixture.db), before, 'refusals write nothing')

  const booked = await expectStatus(await fixture.operations({ method: 'POST', url: accommodation(caseId), payload: stay() }), 201, 'stay')
  t.match(booked, { nights: 2, guests: 2, cost: EUR(8_900), payee_name: 'Hotel Ibis Vilnius Centre', status: 'requested' })
  const payment = await expectStatus(await fixture.finance({ method: 'GET', url: `/v1/payment-requests/${booked.payment_request_id}` }), 200, 'payment')
  t.match(payment, { kind: 'accommodation', budget_line_id: fixture.lines.travel })
  await approvePayment(fixture, booked.payment_request_id)
  t.equal((await lineState(fixture.db, fixture.lines.travel)).committed, 8_900)
  const cancelled = await expectStatus(await fixture.operations({ method: 'POST', url: `${accommodation(caseId)}/${booked.id}:cancel`, payload: { reason: 'Flight moved' } }), 200, 'cancel')
  t.equal(cancelled.status, 'cancelled')
  t.same(await lineState(fixture.db, fixture.lines.travel), { committed: 0, spent: 0, ledgerCommitted: 0, ledgerSpent: 0 }, 'released')
  const again = await fixture.operations({ method: 'POST', url: `${accommodation(caseId)}/${booked.id}:cancel`, payload: { reason: 'x' } })
  t.match(again.json(), { status: 409, type: '/problems/invalid-transition', current_status: 'cancelled' })
  t.equal((await fixture.baghdad({ method: 'GET', url: `${accommodation(caseId)}/${booked.id}` })).statusCode, 404, 'another partner office sees nothing')
  t.equal((await expectStatus(await fixture.tbilisi({ method: 'GET', url: accommodation(caseId) }), 200, 'partner lists')).items.length, 1)

  const noShow = await fixture.newCase()
  const live = await expectStatus(await fixture.operations({ method: 'POST', url: accommodation(noShow.caseId), payload: stay() }), 201, 'stay')
  await approvePayment(fixture, live.payment_request_id)
  await expectStatus(await fixture.operations({ method: 'POST', url: `/v1/return-cases/${noShow.caseId}:cancel`, payload: { reason: 'Withdrew before travel' } }), 200, 'cancel case')
  t.equal((await expectStatus(await fixture.operations({ method: 'GET', url: `${accommodation(noShow.caseId)}/${live.id}` }), 200, 'get')).status, 'cancelled', 'a cancelled case releases its accommodation too')
})
