import t from 'tap'
import { approvePayment, createBooking, expectStatus, isoDate, recordPassport, rowCounts, ticketBody, travelFixture, type TravelFixture } from './fixtures.js'

const visas = (caseId: string) => `/v1/return-cases/${caseId}/transit-visas`
const TRAVEL_ON = isoDate(30)

/** Vilnius → Istanbul → Baghdad on TRAVEL_ON: arrives in Istanbul at 10:05, flies on at 12:40 the same day. */
function viaIstanbul(date = TRAVEL_ON) {
  return [
    { from_airport: 'VNO', to_airport: 'IST', carrier: 'TK', flight_number: '1424', departs_at: `${date}T06:35:00+02:00`, arrives_at: `${date}T10:05:00+03:00` },
    { from_airport: 'IST', to_airport: 'BGW', carrier: 'TK', flight_number: '788', departs_at: `${date}T12:40:00+03:00`, arrives_at: `${date}T15:55:00+03:00` },
  ]
}

async function requestVisa(fixture: TravelFixture, caseId: string, memberId: string, overrides: Record<string, unknown> = {}) {
  const body = { member_id: memberId, transit_country: 'TR', issuing_authority: 'Embassy of Türkiye in Vilnius', requested_on: isoDate(-5), ...overrides }
  return expectStatus(await fixture.operations({ method: 'POST', url: visas(caseId), payload: body }), 201, 'request visa')
}

async function issueVisa(fixture: TravelFixture, caseId: string, visaId: string, validUntil: string, validFrom = isoDate(-1)) {
  const body = { visa_number: 'TR7712345', issued_on: isoDate(-1), valid_from: validFrom, valid_until: validUntil }
  return expectStatus(await fixture.operations({ method: 'POST', url: `${visas(caseId)}/${visaId}:issue`, payload: body }), 200, 'issue visa')
}

async function bookedViaIstanbul(fixture: TravelFixture) {
  const { caseId, memberIds } = await fixture.newCase({ members: [{}, {}] })
  const booking = await createBooking(fixture, caseId, { segments: viaIstanbul(), transit_points: [{ airport: 'IST', country: 'TR', visa_required: true }] })
  for (const memberId of memberIds) await recordPassport(fixture, caseId, memberId)
  return { caseId, memberIds: memberIds as [string, string], booking }
}

const ticketRequest = (fixture: TravelFixture, caseId: string, bookingId: string, memberId: string) =>
  fixture.operations({ method: 'POST', url: `/v1/return-cases/${caseId}/tickets`, payload: ticketBody(bookingId, memberId) })

t.test('transit visas: requested, then issued or refused, per traveller and country; audited without the number', async (t) => {
  const fixture = await travelFixture(t)
  const { caseId, memberIds } = await fixture.newCase({ members: [{}, {}] })
  const visa = await requestVisa(fixture, caseId, memberIds[0] as string)
  t.match(visa, { status: 'requested', transit_country: 'TR', visa_number: null, allowed_actions: ['issue', 'refuse'], created_by: 'olga' })
  const issued = await issueVisa(fixture, caseId, visa.id, isoDate(90))
  t.match(issued, { status: 'issued', visa_number: 'TR7712345', valid_until: isoDate(90), allowed_actions: [] })
  const again = await fixture.operations({ method: 'POST', url: `${visas(caseId)}/${visa.id}:refuse`, payload: { reason: 'x', refused_on: isoDate(0) } })
  t.match(again.json(), { status: 409, type: '/problems/invalid-transition', current_status: 'issued' })
  const audit = await fixture.db.selectFrom('audit_events').select(['action', 'changes']).where('entity_id', '=', visa.id).orderBy('id').execute()
  t.same(audit.map((row) => row.action), ['transit_visa.requested', 'transit_visa.issued'])
  t.notOk(JSON.stringify(audit).includes('TR7712345'), 'the visa number is masked in the audit trail')
  const event = await fixture.db.selectFrom('outbox_events').select('payload').where('entity_id', '=', visa.id).where('event_type', '=', 'transit_visa.issued').executeTakeFirstOrThrow()
  t.notOk(JSON.stringify(event.payload).includes('TR7712345'), 'nor in the event')

  const refused = await requestVisa(fixture, caseId, memberIds[1] as string)
  const refusal = await expectStatus(await fixture.operations({ method: 'POST', url: `${visas(caseId)}/${refused.id}:refuse`, payload: { reason: 'Onward ticket not shown', refused_on: isoDate(0) } }), 200, 'refuse')
  t.match(refusal, { status: 'refused', refusal_reason: 'Onward ticket not shown' })

  const list = await expectStatus(await fixture.tbilisi({ method: 'GET', url: `${visas(caseId)}?member_id=${memberIds[0]}` }), 200, 'partner lists')
  t.same(list.items.map((item: { id: string }) => item.id), [visa.id])
  t.equal((await fixture.baghdad({ method: 'GET', url: visas(caseId) })).statusCode, 404, 'another partner office sees nothing')
  t.equal((await fixture.baghdad({ method: 'GET', url: `${visas(caseId)}/${visa.id}` })).statusCode, 404)
  t.equal((await fixture.finance({ method: 'POST', url: visas(caseId), payload: {} })).statusCode, 403, 'operations and counsellors record visas')
})

