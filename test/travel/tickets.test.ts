import { sql } from 'kysely'
import t from 'tap'
import {
  approvePayment,
  auditActions,
  caseStatus,
  createBooking,
  directSegment,
  EUR,
  expectStatus,
  isoDate,
  issuedTicket,
  lineState,
  openCommitmentOf,
  payPayment,
  recordPassport,
  requestTicket,
  rowCounts,
  ticketBody,
  travelFixture,
} from './fixtures.js'

const tickets = (caseId: string) => `/v1/return-cases/${caseId}/tickets`

t.test('nobody is ticketed without a valid document through the last segment\'s date', async (t) => {
  const fixture = await travelFixture(t)
  const { caseId, memberIds } = await fixture.newCase()
  const member = memberIds[0] as string
  // Leaves on day 30 at 23:10 in Vilnius, arrives in Tbilisi on day 31 at 04:40 local time: travel ends on day 31.
  const booking = await createBooking(fixture, caseId, {
    segments: [{ from_airport: 'VNO', to_airport: 'TBS', carrier: 'A9', flight_number: '624', departs_at: `${isoDate(30)}T23:10:00+02:00`, arrives_at: `${isoDate(31)}T04:40:00+04:00` }],
  })
  t.equal(booking.travel_ends_on, isoDate(31))
  const attempt = () => fixture.operations({ method: 'POST', url: tickets(caseId), payload: ticketBody(booking.id, member) })
  const before = await rowCounts(fixture.db)

  const none = await attempt()
  t.equal(none.statusCode, 409)
  t.match(none.json(), {
    type: '/problems/travel-document-required',
    traveller: { member_id: member, name: 'Giorgi Beridze' },
    travel_on: isoDate(31),
    problem: 'none',
    documents: [],
  })
  t.match(none.json().detail, /Giorgi Beridze has no travel document recorded/)

  // A passport expiring the day before travel (the last segment's local arrival date) is not enough.
  const dayBefore = await recordPassport(fixture, caseId, member, { expires_on: isoDate(30) })
  const afterDocument = await rowCounts(fixture.db)
  const expiring = await attempt()
  t.equal(expiring.statusCode, 409, 'a document expiring the day before travel is refused')
  t.match(expiring.json(), {
    type: '/problems/travel-document-required',
    problem: 'expires_before_travel',
    documents: [{ document_id: dayBefore.id, problem: 'expires_before_travel', expires_on: isoDate(30) }],
  })
  t.match(expiring.json().detail, `expires on ${isoDate(30)}, before travel on ${isoDate(31)}`)
  t.same(await rowCounts(fixture.db), afterDocument, 'a refused ticket writes nothing (no ticket, no payment request, no audit)')
  t.equal(afterDocument.tickets, before.tickets)

  // Valid through the day of travel is enough.
  await fixture.operations({ method: 'PATCH', url: `/v1/return-cases/${caseId}/travel-documents/${dayBefore.id}`, headers: { 'if-match': '"1"' }, payload: { expires_on: isoDate(31) } })
  const ticketed = await attempt()
  t.equal(ticketed.statusCode, 201, 'a document valid through the travel date is enough')
  t.match(ticketed.json(), { status: 'requested', travel_on: isoDate(31), travel_document_id: dayBefore.id, payment_status: 'requested', fare: EUR(32_000) })
})

