import t from 'tap'
import { sql } from 'kysely'
import { approvePayment, createBooking, EUR, expectStatus, isoDate, issuedTicket, lineState, payPayment, recordPassport, requestTicket, rowCounts, travelFixture, type TravelFixture } from './fixtures.js'

const ticketUrl = (caseId: string, ticketId: string) => `/v1/return-cases/${caseId}/tickets/${ticketId}`
const refundBody = (amountMinor: number, overrides: Record<string, unknown> = {}) => ({ amount: EUR(amountMinor), refunded_on: isoDate(0), reference: 'TK-RF-7781234', ...overrides })

async function refundEntries(fixture: TravelFixture, ticketId: string) {
  return fixture.db.selectFrom('ledger_entries').select(['kind', 'amount_minor', 'budget_line_id']).where('source_id', '=', ticketId).where('kind', '=', 'refund').execute()
}

/** A traveller whose fare (32,000) was paid, then the case recorded as a no-show: the ticket ends `refunded`, the fare stays spent. */
async function paidNoShow(fixture: TravelFixture) {
  const { caseId, memberIds } = await fixture.newCase()
  const booking = await createBooking(fixture, caseId)
  const ticket = await issuedTicket(fixture, caseId, booking.id, memberIds[0] as string, 32_000)
  await payPayment(fixture, ticket.payment_request_id)
  await expectStatus(await fixture.operations({ method: 'POST', url: `/v1/return-cases/${caseId}:record-no-show`, payload: { reason: 'Nobody came to the airport' } }), 200, 'no-show')
  return { caseId, ticket }
}

t.test('a carrier refund after a no-show is credited to the travel line it was paid from, exactly once', async (t) => {
  const fixture = await travelFixture(t)
  const { caseId, ticket } = await paidNoShow(fixture)
  const ended = await expectStatus(await fixture.finance({ method: 'GET', url: ticketUrl(caseId, ticket.id) }), 200, 'ticket')
  t.match(ended, { status: 'refunded', payment_status: 'paid', carrier_refund: null, allowed_actions: ['record_carrier_refund'] })
  t.same(await lineState(fixture.db, fixture.lines.travel), { committed: 0, spent: 32_000, ledgerCommitted: 0, ledgerSpent: 32_000 })

  t.equal((await fixture.operations({ method: 'POST', url: `${ticketUrl(caseId, ticket.id)}:record-carrier-refund`, payload: refundBody(24_000) })).statusCode, 403, 'finance records refunds')
  const refunded = await expectStatus(await fixture.finance({ method: 'POST', url: `${ticketUrl(caseId, ticket.id)}:record-carrier-refund`, payload: refundBody(24_000) }), 200, 'record refund')
  t.match(refunded, { status: 'refunded', carrier_refund: { amount: EUR(24_000), reference: 'TK-RF-7781234', recorded_by: 'fiona' }, allowed_actions: [] })
  t.same(await lineState(fixture.db, fixture.lines.travel), { committed: 0, spent: 8_000, ledgerCommitted: 0, ledgerSpent: 8_000 }, 'available rose by the refund')
  t.same(await refundEntries(fixture, ticket.id), [{ kind: 'refund', amount_minor: 24_000, budget_line_id: fixture.lines.travel }])
  const spends = await fixture.db.selectFrom('ledger_entries').select('amount_minor').where('source_id', '=', ticket.id).where('kind', '=', 'spend').execute()
  t.same(spends, [{ amount_minor: 32_000 }], 'the spend is still in the ledger')
  const partner = await expectStatus(await fixture.tbilisi({ method: 'GET', url: ticketUrl(caseId, ticket.id) }), 200, 'partner reads')
  t.match(partner.carrier_refund, { amount: EUR(24_000) })
  t.equal((await fixture.baghdad({ method: 'GET', url: ticketUrl(caseId, ticket.id) })).statusCode, 404, 'another partner office sees nothing')

  const before = await rowCounts(fixture.db)
  const again = await expectStatus(await fixture.finance({ method: 'POST', url: `${ticketUrl(caseId, ticket.id)}:record-carrier-refund`, payload: refundBody(24_000) }), 200, 'the same refund again')
  t.equal(again.version, refunded.version, 'unchanged')
  t.same(await rowCounts(fixture.db), before, 'nothing written twice')
  t.same((await lineState(fixture.db, fixture.lines.travel)).spent, 8_000, 'available restored once')
  const another = await fixture.finance({ method: 'POST', url: `${ticketUrl(caseId, ticket.id)}:record-carrier-refund`, payload: refundBody(8_000, { reference: 'TK-RF-2' }) })
  t.match(another.json(), { status: 409, type: '/problems/duplicate-resource' })
  t.same(await rowCounts(fixture.db), before)
  const audit = await fixture.db.selectFrom('audit_events').select('action').where('entity_id', '=', ticket.id).where('action', '=', 'ticket.carrier_refund_recorded').execute()
  t.equal(audit.length, 1, 'audited once')
})

