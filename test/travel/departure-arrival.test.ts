import t from 'tap'
import { auditActions, caseStatus, createBooking, expectStatus, isoDate, issuedTicket, lineState, openCommitmentOf, rowCounts, travelFixture } from './fixtures.js'

const ticketUrl = (caseId: string, ticketId: string, action: string) => `/v1/return-cases/${caseId}/tickets/${ticketId}:${action}`
const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString()

t.test('departure per traveller: the case departs when every ticketed traveller has left; arrival by the partner office moves it to arrived', async (t) => {
  const fixture = await travelFixture(t)
  const { caseId, memberIds } = await fixture.newCase({ members: [{}, {}] })
  const [principal, spouse] = memberIds as [string, string]
  const booking = await createBooking(fixture, caseId)
  const a = await issuedTicket(fixture, caseId, booking.id, principal)
  const early = await fixture.operations({ method: 'POST', url: ticketUrl(caseId, a.id, 'confirm-departure'), payload: { departed_at: minutesAgo(90) } })
  t.equal(early.statusCode, 409, 'departure waits until every traveller holds an issued ticket')
  t.match(early.json(), { current_status: 'approved' })
  const b = await issuedTicket(fixture, caseId, booking.id, spouse)
  t.equal(await caseStatus(fixture, caseId), 'travel_booked')

  const future = await fixture.operations({ method: 'POST', url: ticketUrl(caseId, a.id, 'confirm-departure'), payload: { departed_at: new Date(Date.now() + 3_600_000).toISOString() } })
  t.equal(future.statusCode, 422)
  t.match(future.json(), { errors: [{ pointer: '/body/departed_at', detail: 'must not be in the future' }] })
  t.equal((await fixture.tbilisi({ method: 'POST', url: ticketUrl(caseId, a.id, 'confirm-departure'), payload: { departed_at: minutesAgo(90) } })).statusCode, 403, 'the country office confirms departure')

  const departedA = await expectStatus(await fixture.operations({ method: 'POST', url: ticketUrl(caseId, a.id, 'confirm-departure'), payload: { departed_at: minutesAgo(90) } }), 200, 'depart a')
  t.match(departedA, { status: 'used', departure: { recorded_by: 'olga' }, allowed_actions: ['confirm_arrival'] })
  t.equal(await caseStatus(fixture, caseId), 'travel_booked', 'one of two has left')
  const twice = await fixture.operations({ method: 'POST', url: ticketUrl(caseId, a.id, 'confirm-departure'), payload: { departed_at: minutesAgo(80) } })
  t.match(twice.json(), { status: 409, type: '/problems/invalid-transition', current_status: 'used' })
  const tooSoon = await fixture.tbilisi({ method: 'POST', url: ticketUrl(caseId, a.id, 'confirm-arrival'), payload: { arrived_at: minutesAgo(10) } })
  t.equal(tooSoon.statusCode, 409, 'arrival is confirmed once the case has departed')
  await expectStatus(await fixture.operations({ method: 'POST', url: ticketUrl(caseId, b.id, 'confirm-departure'), payload: { departed_at: minutesAgo(88) } }), 200, 'depart b')
  t.equal(await caseStatus(fixture, caseId), 'departed', 'every ticketed traveller has left')

  const beforeDeparture = await fixture.tbilisi({ method: 'POST', url: ticketUrl(caseId, a.id, 'confirm-arrival'), payload: { arrived_at: minutesAgo(100) } })
  t.equal(beforeDeparture.statusCode, 422)
  t.match(beforeDeparture.json(), { errors: [{ pointer: '/body/arrived_at' }] })
  t.equal((await fixture.operations({ method: 'POST', url: ticketUrl(caseId, a.id, 'confirm-arrival'), payload: { arrived_at: minutesAgo(5) } })).statusCode, 403, 'staff do not confirm arrival')

  const arrivedA = await expectStatus(await fixture.tbilisi({ method: 'POST', url: ticketUrl(caseId, a.id, 'confirm-arrival'), payload: { arrived_at: minutesAgo(5) } }), 200, 'arrive a')
  t.match(arrivedA, { status: 'used', arrival: { recorded_by: 'tamar' }, allowed_actions: [] })
  t.equal(await caseStatus(fixture, caseId), 'departed', 'one of two has arrived')
  const again = await fixture.tbilisi({ method: 'POST', url: ticketUrl(caseId, a.id, 'confirm-arrival'), payload: { arrived_at: minutesAgo(4) } })
  t.match(again.json(), { status: 409, type: '/problems/invalid-transition' })
  await expectStatus(await fixture.tbilisi({ method: 'POST', url: ticketUrl(caseId, b.id, 'confirm-arrival'), payload: { arrived_at: minutesAgo(4) } }), 200, 'arrive b')
  t.equal(await caseStatus(fixture, caseId), 'arrived', 'every departed traveller has arrived')

  const history = await fixture.db.selectFrom('case_status_history').select(['action', 'actor_sub']).where('case_id', '=', caseId).orderBy('id').execute()
  t.same(history, [
    { action: 'mark_travel_booked', actor_sub: 'abe' },
    { action: 'mark_departed', actor_sub: 'olga' },
    { action: 'mark_arrived', actor_sub: 'tamar' },
  ])
  t.same(await auditActions(fixture.db, a.id), ['ticket.requested', 'ticket.issued', 'ticket.departed', 'ticket.arrived'])
})

