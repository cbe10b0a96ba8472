import t from 'tap'
import { createBooking, directSegment, expectStatus, isoDate, issuedTicket, rowCounts, travelFixture } from './fixtures.js'

const bookings = (caseId: string) => `/v1/return-cases/${caseId}/bookings`

const viaIstanbul = (date: string): [Record<string, string>, Record<string, string>] => [
  { from_airport: 'VNO', to_airport: 'IST', carrier: 'TK', flight_number: '1424', departs_at: `${date}T06:35:00+02:00`, arrives_at: `${date}T10:05:00+03:00` },
  { from_airport: 'IST', to_airport: 'BGW', carrier: 'TK', flight_number: '788', departs_at: `${date}T12:40:00+03:00`, arrives_at: `${date}T15:55:00+03:00` },
]

t.test('a booking keeps its route in order, local times as scheduled, and derives the transit points', async (t) => {
  const fixture = await travelFixture(t)
  const { caseId, memberIds } = await fixture.newCase({ members: [{}, {}] })
  const [principal, spouse] = memberIds as [string, string]
  const date = isoDate(30)
  const booking = await createBooking(fixture, caseId, {
    booking_reference: 'K7QX2M',
    segments: viaIstanbul(date),
    assistance: [
      { stage: 'departure', service: 'wheelchair', member_id: spouse },
      { stage: 'transit', service: 'meet_and_assist', notes: 'First journey by air' },
      { stage: 'arrival', service: 'meet_and_assist' },
    ],
    escorts: [{ member_id: spouse, kind: 'medical', escort_name: 'Dr. Rasa Petrauskienė', organisation: 'IOM' }],
  })
  t.match(booking, {
    booking_reference: 'K7QX2M',
    status: 'active',
    departure_airport: 'VNO',
    arrival_airport: 'BGW',
    travel_starts_at: `${date}T06:35:00+02:00`,
    travel_ends_on: date,
    segments: [
      { position: 1, from_airport: 'VNO', to_airport: 'IST', carrier: 'TK', flight_number: '1424', departs_at: `${date}T06:35:00+02:00`, arrives_at: `${date}T10:05:00+03:00` },
      { position: 2, from_airport: 'IST', to_airport: 'BGW', departs_at: `${date}T12:40:00+03:00`, arrives_at: `${date}T15:55:00+03:00` },
    ],
    transit_points: [{ airport: 'IST', arrives_at: `${date}T10:05:00+03:00`, departs_at: `${date}T12:40:00+03:00`, connection_minutes: 155 }],
    assistance: [
      { stage: 'departure', airport: 'VNO', service: 'wheelchair', member_id: spouse },
      { stage: 'transit', airport: 'IST', service: 'meet_and_assist', member_id: null, notes: 'First journey by air' },
      { stage: 'arrival', airport: 'BGW', member_id: null },
    ],
    escorts: [{ member_id: spouse, kind: 'medical', escort_name: 'Dr. Rasa Petrauskienė', organisation: 'IOM' }],
    cancellation: null,
  })
  const read = await expectStatus(await fixture.tbilisi({ method: 'GET', url: `${bookings(caseId)}/${booking.id}` }), 200, 'partner read')
  t.same(read, booking, 'read back as written')
  const zulu = await createBooking(fixture, caseId, {
    booking_reference: 'ZULU01',
    segments: [{ from_airport: 'VNO', to_airport: 'TBS', carrier: 'A9', flight_number: '622', departs_at: `${date}T04:35:00Z`, arrives_at: `${date}T11:55:00+04:00` }],
  })
  t.equal(zulu.segments[0].departs_at, `${date}T04:35:00+00:00`, 'Z reads back as +00:00')
  t.ok(principal)
})