t.test('a refused emergency travel document, or one still requested, does not ticket anyone', async (t) => {
  const fixture = await travelFixture(t)
  const { caseId, memberIds } = await fixture.newCase()
  const member = memberIds[0] as string
  const booking = await createBooking(fixture, caseId)
  const etd = await expectStatus(
    await fixture.operations({
      method: 'POST',
      url: `/v1/return-cases/${caseId}/travel-documents`,
      payload: { member_id: member, kind: 'emergency_travel_document', issuing_country: 'GE', issuing_authority: 'Embassy of Georgia in Vilnius', requested_on: isoDate(-20) },
    }),
    201,
    'etd',
  )
  const waiting = await fixture.operations({ method: 'POST', url: tickets(caseId), payload: ticketBody(booking.id, member) })
  t.equal(waiting.statusCode, 409)
  t.match(waiting.json(), { problem: 'still_requested', documents: [{ problem: 'still_requested', requested_on: isoDate(-20), issuing_authority: 'Embassy of Georgia in Vilnius' }] })
  t.match(waiting.json().detail, /requested from Embassy of Georgia in Vilnius on .* is still awaited/)

  await expectStatus(
    await fixture.operations({ method: 'POST', url: `/v1/return-cases/${caseId}/travel-documents/${etd.id}:refuse`, payload: { reason: 'Nationality not confirmed', refused_on: isoDate(-1) } }),
    200,
    'refuse',
  )
  const before = await rowCounts(fixture.db)
  const refused = await fixture.operations({ method: 'POST', url: tickets(caseId), payload: ticketBody(booking.id, member) })
  t.equal(refused.statusCode, 409, 'a refused emergency document is refused')
  t.match(refused.json(), {
    type: '/problems/travel-document-required',
    problem: 'refused',
    traveller: { member_id: member },
    documents: [{ document_id: etd.id, problem: 'refused', refusal_reason: 'Nationality not confirmed' }],
  })
  t.match(refused.json().detail, /refused by Embassy of Georgia in Vilnius .*: Nationality not confirmed/)
  t.same(await rowCounts(fixture.db), before)
})

t.test('a ticket for a member of another case is refused', async (t) => {
  const fixture = await travelFixture(t)
  const mine = await fixture.newCase()
  const other = await fixture.newCase()
  await recordPassport(fixture, other.caseId, other.memberIds[0] as string)
  const booking = await createBooking(fixture, mine.caseId)
  const otherBooking = await createBooking(fixture, other.caseId)
  const before = await rowCounts(fixture.db)
  const stranger = await fixture.operations({ method: 'POST', url: tickets(mine.caseId), payload: ticketBody(booking.id, other.memberIds[0] as string) })
  t.equal(stranger.statusCode, 422)
  t.match(stranger.json(), { type: '/problems/unprocessable-entity', errors: [{ pointer: '/body/member_id', detail: 'not a member of this case' }] })
  const foreignBooking = await fixture.operations({ method: 'POST', url: tickets(mine.caseId), payload: ticketBody(otherBooking.id, mine.memberIds[0] as string) })
  t.equal(foreignBooking.statusCode, 422)
  t.match(foreignBooking.json(), { errors: [{ pointer: '/body/booking_id', detail: 'not a booking of this case' }] })
  t.same(await rowCounts(fixture.db), before, 'nothing written')
})