t.test('a partner confirming arrival for a case not referred to it gets 404, and nothing changes', async (t) => {
  const fixture = await travelFixture(t)
  const { caseId, memberIds } = await fixture.newCase()
  const booking = await createBooking(fixture, caseId)
  const ticket = await issuedTicket(fixture, caseId, booking.id, memberIds[0] as string)
  await expectStatus(await fixture.operations({ method: 'POST', url: ticketUrl(caseId, ticket.id, 'confirm-departure'), payload: { departed_at: minutesAgo(60) } }), 200, 'depart')
  const before = await rowCounts(fixture.db)
  const stranger = await fixture.baghdad({ method: 'POST', url: ticketUrl(caseId, ticket.id, 'confirm-arrival'), payload: { arrived_at: minutesAgo(1) } })
  t.equal(stranger.statusCode, 404, 'the case is not referred to Baghdad: as if it did not exist')
  t.equal(stranger.json().type, '/problems/not-found')
  const mixed = await fixture.as('maria', ['partner', 'counsellor'], fixture.offices.baghdad)({ method: 'POST', url: ticketUrl(caseId, ticket.id, 'confirm-arrival'), payload: { arrived_at: minutesAgo(1) } })
  t.equal(mixed.statusCode, 403, 'a partner user who is also staff sees the case but acts only for their own office')
  t.same(await rowCounts(fixture.db), before, 'nothing written')
  t.equal(await caseStatus(fixture, caseId), 'departed')
  await expectStatus(await fixture.tbilisi({ method: 'POST', url: ticketUrl(caseId, ticket.id, 'confirm-arrival'), payload: { arrived_at: minutesAgo(1) } }), 200, 'the referred office')
  t.equal(await caseStatus(fixture, caseId), 'arrived')
})

t.test('a traveller who did not board: recorded as a no-show, their fare released, the case departs with the others', async (t) => {
  const fixture = await travelFixture(t)
  const { caseId, memberIds } = await fixture.newCase({ members: [{}, {}] })
  const [principal, spouse] = memberIds as [string, string]
  const booking = await createBooking(fixture, caseId)
  const a = await issuedTicket(fixture, caseId, booking.id, principal, 32_000)
  const b = await issuedTicket(fixture, caseId, booking.id, spouse, 30_000)
  t.same(await lineState(fixture.db, fixture.lines.travel), { committed: 62_000, spent: 0, ledgerCommitted: 62_000, ledgerSpent: 0 })
  await expectStatus(await fixture.operations({ method: 'POST', url: ticketUrl(caseId, a.id, 'confirm-departure'), payload: { departed_at: minutesAgo(30) } }), 200, 'depart a')
  t.equal((await fixture.counsellor({ method: 'POST', url: ticketUrl(caseId, b.id, 'record-no-show') })).statusCode, 403, 'operations record no-shows')
  const noShow = await expectStatus(await fixture.operations({ method: 'POST', url: ticketUrl(caseId, b.id, 'record-no-show') }), 200, 'no-show b')
  t.match(noShow, { status: 'voided', payment_status: 'cancelled', no_show: { recorded_by: 'olga' }, ended: { reason: 'Did not board' } })
  t.equal(await openCommitmentOf(fixture.db, b.id), 0, 'the no-show\'s fare is released')
  t.same(await lineState(fixture.db, fixture.lines.travel), { committed: 32_000, spent: 0, ledgerCommitted: 32_000, ledgerSpent: 0 }, 'the traveller who left keeps theirs')
  t.equal(await caseStatus(fixture, caseId), 'departed', 'everyone ticketed has left or did not board')
  t.same(await auditActions(fixture.db, b.id), ['ticket.requested', 'ticket.issued', 'ticket.no_show'])
})

t.test('when every traveller is a no-show, the case becomes a no-show and releases everything', async (t) => {
  const fixture = await travelFixture(t)
  const { caseId, memberIds } = await fixture.newCase()
  const booking = await createBooking(fixture, caseId)
  const ticket = await issuedTicket(fixture, caseId, booking.id, memberIds[0] as string, 32_000)
  await expectStatus(await fixture.operations({ method: 'POST', url: ticketUrl(caseId, ticket.id, 'record-no-show'), payload: { reason: 'Did not come to the airport' } }), 200, 'no-show')
  t.equal(await caseStatus(fixture, caseId), 'no_show')
  t.same(await lineState(fixture.db, fixture.lines.travel), { committed: 0, spent: 0, ledgerCommitted: 0, ledgerSpent: 0 })
  const bookingNow = await expectStatus(await fixture.operations({ method: 'GET', url: `/v1/return-cases/${caseId}/bookings/${booking.id}` }), 200, 'booking')
  t.equal(bookingNow.status, 'cancelled')
  t.ok(isoDate)
})