t.test('transit visa validation: a traveller of this case, dates that make sense; refusals write nothing', async (t) => {
  const fixture = await travelFixture(t)
  const { caseId, memberIds } = await fixture.newCase()
  const other = await fixture.newCase()
  const before = await rowCounts(fixture.db)
  const foreign = await fixture.operations({ method: 'POST', url: visas(caseId), payload: { member_id: other.memberIds[0], transit_country: 'TR', issuing_authority: 'Embassy', requested_on: isoDate(0) } })
  t.match(foreign.json(), { status: 422, errors: [{ pointer: '/body/member_id' }] })
  const future = await fixture.operations({ method: 'POST', url: visas(caseId), payload: { member_id: memberIds[0], transit_country: 'TR', issuing_authority: 'Embassy', requested_on: isoDate(5) } })
  t.match(future.json(), { status: 422, errors: [{ pointer: '/body/requested_on' }] })
  const country = await fixture.operations({ method: 'POST', url: visas(caseId), payload: { member_id: memberIds[0], transit_country: 'XX', issuing_authority: 'Embassy', requested_on: isoDate(0) } })
  t.equal(country.statusCode, 400, 'an ISO country code')
  t.same(await rowCounts(fixture.db), before)
  const visa = await requestVisa(fixture, caseId, memberIds[0] as string)
  const backwards = await fixture.operations({ method: 'POST', url: `${visas(caseId)}/${visa.id}:issue`, payload: { visa_number: 'TR1', issued_on: isoDate(-1), valid_from: isoDate(10), valid_until: isoDate(9) } })
  t.match(backwards.json(), { status: 422, errors: [{ pointer: '/body/valid_until' }] })
  const beforeRequest = await fixture.operations({ method: 'POST', url: `${visas(caseId)}/${visa.id}:issue`, payload: { visa_number: 'TR123', issued_on: isoDate(-10), valid_from: isoDate(0), valid_until: isoDate(9) } })
  t.match(beforeRequest.json(), { status: 422, errors: [{ pointer: '/body/issued_on' }] })
  t.equal((await expectStatus(await fixture.operations({ method: 'GET', url: `${visas(caseId)}/${visa.id}` }), 200, 'get')).status, 'requested', 'unchanged')
})