t.test('a ticket is issued when its payment is approved by someone else; when every traveller is ticketed the case is travel_booked', async (t) => {
  const fixture = await travelFixture(t)
  const { caseId, memberIds } = await fixture.newCase({ members: [{}, {}] })
  const [principal, spouse] = memberIds as [string, string]
  const booking = await createBooking(fixture, caseId)
  await recordPassport(fixture, caseId, principal)
  await recordPassport(fixture, caseId, spouse, { document_number: 'SP0000001' })
  const first = await requestTicket(fixture, caseId, booking.id, principal, 32_000)
  t.match(first, { status: 'requested', allowed_actions: ['void'], requested_by: 'olga' })
  const payment = await expectStatus(await fixture.finance({ method: 'GET', url: `/v1/payment-requests/${first.payment_request_id}` }), 200, 'payment')
  t.match(payment, { kind: 'ticket', status: 'requested', amount: EUR(32_000), source: { type: 'ticket', id: first.id }, budget_line_id: fixture.lines.travel, case_id: caseId })
  t.same(await lineState(fixture.db, fixture.lines.travel), { committed: 0, spent: 0, ledgerCommitted: 0, ledgerSpent: 0 }, 'nothing committed while requested')

  const selfApproval = await fixture.as('olga', ['operations', 'approver'])({ method: 'POST', url: `/v1/payment-requests/${first.payment_request_id}:approve` })
  t.equal(selfApproval.statusCode, 403, 'the requester cannot approve (maker-checker)')
  t.equal(selfApproval.json().type, '/problems/maker-checker-violation')
  t.equal((await expectStatus(await fixture.operations({ method: 'GET', url: `${tickets(caseId)}/${first.id}` }), 200, 'get')).status, 'requested')

  await approvePayment(fixture, first.payment_request_id)
  const issued = await expectStatus(await fixture.operations({ method: 'GET', url: `${tickets(caseId)}/${first.id}` }), 200, 'get')
  t.match(issued, { status: 'issued', payment_status: 'approved', allowed_actions: ['void', 'refund', 'confirm_departure', 'record_no_show'] })
  t.ok(issued.issued_at)
  t.same(await lineState(fixture.db, fixture.lines.travel), { committed: 32_000, spent: 0, ledgerCommitted: 32_000, ledgerSpent: 0 }, 'the fare is committed')
  t.equal(await caseStatus(fixture, caseId), 'approved', 'one traveller of two is ticketed: not yet travel_booked')

  const second = await requestTicket(fixture, caseId, booking.id, spouse, 30_500)
  await approvePayment(fixture, second.payment_request_id)
  t.equal(await caseStatus(fixture, caseId), 'travel_booked', 'every traveller holds an issued ticket')
  const history = await fixture.db.selectFrom('case_status_history').select(['action', 'to_status', 'actor_sub']).where('case_id', '=', caseId).execute()
  t.same(history, [{ action: 'mark_travel_booked', to_status: 'travel_booked', actor_sub: 'abe' }], 'in the approval\'s transaction, by the approver')
  t.same(await auditActions(fixture.db, first.id), ['ticket.requested', 'ticket.issued'])

  const duplicate = await fixture.operations({ method: 'POST', url: tickets(caseId), payload: ticketBody(booking.id, spouse) })
  t.equal(duplicate.statusCode, 409, 'one live ticket per traveller per booking')
  t.equal(duplicate.json().type, '/problems/duplicate-resource')
})

t.test('the document is checked again when the ticket is issued: the approval is refused and nothing is committed', async (t) => {
  const fixture = await travelFixture(t)
  const { caseId, memberIds } = await fixture.newCase()
  const booking = await createBooking(fixture, caseId, { segments: [directSegment(isoDate(40))] })
  const document = await recordPassport(fixture, caseId, memberIds[0] as string)
  const ticket = await requestTicket(fixture, caseId, booking.id, memberIds[0] as string)
  await expectStatus(
    await fixture.operations({ method: 'PATCH', url: `/v1/return-cases/${caseId}/travel-documents/${document.id}`, headers: { 'if-match': '"1"' }, payload: { expires_on: isoDate(39) } }),
    200,
    'correct expiry',
  )
  const before = await rowCounts(fixture.db)
  const approval = await fixture.approver({ method: 'POST', url: `/v1/payment-requests/${ticket.payment_request_id}:approve` })
  t.equal(approval.statusCode, 409)
  t.match(approval.json(), { type: '/problems/travel-document-required', problem: 'expires_before_travel' })
  t.same(await rowCounts(fixture.db), before, 'the approval, its commitment and the issue are all rolled back')
  t.same(await lineState(fixture.db, fixture.lines.travel), { committed: 0, spent: 0, ledgerCommitted: 0, ledgerSpent: 0 })
})

