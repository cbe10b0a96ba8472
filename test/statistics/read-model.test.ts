import { sql, type Kysely } from 'kysely'
import t, { type Test } from 'tap'
import type { DB } from '../../src/db/schema.js'
import { EVENT_CATALOGUE } from '../../src/modules/events/catalogue.js'
import { EVENTS_WITHOUT_FACTS, rebuildReturnees, returneeRows, RETURNEE_COLUMNS } from '../../src/modules/statistics/read-model.js'
import { emitEvent } from '../../src/shared/outbox.js'
import { seedOffices } from '../../src/cli/seed/offices.js'
import { partnerCountry, programmeSetup, returnHousehold } from '../../src/cli/seed/vulnerable-programme.js'
import { createBooking, expectStatus, issuedTicket, travelFixture, type TravelFixture } from '../travel/fixtures.js'

/**
 * The statistics read model (ADR 0059) is kept in the writes' transactions: after any sequence of
 * writes it holds exactly the rows a recomputation from the facts gives, so every figure is the
 * same as over the facts.
 */

type Row = Record<string, unknown>

function canonical(rows: Row[]): string[] {
  return rows
    .map((row) =>
      JSON.stringify(
        RETURNEE_COLUMNS.map((column) => {
          const value = row[column]
          return Array.isArray(value) ? [...(value as string[])].sort() : value instanceof Date ? value.toISOString() : value
        }),
      ),
    )
    .sort()
}

async function stored(db: Kysely<DB>): Promise<string[]> {
  return canonical((await sql<Row>`select * from statistics_returnees`.execute(db)).rows)
}

async function recomputed(db: Kysely<DB>): Promise<string[]> {
  return canonical((await returneeRows(db).execute(db)).rows as Row[])
}

async function sameAsRecomputed(t: Test, fixture: TravelFixture, what: string): Promise<void> {
  const expected = await recomputed(fixture.db)
  t.same(await stored(fixture.db), expected, `${what}: the read model equals a recomputation (${expected.length} rows)`)
}

const ticketUrl = (caseId: string, ticketId: string, action: string) => `/v1/return-cases/${caseId}/tickets/${ticketId}:${action}`
const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString()

t.test('after a sequence of writes through the API and the seed, the read model equals a recomputation and the figures do not change on a rebuild', async (t) => {
  const fixture = await travelFixture(t)
  const returns = async () => (await fixture.as('pat', ['protection'])({ method: 'GET', url: `/v1/statistics/returns?group_by=vulnerability` })).json()

  // A household of two: both depart (one at a time), one arrives.
  const family = await fixture.newCase({ members: [{}, {}] })
  const familyBooking = await createBooking(fixture, family.caseId)
  const a = await issuedTicket(fixture, family.caseId, familyBooking.id, family.memberIds[0] as string)
  const b = await issuedTicket(fixture, family.caseId, familyBooking.id, family.memberIds[1] as string)
  await sameAsRecomputed(t, fixture, 'tickets issued, nobody left')
  t.same(await stored(fixture.db), [], 'nobody returned yet')
  await expectStatus(await fixture.operations({ method: 'POST', url: ticketUrl(family.caseId, a.id, 'confirm-departure'), payload: { departed_at: minutesAgo(90) } }), 200, 'depart a')
  await sameAsRecomputed(t, fixture, 'one of two departed')
  await expectStatus(await fixture.operations({ method: 'POST', url: ticketUrl(family.caseId, b.id, 'confirm-departure'), payload: { departed_at: minutesAgo(88) } }), 200, 'depart b')
  await sameAsRecomputed(t, fixture, 'both departed: a household of two')
  t.same(
    (await fixture.db.selectFrom('statistics_returnees').select('travellers').where('case_id', '=', family.caseId).execute()).map((row) => row.travellers),
    [2, 2],
    'each counts the household of two',
  )
  await expectStatus(await fixture.tbilisi({ method: 'POST', url: ticketUrl(family.caseId, a.id, 'confirm-arrival'), payload: { arrived_at: minutesAgo(5) } }), 200, 'arrive a')
  await sameAsRecomputed(t, fixture, 'one arrived')

  // Vulnerabilities recorded, one restricted, and one removed.
  const principal = family.memberIds[0] as string
  const trafficking = await expectStatus(
    await fixture.as('pat', ['protection'])({ method: 'POST', url: `/v1/return-cases/${family.caseId}/members/${principal}/vulnerabilities`, payload: { code: 'victim_of_trafficking', notes: 'Referred by the police' } }),
    201,
    'record a restricted vulnerability',
  )
  const recorded = await fixture.counsellor({ method: 'POST', url: `/v1/return-cases/${family.caseId}/members/${principal}/vulnerabilities`, payload: { code: 'medical_needs' } })
  const medical = await expectStatus(recorded, 201, 'record a vulnerability')
  await sameAsRecomputed(t, fixture, 'vulnerabilities recorded')
  const row = await fixture.db.selectFrom('statistics_returnees').select(['codes', 'open_codes']).where('member_id', '=', principal).executeTakeFirstOrThrow()
  t.same([[...row.codes].sort(), [...row.open_codes].sort()], [['medical_needs', 'victim_of_trafficking'], ['medical_needs']], 'the restricted code is kept apart')
  t.equal(trafficking.code, 'victim_of_trafficking')
  await expectStatus(await fixture.counsellor({ method: 'DELETE', url: `/v1/return-cases/${family.caseId}/members/${principal}/vulnerabilities/${medical.id}`, headers: { 'if-match': recorded.headers.etag as string } }), 204, 'remove a vulnerability')
  await sameAsRecomputed(t, fixture, 'a vulnerability removed')

  // A household whose second ticket is voided: the other travels alone.
  const pair = await fixture.newCase({ members: [{}, {}] })
  const pairBooking = await createBooking(fixture, pair.caseId)
  const c = await issuedTicket(fixture, pair.caseId, pairBooking.id, pair.memberIds[0] as string)
  const d = await issuedTicket(fixture, pair.caseId, pairBooking.id, pair.memberIds[1] as string)
  await expectStatus(await fixture.operations({ method: 'POST', url: ticketUrl(pair.caseId, d.id, 'void'), payload: { reason: 'Stays after all' } }), 200, 'void d')
  await sameAsRecomputed(t, fixture, 'a ticket voided')
  await expectStatus(await fixture.operations({ method: 'POST', url: ticketUrl(pair.caseId, c.id, 'confirm-departure'), payload: { departed_at: minutesAgo(30) } }), 200, 'depart c')
  await sameAsRecomputed(t, fixture, 'the other departed alone')

  // Households returned by the seed's transactions (not the unit of work), one with its
  // reintegration plan approved and a disbursement delivered.
  const offices = await seedOffices(fixture.db)
  const setup = await programmeSetup(fixture.db)
  const person = (relationship: 'principal' | 'child', dateOfBirth: string) => ({ relationship, given_name: 'Test', family_name: `${relationship}-${dateOfBirth}`, sex: 'female' as const, date_of_birth: dateOfBirth, nationality: 'IQ', vulnerabilities: [] })
  for (const [index, reintegration] of [
    [801, true],
    [802, false],
  ] as const) {
    await fixture.db.transaction().execute((trx) =>
      returnHousehold(
        trx,
        { index, country: partnerCountry('IQ'), departsOn: '2022-05-02', members: [person('principal', '1950-01-01'), person('child', '2010-07-01')], reintegration },
        { officeId: offices.vilnius, projectId: setup.projectId, supplierId: setup.suppliers.get('IQ') as string },
      ),
    )
  }
  await sameAsRecomputed(t, fixture, 'seeded households, a delivery confirmed')
  const reached = await fixture.db.selectFrom('statistics_returnees').select(['planned', 'reached']).where('project_id', '=', setup.projectId).execute()
  t.same(
    reached.map((entry) => [entry.planned, entry.reached]).sort(),
    [
      [false, false],
      [false, false],
      [true, true],
      [true, true],
    ],
    'the household with a delivery is reached',
  )

  const before = await returns()
  const rebuilt = await rebuildReturnees(fixture.db)
  t.equal(rebuilt, (await recomputed(fixture.db)).length, 'the rebuild inserts every row')
  t.same(await returns(), before, 'the figures are the same after a rebuild from scratch')
})