t.test('ticketing refuses a transit that needs a visa the traveller does not hold issued and valid on the transit date', async (t) => {
  const fixture = await travelFixture(t)
  const { caseId, memberIds, booking } = await bookedViaIstanbul(fixture)
  const [principal, spouse] = memberIds
  t.match(booking.transit_points, [{ airport: 'IST', country: 'TR', visa_required: true }])

  const before = await rowCounts(fixture.db)
  const none = await ticketRequest(fixture, caseId, booking.id, principal)
  t.match(none.json(), { status: 409, type: '/problems/transit-visa-required', traveller: { member_id: principal }, transits: [{ airport: 'IST', country: 'TR', arrives_on: TRAVEL_ON, departs_on: TRAVEL_ON, visas: [] }] })
  t.same(await rowCounts(fixture.db), before, 'nothing written')

  const visa = await requestVisa(fixture, caseId, principal)
  const awaited = await ticketRequest(fixture, caseId, booking.id, principal)
  t.match(awaited.json(), { type: '/problems/transit-visa-required', transits: [{ visas: [{ transit_visa_id: visa.id, status: 'requested' }] }] }, 'a visa still requested does not do')

  await issueVisa(fixture, caseId, visa.id, isoDate(29))
  const dayBefore = await ticketRequest(fixture, caseId, booking.id, principal)
  t.equal(dayBefore.statusCode, 409, 'a visa expiring the day before the transit is refused')
  t.match(dayBefore.json(), { type: '/problems/transit-visa-required', transits: [{ visas: [{ valid_until: isoDate(29) }] }] })
  t.match(dayBefore.json().detail, new RegExp(`valid until ${isoDate(29)}, before the transit on ${TRAVEL_ON}`))

  const otherTraveller = await requestVisa(fixture, caseId, spouse)
  await issueVisa(fixture, caseId, otherTraveller.id, isoDate(90))
  t.equal((await ticketRequest(fixture, caseId, booking.id, principal)).statusCode, 409, 'another traveller\'s visa does not cover this one')
  const otherCountry = await requestVisa(fixture, caseId, principal, { transit_country: 'AE' })
  await issueVisa(fixture, caseId, otherCountry.id, isoDate(90))
  t.equal((await ticketRequest(fixture, caseId, booking.id, principal)).statusCode, 409, 'nor a visa for another country')
  const notYet = await requestVisa(fixture, caseId, principal)
  await issueVisa(fixture, caseId, notYet.id, isoDate(90), isoDate(31))
  t.equal((await ticketRequest(fixture, caseId, booking.id, principal)).statusCode, 409, 'nor one valid only from the day after')

  const throughTransit = await requestVisa(fixture, caseId, principal)
  await issueVisa(fixture, caseId, throughTransit.id, TRAVEL_ON)
  const ticket = await expectStatus(await ticketRequest(fixture, caseId, booking.id, principal), 201, 'a visa valid through the transit day')
  await approvePayment(fixture, ticket.payment_request_id)
  t.equal((await expectStatus(await fixture.operations({ method: 'GET', url: `/v1/return-cases/${caseId}/tickets/${ticket.id}` }), 200, 'ticket')).status, 'issued')
  await expectStatus(await ticketRequest(fixture, caseId, booking.id, spouse), 201, 'the spouse holds her own visa')
})

t.test('a transit without a visa requirement needs none; a requirement added later stops the approval', async (t) => {
  const fixture = await travelFixture(t)
  const { caseId, memberIds } = await fixture.newCase()
  const principal = memberIds[0] as string
  await recordPassport(fixture, caseId, principal)
  const booking = await createBooking(fixture, caseId, { segments: viaIstanbul(), transit_points: [{ airport: 'IST', country: 'TR', visa_required: false }] })
  t.match(booking.transit_points, [{ airport: 'IST', country: 'TR', visa_required: false }])
  const ticket = await expectStatus(await ticketRequest(fixture, caseId, booking.id, principal), 201, 'no visa needed')
  const updated = await expectStatus(
    await fixture.operations({ method: 'PATCH', url: `/v1/return-cases/${caseId}/bookings/${booking.id}`, headers: { 'if-match': `"${booking.version}"` }, payload: { transit_points: [{ airport: 'IST', country: 'TR', visa_required: true }] } }),
    200,
    'require a visa',
  )
  t.match(updated.transit_points, [{ visa_required: true }])
  const approval = await fixture.approver({ method: 'POST', url: `/v1/payment-requests/${ticket.payment_request_id}:approve` })
  t.match(approval.json(), { status: 409, type: '/problems/transit-visa-required' }, 'checked again when the ticket is issued')
  const payment = await expectStatus(await fixture.finance({ method: 'GET', url: `/v1/payment-requests/${ticket.payment_request_id}` }), 200, 'payment')
  t.equal(payment.status, 'requested', 'the approval and its commitment were rolled back')

  const wrongAirport = await fixture.operations({
    method: 'POST',
    url: `/v1/return-cases/${caseId}/bookings`,
    payload: { booking_reference: 'VISA01', segments: viaIstanbul(), transit_points: [{ airport: 'VNO', country: 'LT', visa_required: true }] },
  })
  t.match(wrongAirport.json(), { status: 422, errors: [{ pointer: '/body/transit_points/0/airport' }] }, 'only a transit point of the route')
})