t.test('fare rules: in the project currency, unique ticket numbers, medical escorts', async (t) => {
  const fixture = await travelFixture(t)
  const { caseId, memberIds } = await fixture.newCase({ members: [{}, { escortNeeded: true }] })
  const [principal, patient] = memberIds as [string, string]
  const booking = await createBooking(fixture, caseId)
  await recordPassport(fixture, caseId, principal)
  await recordPassport(fixture, caseId, patient, { document_number: 'PT0000002' })
  const before = await rowCounts(fixture.db)
  const currency = await fixture.operations({ method: 'POST', url: tickets(caseId), payload: { ...ticketBody(booking.id, principal), fare: { amount_minor: 90_000, currency: 'GEL' } } })
  t.equal(currency.statusCode, 422)
  t.match(currency.json(), { type: '/problems/currency-mismatch', errors: [{ pointer: '/body/fare/currency' }] })
  const zero = await fixture.operations({ method: 'POST', url: tickets(caseId), payload: { ...ticketBody(booking.id, principal), fare: EUR(0) } })
  t.equal(zero.statusCode, 400, 'a fare of nothing is a mistake')
  const badNumber = await fixture.operations({ method: 'POST', url: tickets(caseId), payload: { ...ticketBody(booking.id, principal), ticket_number: '12345' } })
  t.equal(badNumber.statusCode, 400)
  const escort = await fixture.operations({ method: 'POST', url: tickets(caseId), payload: ticketBody(booking.id, patient) })
  t.equal(escort.statusCode, 409, 'a traveller who needs a medical escort is not ticketed without one')
  t.match(escort.json(), { type: '/problems/conflict', member_id: patient })
  t.same(await rowCounts(fixture.db), before, 'nothing written')

  const first = await expectStatus(await fixture.operations({ method: 'POST', url: tickets(caseId), payload: { ...ticketBody(booking.id, principal), ticket_number: '235-2101234567' } }), 201, 'ticket')
  t.equal(first.ticket_number, '2352101234567', 'the dash after the carrier prefix is dropped')
  await expectStatus(
    await fixture.operations({
      method: 'PATCH',
      url: `/v1/return-cases/${caseId}/bookings/${booking.id}`,
      headers: { 'if-match': `"${booking.version}"` },
      payload: { escorts: [{ member_id: patient, kind: 'medical', escort_name: 'Dr. Rasa Petrauskienė', organisation: 'IOM' }] },
    }),
    200,
    'add escort',
  )
  const before2 = await rowCounts(fixture.db)
  const uninsured = await fixture.operations({ method: 'POST', url: tickets(caseId), payload: ticketBody(booking.id, patient) })
  t.match(uninsured.json(), { status: 409, type: '/problems/travel-insurance-required', traveller: { member_id: patient }, reasons: ['medical_needs', 'escorted'], cover_needed: { from: booking.travel_ends_on, until: booking.travel_ends_on } }, 'an escorted medical case travels insured')
  t.same(await rowCounts(fixture.db), before2, 'nothing written')
  await sql`update projects set cost_routing = '{"insurance": "travel"}'::jsonb where id = ${fixture.projectId}`.execute(fixture.db)
  const policy = { member_id: patient, insurer: 'ERGO Insurance', policy_number: 'ERV-2026-118734', cover_from: booking.travel_ends_on, cover_until: booking.travel_ends_on, premium: EUR(2_500) }
  await expectStatus(await fixture.operations({ method: 'POST', url: `/v1/return-cases/${caseId}/travel-insurance`, payload: policy }), 201, 'insure')
  const reused = await fixture.operations({ method: 'POST', url: tickets(caseId), payload: { ...ticketBody(booking.id, patient), ticket_number: '2352101234567' } })
  t.equal(reused.statusCode, 409, 'a ticket number is recorded once')
  t.match(reused.json(), { errors: [{ pointer: '/body/ticket_number' }] })
  await expectStatus(await fixture.operations({ method: 'POST', url: tickets(caseId), payload: ticketBody(booking.id, patient) }), 201, 'with the escort on the booking and insured')
})