t.test('the route must hang together: refused with 422 naming each segment, and nothing written', async (t) => {
  const fixture = await travelFixture(t)
  const { caseId, memberIds } = await fixture.newCase()
  const other = await fixture.newCase()
  const date = isoDate(30)
  const before = await rowCounts(fixture.db)
  const refuse = async (payload: Record<string, unknown>, status: number, pointers: string[], rule: string) => {
    const response = await fixture.operations({ method: 'POST', url: bookings(caseId), payload: { booking_reference: 'K7QX2M', ...payload } })
    t.equal(response.statusCode, status, rule)
    t.same([...new Set((response.json().errors as Array<{ pointer: string }>).map((error) => error.pointer))].sort(), [...pointers].sort(), rule)
  }
  const [first, second] = viaIstanbul(date)
  await refuse({ segments: [first, { ...second, from_airport: 'SAW' }] }, 422, ['/body/segments/1/from_airport'], 'each segment leaves from where the previous arrived')
  await refuse({ segments: [first, { ...second, departs_at: `${date}T09:50:00+03:00` }] }, 422, ['/body/segments/1/departs_at'], 'not before the previous arrives')
  await refuse({ segments: [{ ...first, arrives_at: `${date}T07:05:00+03:00` }] }, 422, ['/body/segments/0/arrives_at'], 'arrives after it departs, offsets considered (07:05+03 is 06:05+02)')
  await refuse({ segments: [{ ...first, to_airport: 'VNO' }] }, 422, ['/body/segments/0/to_airport'], 'goes somewhere')
  await refuse({ segments: [{ ...first, departs_at: `${date}T06:35:00+15:00` }] }, 422, ['/body/segments/0/departs_at'], 'real UTC offsets only')
  await refuse({ segments: [{ ...first, from_airport: 'vno' }] }, 400, ['/body/segments/0/from_airport'], 'IATA codes are three capital letters')
  await refuse({ segments: [{ ...first, departs_at: `${date}T06:35:00` }] }, 400, ['/body/segments/0/departs_at'], 'times carry their offset')
  await refuse({ segments: [{ ...first, flight_number: 'TK1424' }] }, 400, ['/body/segments/0/flight_number'], 'the flight number without the carrier')
  await refuse({ segments: [] }, 400, ['/body/segments'], 'at least one segment')
  await refuse({ booking_reference: 'k7', segments: [first] }, 400, ['/body/booking_reference'], 'a booking reference is 5-8 capitals or digits')
  await refuse({ segments: [first], assistance: [{ stage: 'transit', service: 'wheelchair' }] }, 422, ['/body/assistance/0/stage'], 'a direct flight has no transit')
  await refuse({ segments: [first, second], assistance: [{ stage: 'arrival', airport: 'IST', service: 'wheelchair' }] }, 422, ['/body/assistance/0/airport'], 'arrival is at the destination')
  await refuse(
    { segments: [first], assistance: [{ stage: 'departure', service: 'wheelchair', member_id: other.memberIds[0] }], escorts: [{ member_id: other.memberIds[0], kind: 'medical', escort_name: 'Dr. X' }] },
    422,
    ['/body/assistance/0/member_id', '/body/escorts/0/member_id'],
    'assistance and escorts are for travellers of this case',
  )
  await refuse(
    { segments: [first], escorts: [{ member_id: memberIds[0], kind: 'medical', escort_name: 'Dr. X' }, { member_id: memberIds[0], kind: 'medical', escort_name: 'dr. x' }] },
    422,
    ['/body/escorts/1'],
    'the same escort twice',
  )
  t.same(await rowCounts(fixture.db), before, 'nothing written')

  await createBooking(fixture, caseId, { booking_reference: 'K7QX2M' })
  const duplicate = await fixture.operations({ method: 'POST', url: bookings(caseId), payload: { booking_reference: 'K7QX2M', segments: [directSegment(date)] } })
  t.equal(duplicate.statusCode, 409, 'one active booking per reference in a case')
  t.equal(duplicate.json().type, '/problems/duplicate-resource')
})

t.test('changing a booking: assistance, escorts and notes with If-Match; cancelling it once no ticket is live', async (t) => {
  const fixture = await travelFixture(t)
  const { caseId, memberIds } = await fixture.newCase()
  const booking = await createBooking(fixture, caseId)
  const url = `${bookings(caseId)}/${booking.id}`
  t.equal((await fixture.operations({ method: 'PATCH', url, payload: { notes: 'x' } })).statusCode, 428)
  t.equal((await fixture.operations({ method: 'PATCH', url, headers: { 'if-match': '"9"' }, payload: { notes: 'x' } })).statusCode, 412)
  t.equal((await fixture.operations({ method: 'PATCH', url, headers: { 'if-match': '"1"' }, payload: { segments: [] } })).statusCode, 400, 'the route is fixed')
  const changed = await expectStatus(
    await fixture.operations({ method: 'PATCH', url, headers: { 'if-match': '"1"' }, payload: { notes: 'Vegetarian meals', assistance: [{ stage: 'arrival', service: 'meet_and_assist' }] } }),
    200,
    'patch',
  )
  t.match(changed, { version: 2, notes: 'Vegetarian meals', assistance: [{ stage: 'arrival', airport: 'TBS' }] })

  const ticket = await issuedTicket(fixture, caseId, booking.id, memberIds[0] as string)
  const live = await fixture.operations({ method: 'POST', url: `${url}:cancel`, payload: { reason: 'Rebooked' } })
  t.equal(live.statusCode, 409, 'not while a ticket on it is live')
  t.match(live.json(), { live_tickets: [{ id: ticket.id, status: 'issued' }] })
  await expectStatus(await fixture.operations({ method: 'POST', url: `/v1/return-cases/${caseId}/tickets/${ticket.id}:void`, payload: { reason: 'Rebooked' } }), 200, 'void')
  const cancelled = await expectStatus(await fixture.operations({ method: 'POST', url: `${url}:cancel`, payload: { reason: 'Rebooked on an earlier flight' } }), 200, 'cancel')
  t.match(cancelled, { status: 'cancelled', cancellation: { cancelled_by: 'olga', reason: 'Rebooked on an earlier flight' } })
  const twice = await fixture.operations({ method: 'POST', url: `${url}:cancel`, payload: { reason: 'again' } })
  t.match(twice.json(), { status: 409, type: '/problems/invalid-transition', current_status: 'cancelled' })
  t.equal((await fixture.operations({ method: 'GET', url: `${bookings(caseId)}?status=active` })).json().items.length, 0)
  t.equal((await fixture.operations({ method: 'GET', url: `${bookings(caseId)}?status=cancelled` })).json().items.length, 1)
})

t.test('partner offices read only the bookings of cases referred to them; only operations arrange travel', async (t) => {
  const fixture = await travelFixture(t)
  const { caseId } = await fixture.newCase()
  const booking = await createBooking(fixture, caseId)
  t.equal((await fixture.tbilisi({ method: 'GET', url: bookings(caseId) })).json().items.length, 1)
  t.equal((await fixture.baghdad({ method: 'GET', url: bookings(caseId) })).statusCode, 404)
  t.equal((await fixture.baghdad({ method: 'GET', url: `${bookings(caseId)}/${booking.id}` })).statusCode, 404)
  t.equal((await fixture.counsellor({ method: 'POST', url: bookings(caseId), payload: { booking_reference: 'ABCDE', segments: [directSegment(isoDate(9))] } })).statusCode, 403)
  t.equal((await fixture.operations({ method: 'GET', url: `${bookings(caseId)}/01900000-0000-7000-8000-000000000000` })).statusCode, 404)
})