t.test('a transaction refreshes the cases of its events, but not for event types declared without facts', async (t) => {
  const fixture = await travelFixture(t)
  const household = await fixture.newCase()
  const booking = await createBooking(fixture, household.caseId)
  const ticket = await issuedTicket(fixture, household.caseId, booking.id, household.memberIds[0] as string)
  await expectStatus(await fixture.operations({ method: 'POST', url: ticketUrl(household.caseId, ticket.id, 'confirm-departure'), payload: { departed_at: minutesAgo(30) } }), 200, 'depart')
  const rows = async () => (await fixture.db.selectFrom('statistics_returnees').select('member_id').where('case_id', '=', household.caseId).execute()).length
  t.equal(await rows(), 1)
  const event = (type: string) => ({ type, entityType: 'ledger_entry', entityId: household.caseId, caseId: household.caseId, payload: {} })

  for (const type of EVENTS_WITHOUT_FACTS) {
    await fixture.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('statistics_returnees').where('case_id', '=', household.caseId).execute()
      await emitEvent(trx, event(type))
    })
    t.equal(await rows(), 0, `${type} refreshes nothing`)
  }
  await fixture.db.transaction().execute((trx) => emitEvent(trx, event('ticket.departed')))
  t.equal(await rows(), 1, 'any other event of the case refreshes it')

  await fixture.db.transaction().setAccessMode('read only').execute((trx) => trx.selectFrom('statistics_returnees').select('case_id').execute())
  t.pass('a read-only transaction commits without the refresh')

  // The types are the ledger's postings, which the read model's facts never read.
  const facts = returneeRows(fixture.db).compile(fixture.db).sql
  for (const table of ['ledger_entries', 'budget_lines', 'payment_requests']) t.notOk(facts.includes(table), `the facts do not read ${table}`)
  const outboxTypes = await fixture.db.selectFrom('outbox_events').select('event_type').distinct().where('event_type', 'like', 'ledger.%').execute()
  t.ok(outboxTypes.length > 0, 'the ledger posted for the ticket')
  for (const { event_type } of outboxTypes) t.ok((EVENTS_WITHOUT_FACTS as readonly string[]).includes(event_type), `${event_type} is declared`)
  for (const type of EVENTS_WITHOUT_FACTS) t.match(type, /^ledger\./, `${type} is a ledger posting`)
  t.ok('ledger_entry' in EVENT_CATALOGUE, 'the catalogue names the ledger entries')
})