t.test('a rejected payment voids the ticket; the traveller can be ticketed again', async (t) => {
  const fixture = await travelFixture(t)
  const { caseId, memberIds } = await fixture.newCase()
  const booking = await createBooking(fixture, caseId)
  await recordPassport(fixture, caseId, memberIds[0] as string)
  const ticket = await requestTicket(fixture, caseId, booking.id, memberIds[0] as string)
  await expectStatus(await fixture.approver({ method: 'POST', url: `/v1/payment-requests/${ticket.payment_request_id}:reject`, payload: { reason: 'Fare too high; ask for another quote' } }), 200, 'reject')
  const voided = await expectStatus(await fixture.operations({ method: 'GET', url: `${tickets(caseId)}/${ticket.id}` }), 200, 'get')
  t.match(voided, { status: 'voided', payment_status: 'rejected', ended: { by: 'abe', reason: /rejected: Fare too high/ }, allowed_actions: [] })
  await requestTicket(fixture, caseId, booking.id, memberIds[0] as string, 28_000)
})

t.test('voiding or refunding releases what was not spent', async (t) => {
  const fixture = await travelFixture(t)
  const { caseId, memberIds } = await fixture.newCase({ members: [{}, {}] })
  const [principal, spouse] = memberIds as [string, string]
  const booking = await createBooking(fixture, caseId)
  const a = await issuedTicket(fixture, caseId, booking.id, principal, 32_000)
  await recordPassport(fixture, caseId, spouse, { document_number: 'SP0000001' })
  const b = await requestTicket(fixture, caseId, booking.id, spouse, 30_000)
  await approvePayment(fixture, b.payment_request_id)
  await payPayment(fixture, b.payment_request_id)
  t.same(await lineState(fixture.db, fixture.lines.travel), { committed: 32_000, spent: 30_000, ledgerCommitted: 32_000, ledgerSpent: 30_000 })

  const paidVoid = await fixture.operations({ method: 'POST', url: `${tickets(caseId)}/${b.id}:void`, payload: { reason: 'Rebooking' } })
  t.equal(paidVoid.statusCode, 409, 'a paid ticket is refunded, not voided')
  t.match(paidVoid.json(), { type: '/problems/invalid-transition', payment_status: 'paid' })

  const voided = await expectStatus(
    await fixture.operations({ method: 'POST', url: `${tickets(caseId)}/${a.id}:void`, headers: { 'if-match': `"${a.version}"` }, payload: { reason: 'Flight cancelled by the carrier' } }),
    200,
    'void',
  )
  t.match(voided, { status: 'voided', payment_status: 'cancelled', ended: { by: 'olga', reason: 'Flight cancelled by the carrier' } })
  t.equal(await openCommitmentOf(fixture.db, a.id), 0, 'the voided fare is released')
  const refunded = await expectStatus(await fixture.operations({ method: 'POST', url: `${tickets(caseId)}/${b.id}:refund`, payload: { reason: 'Traveller ill' } }), 200, 'refund')
  t.match(refunded, { status: 'refunded', payment_status: 'paid' })
  t.same(await lineState(fixture.db, fixture.lines.travel), { committed: 0, spent: 30_000, ledgerCommitted: 0, ledgerSpent: 30_000 }, 'what was paid stays spent; nothing stays committed')
  const again = await fixture.operations({ method: 'POST', url: `${tickets(caseId)}/${b.id}:refund`, payload: { reason: 'again' } })
  t.match(again.json(), { status: 409, type: '/problems/invalid-transition', current_status: 'refunded' })
  t.same(await auditActions(fixture.db, a.id), ['ticket.requested', 'ticket.issued', 'ticket.voided'])
})