t.test('a refund never exceeds what was paid for the ticket; unpaid or live tickets have nothing to refund; bad input writes nothing', async (t) => {
  const fixture = await travelFixture(t)
  const { caseId, ticket } = await paidNoShow(fixture)
  const before = await rowCounts(fixture.db)
  const refuse = async (payload: Record<string, unknown>, status: number, type: string, rule: string) => {
    const response = await fixture.finance({ method: 'POST', url: `${ticketUrl(caseId, ticket.id)}:record-carrier-refund`, payload })
    t.equal(response.statusCode, status, rule)
    t.equal(response.json().type, type, rule)
    return response.json()
  }
  const tooMuch = await refuse(refundBody(32_001), 409, '/problems/refund-exceeds-spend', 'more than the fare paid')
  t.match(tooMuch, { spent: EUR(32_000), requested: EUR(32_001) })
  await refuse(refundBody(100, { amount: { amount_minor: 100, currency: 'USD' } }), 422, '/problems/currency-mismatch', 'the project currency')
  await refuse(refundBody(100, { refunded_on: isoDate(3) }), 422, '/problems/unprocessable-entity', 'not in the future')
  await refuse(refundBody(0), 400, '/problems/validation-error', 'a positive amount')
  t.same(await rowCounts(fixture.db), before, 'refusals write nothing')
  t.same((await lineState(fixture.db, fixture.lines.travel)).spent, 32_000)

  const other = await fixture.newCase()
  const booking = await createBooking(fixture, other.caseId)
  await recordPassport(fixture, other.caseId, other.memberIds[0] as string)
  const unpaid = await requestTicket(fixture, other.caseId, booking.id, other.memberIds[0] as string)
  await approvePayment(fixture, unpaid.payment_request_id)
  const live = await fixture.finance({ method: 'POST', url: `${ticketUrl(other.caseId, unpaid.id)}:record-carrier-refund`, payload: refundBody(100) })
  t.match(live.json(), { status: 409, type: '/problems/invalid-transition', current_status: 'issued' }, 'an issued ticket is ended first')
  await expectStatus(await fixture.operations({ method: 'POST', url: `${ticketUrl(other.caseId, unpaid.id)}:refund`, payload: { reason: 'Flight cancelled' } }), 200, 'refund unpaid')
  const neverPaid = await fixture.finance({ method: 'POST', url: `${ticketUrl(other.caseId, unpaid.id)}:record-carrier-refund`, payload: refundBody(100) })
  t.match(neverPaid.json(), { status: 409, type: '/problems/invalid-transition', payment_status: 'cancelled' }, 'its commitment was released; nothing was spent')
  const refunds = await fixture.db.selectFrom('ledger_entries').select(sql<number>`count(*)::int`.as('n')).where('kind', '=', 'refund').executeTakeFirstOrThrow()
  t.equal(Number(refunds.n), 0)
})

t.test('a cancelled paid ticket: a full carrier refund makes the whole fare available again', async (t) => {
  const fixture = await travelFixture(t)
  const { caseId, memberIds } = await fixture.newCase()
  const booking = await createBooking(fixture, caseId)
  const ticket = await issuedTicket(fixture, caseId, booking.id, memberIds[0] as string, 30_000)
  await payPayment(fixture, ticket.payment_request_id)
  await expectStatus(await fixture.operations({ method: 'POST', url: `${ticketUrl(caseId, ticket.id)}:refund`, payload: { reason: 'Flight cancelled by the carrier' } }), 200, 'end ticket')
  await expectStatus(await fixture.finance({ method: 'POST', url: `${ticketUrl(caseId, ticket.id)}:record-carrier-refund`, payload: refundBody(30_000) }), 200, 'full refund')
  t.same(await lineState(fixture.db, fixture.lines.travel), { committed: 0, spent: 0, ledgerCommitted: 0, ledgerSpent: 0 }, 'the whole fare is available again')
})
