import t from 'tap'
import { seedOffices } from '../../src/cli/seed/offices.js'
import { seedProjects } from '../../src/cli/seed/projects.js'
import { seedReturnCases } from '../../src/cli/seed/return-cases.js'
import { seedTravel } from '../../src/cli/seed/travel.js'
import { buildTestApp } from '../helpers/app.js'
import { lineState } from './fixtures.js'

t.test('seed: the 2010–2011 cases travel (Vilnius to Tbilisi, and to Baghdad via Istanbul) and arrive; seeding twice changes nothing', async (t) => {
  const testApp = await buildTestApp(t, { MAX_EVENT_LOOP_DELAY_MS: '0' })
  const db = testApp.database.db
  const offices = await seedOffices(db)
  const withoutCases = await seedTravel(db)
  t.ok(withoutCases.every((seeded) => seeded.outcome === 'skipped'), 'nothing to do before the cases exist')
  const system = { actor: { sub: 'seed', roles: ['admin' as const], officeId: null }, requestId: 'seed' }
  const { projectId } = await seedProjects(db, system)
  await seedReturnCases(db, { countryOfficeId: offices.vilnius, projectId })

  const first = await seedTravel(db)
  t.same(first.map((seeded) => seeded.outcome), ['created', 'created', 'created', 'created', 'created'])
  const second = await seedTravel(db)
  t.same(second.map((seeded) => seeded.outcome), ['exists', 'exists', 'exists', 'exists', 'exists'], 'idempotent')
  t.equal((await db.selectFrom('bookings').select('id').execute()).length, 5, 'one booking per case, not two')

  const cases = await db.selectFrom('return_cases').select(['id', 'status', 'country_of_return']).execute()
  t.ok(cases.every((row) => row.status === 'arrived'), 'every seeded case has arrived')
  const auditor = testApp.as('audrey', ['auditor'])
  const iraqi = cases.find((row) => row.country_of_return === 'IQ')
  const [booking] = (await auditor({ method: 'GET', url: `/v1/return-cases/${iraqi?.id}/bookings` })).json().items
  t.match(booking, { departure_airport: 'VNO', arrival_airport: 'BGW', transit_points: [{ airport: 'IST' }] })
  const iraqiTickets = (await auditor({ method: 'GET', url: `/v1/return-cases/${iraqi?.id}/tickets` })).json().items
  t.equal(iraqiTickets.length, 2, 'the couple: two tickets')
  t.ok(iraqiTickets.every((ticket: { status: string; arrival: unknown }) => ticket.status === 'used' && ticket.arrival), 'both departed and arrived')
  const georgian = cases.find((row) => row.country_of_return === 'GE')
  const [direct] = (await auditor({ method: 'GET', url: `/v1/return-cases/${georgian?.id}/bookings` })).json().items
  t.match(direct, { departure_airport: 'VNO', arrival_airport: 'TBS', transit_points: [] })

  const lines = await db.selectFrom('budget_lines').select(['id', 'category']).where('project_id', '=', projectId).execute()
  const travel = lines.find((line) => line.category === 'travel')?.id as string
  t.notOk(lines.some((line) => line.category === 'excess_baggage'), 'the project has no excess-baggage line')
  t.same(await lineState(db, travel), { committed: 0, spent: 217_500, ledgerCommitted: 0, ledgerSpent: 217_500 }, 'six fares and the construction tools\' excess baggage (routed to travel) paid from the travel line')
  const baggagePayment = await db.selectFrom('payment_requests').select(['budget_line_id', 'amount_minor']).where('kind', '=', 'excess_baggage').execute()
  t.same(baggagePayment, [{ budget_line_id: travel, amount_minor: 10_000 }], 'the excess baggage was charged to the travel line')
  const waiting = (await auditor({ method: 'GET', url: '/v1/travel-documents?attention=waiting' })).json()
  t.same(waiting.items, [], 'no emergency document is left waiting')
})