t.test('tickets need an approved case; partner offices read only their cases\' tickets and cannot request them', async (t) => {
  const fixture = await travelFixture(t)
  const early = await fixture.newCase({ status: 'in_counselling' })
  const early2 = await fixture.newCase({ status: 'in_counselling' })
  await recordPassport(fixture, early.caseId, early.memberIds[0] as string)
  const bookingResponse = await fixture.operations({ method: 'POST', url: `/v1/return-cases/${early.caseId}/bookings`, payload: { booking_reference: 'ABCDE1', segments: [directSegment(isoDate(30))] } })
  t.equal(bookingResponse.statusCode, 409, 'no booking before approval')
  t.match(bookingResponse.json(), { current_status: 'in_counselling' })
  t.ok(early2)

  const { caseId, memberIds } = await fixture.newCase()
  const booking = await createBooking(fixture, caseId)
  const ticket = await issuedTicket(fixture, caseId, booking.id, memberIds[0] as string)
  t.equal((await fixture.tbilisi({ method: 'GET', url: tickets(caseId) })).json().items.length, 1)
  t.equal((await fixture.baghdad({ method: 'GET', url: tickets(caseId) })).statusCode, 404)
  t.equal((await fixture.baghdad({ method: 'GET', url: `${tickets(caseId)}/${ticket.id}` })).statusCode, 404)
  t.equal((await fixture.tbilisi({ method: 'POST', url: tickets(caseId), payload: ticketBody(booking.id, memberIds[0] as string) })).statusCode, 403)
  t.equal((await fixture.counsellor({ method: 'POST', url: `${tickets(caseId)}/${ticket.id}:void`, payload: { reason: 'x' } })).statusCode, 403, 'operations void tickets')
  t.equal((await fixture.operations({ method: 'GET', url: `${tickets(caseId)}?status=issued&member_id=${memberIds[0]}` })).json().items.length, 1)
  t.equal((await fixture.operations({ method: 'GET', url: `${tickets(caseId)}?status=voided` })).json().items.length, 0)
})

t.test('cancelling a ticket\'s payment through the payments API voids the ticket and its baggage; a used ticket keeps its payment', async (t) => {
  const fixture = await travelFixture(t)
  const { caseId, memberIds } = await fixture.newCase({ members: [{}, {}] })
  const [principal, spouse] = memberIds as [string, string]
  const booking = await createBooking(fixture, caseId)
  const ticket = await issuedTicket(fixture, caseId, booking.id, principal, 32_000)
  const charge = await expectStatus(
    await fixture.operations({
      method: 'POST',
      url: `/v1/return-cases/${caseId}/excess-baggage`,
      payload: { ticket_id: ticket.id, kilograms: 10, cost: EUR(6_000), reason: 'Tools', payee: { type: 'carrier', name: 'Georgian Airways' } },
    }),
    201,
    'baggage',
  )
  await approvePayment(fixture, charge.payment_request_id)
  await expectStatus(await fixture.finance({ method: 'POST', url: `/v1/payment-requests/${ticket.payment_request_id}:cancel`, payload: { reason: 'Duplicate booking' } }), 200, 'cancel payment')
  const voided = await expectStatus(await fixture.operations({ method: 'GET', url: `${tickets(caseId)}/${ticket.id}` }), 200, 'ticket')
  t.match(voided, { status: 'voided', ended: { by: 'fiona', reason: /cancelled: Duplicate booking/ } })
  t.equal((await expectStatus(await fixture.operations({ method: 'GET', url: `/v1/return-cases/${caseId}/excess-baggage/${charge.id}` }), 200, 'baggage')).status, 'cancelled')
  t.same(await lineState(fixture.db, fixture.lines.travel), { committed: 0, spent: 0, ledgerCommitted: 0, ledgerSpent: 0 })
  t.same(await lineState(fixture.db, fixture.lines.excess_baggage), { committed: 0, spent: 0, ledgerCommitted: 0, ledgerSpent: 0 })

  const again = await issuedTicket(fixture, caseId, booking.id, principal, 31_000)
  await issuedTicket(fixture, caseId, booking.id, spouse, 31_000)
  await expectStatus(
    await fixture.operations({ method: 'POST', url: `${tickets(caseId)}/${again.id}:confirm-departure`, payload: { departed_at: new Date(Date.now() - 60_000).toISOString() } }),
    200,
    'depart',
  )
  const before = await rowCounts(fixture.db)
  const late = await fixture.finance({ method: 'POST', url: `/v1/payment-requests/${again.payment_request_id}:cancel`, payload: { reason: 'Too late' } })
  t.equal(late.statusCode, 409, 'the traveller flew on it: its payment cannot be cancelled')
  t.match(late.json().detail, /was used/)
  t.same(await rowCounts(fixture.db), before, 'nothing written')
})
