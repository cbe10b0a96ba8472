import t from 'tap'
import { sql } from 'kysely'
import { addCalendarPeriod } from '../../src/shared/dates.js'
import { freshDatabase } from '../helpers/database.js'
import { createBooking, expectStatus as travelStatus, issuedTicket, travelFixture } from '../travel/fixtures.js'
import {
  EUR,
  approve,
  approvedCase,
  assess,
  count,
  disbursementBody,
  disbursementsUrl,
  expectStatus,
  isoDate,
  lineBalance,
  markArrived,
  planFixture,
  planUrl,
  person,
  reintegrationFixture,
  registerSupplier,
  requestUrl,
  snapshotCounts,
  submitRequest,
  type Fixture,
} from './helpers.js'

/** An approved case of two returnees: one's request approved (a plan of 185,000 committed), the other's assessed. */
async function twoRequestCase(f: Fixture): Promise<{ caseId: string; planId: string; secondRequestId: string }> {
  const caseRecord = await approvedCase(f, { members: [person(), person({ relationship: 'spouse_partner', given_name: 'Nino', sex: 'female', date_of_birth: '1981-07-02' })] })
  const [first, second] = (caseRecord.members as Array<{ id: string }>).map((member) => member.id)
  const firstRequest = await submitRequest(f, caseRecord.id, { scope: 'returnee', member_id: first })
  await assess(f, caseRecord.id, firstRequest.id, { feasibility: 4, motivation: 4 })
  const approved = await approve(f, caseRecord.id, firstRequest.id, 185_000)
  const secondRequest = await submitRequest(f, caseRecord.id, { scope: 'returnee', member_id: second })
  await assess(f, caseRecord.id, secondRequest.id, { feasibility: 3, motivation: 3 })
  return { caseId: caseRecord.id, planId: approved.plan_id, secondRequestId: secondRequest.id }
}

const deadlineUrl = (caseId: string, verb?: string) => `/v1/return-cases/${caseId}/contact-deadline${verb ? `:${verb}` : ''}`

t.test('the due day: the arrival day plus calendar months (a month end lands on the shorter month\'s last day), then days, as PostgreSQL counts', async (t) => {
  const month = { months: 1, days: 0 }
  t.equal(addCalendarPeriod('2026-01-31', month), '2026-02-28', '31 January + 1 month = 28 February')
  t.equal(addCalendarPeriod('2028-01-31', month), '2028-02-29', 'in a leap year, 29 February')
  t.equal(addCalendarPeriod('2026-03-31', month), '2026-04-30', '31 March + 1 month = 30 April')
  t.equal(addCalendarPeriod('2026-12-31', month), '2027-01-31', 'across the year end')
  t.equal(addCalendarPeriod('2026-02-28', month), '2026-03-28', 'a day every month has stays that day')
  t.equal(addCalendarPeriod('2026-01-31', { months: 1, days: 5 }), '2026-03-05', 'months first, then days')
  t.equal(addCalendarPeriod('2026-01-31', { months: 0, days: 30 }), '2026-03-02', 'days only')
  t.equal(addCalendarPeriod('2026-08-31', { months: 6, days: 0 }), '2027-02-28')

  const database = await freshDatabase(t)
  const starts = Array.from({ length: 800 }, (_, index) => new Date(Date.UTC(2027, 0, 1 + index)).toISOString().slice(0, 10))
  const periods = [
    { months: 1, days: 0 },
    { months: 2, days: 3 },
    { months: 13, days: 0 },
  ]
  for (const period of periods) {
    const { rows } = await sql<{ start: string; due: string }>`
      select d::date::text as start, (d::date + make_interval(months => ${period.months}::int) + make_interval(days => ${period.days}::int))::date::text as due
        from unnest(${starts}::date[]) as d`.execute(database.db)
    const mismatches = rows.filter((row) => addCalendarPeriod(row.start, period) !== row.due)
    t.same(mismatches, [], `${period.months} month(s) ${period.days} day(s): the same due day as PostgreSQL for 800 start days`)
  }
})

async function setContactPeriod(f: Fixture, period: { months: number; days: number }) {
  const current = await f.finance({ method: 'GET', url: `/v1/projects/${f.projectId}` })
  return f.finance({ method: 'PATCH', url: `/v1/projects/${f.projectId}`, headers: { 'if-match': current.headers.etag as string }, payload: { contact_period: period } })
}

t.test('the project\'s contact period: one calendar month by default, configurable, never zero', async (t) => {
  const f = await reintegrationFixture(t)
  const project = await expectStatus(await f.finance({ method: 'GET', url: `/v1/projects/${f.projectId}` }), 200, 'project')
  t.same(project.contact_period, { months: 1, days: 0 }, 'one calendar month unless the project says otherwise')
  const zero = await setContactPeriod(f, { months: 0, days: 0 })
  t.equal(zero.statusCode, 400)
  t.match(zero.json(), { type: '/problems/validation-error', errors: [{ pointer: '/body/contact_period' }] })
  await expectStatus(await setContactPeriod(f, { months: 0, days: 45 }), 200, 'set 45 days')

  const { caseId } = await planFixture(f)
  await markArrived(f, caseId, 'arrived', { contact: false, arrivedOn: '2026-01-31' })
  const deadline = await expectStatus(await f.auditor({ method: 'GET', url: deadlineUrl(caseId) }), 200, 'deadline')
  t.match(deadline, { arrived_on: '2026-01-31', contact_period: { months: 0, days: 45 }, contact_due_on: '2026-03-17', status: 'awaiting_contact', overdue: true })
  await expectStatus(await setContactPeriod(f, { months: 2, days: 0 }), 200, 'change the period')
  const kept = await expectStatus(await f.auditor({ method: 'GET', url: deadlineUrl(caseId) }), 200, 'deadline')
  t.equal(kept.contact_due_on, '2026-03-17', 'a case keeps the period in force on its arrival day')
})

t.test('before the first contact no supplier is paid (409 contact-not-recorded); the referred partner office records it once', async (t) => {
  const f = await reintegrationFixture(t)
  const { caseId, planId } = await planFixture(f)
  const notArrived = await f.partnerTbilisi({ method: 'POST', url: deadlineUrl(caseId, 'record-contact'), payload: { contacted_on: isoDate(0), channel: 'phone' } })
  t.equal(notArrived.statusCode, 409, 'no deadline before arrival')
  t.equal((await f.auditor({ method: 'GET', url: deadlineUrl(caseId) })).statusCode, 404)

  await markArrived(f, caseId, 'arrived', { contact: false, arrivedOn: isoDate(-3) })
  const supplier = await registerSupplier(f.partnerTbilisi)
  const before = await snapshotCounts(f)
  const refused = await f.counsellor({ method: 'POST', url: disbursementsUrl(caseId, planId), payload: disbursementBody(supplier.id) })
  t.equal(refused.statusCode, 409)
  t.match(refused.json(), { type: '/problems/contact-not-recorded', contact_status: 'awaiting_contact', case_id: caseId })
  t.same(await snapshotCounts(f), before, 'a refused disbursement writes nothing')

  const record = (caller = f.partnerTbilisi, payload: Record<string, unknown> = { contacted_on: isoDate(-1), channel: 'phone' }) =>
    caller({ method: 'POST', url: deadlineUrl(caseId, 'record-contact'), payload })
  const beforeArrival = await record(f.partnerTbilisi, { contacted_on: isoDate(-4), channel: 'phone' })
  t.equal(beforeArrival.statusCode, 400)
  t.match(beforeArrival.json(), { errors: [{ pointer: '/body/contacted_on' }] })
  const future = await record(f.partnerTbilisi, { contacted_on: isoDate(3), channel: 'phone' })
  t.equal(future.statusCode, 400, 'not in the future')
  t.equal((await record(f.partnerBaghdad)).statusCode, 404, 'another partner office does not see the case')
  t.equal((await record(f.as('mixed', ['partner', 'counsellor'], f.offices.baghdad))).statusCode, 403, 'a staff member of another office cannot record it')
  t.equal((await record(f.counsellor)).statusCode, 403, 'the country office does not record it')
  t.same(await snapshotCounts(f), before, 'refused records write nothing')

  const recorded = await record()
  t.equal(recorded.statusCode, 200)
  t.match(recorded.json(), { status: 'contacted', first_contact: { contacted_on: isoDate(-1), channel: 'phone', late: false, recorded_by: 'pat' } })
  const audits = await count(f, 'audit_events')
  const events = await count(f, 'outbox_events')
  const repeated = await record()
  t.equal(repeated.statusCode, 200, 'the same contact again is answered as it is')
  t.equal(repeated.json().version, recorded.json().version)
  t.same([await count(f, 'audit_events'), await count(f, 'outbox_events')], [audits, events], 'a repeat writes nothing')
  const other = await record(f.partnerTbilisi, { contacted_on: isoDate(0), channel: 'email' })
  t.equal(other.statusCode, 409, 'another contact once one is recorded')
  const event = await f.db.selectFrom('outbox_events').select(['payload']).where('event_type', '=', 'contact_deadline.contact_recorded').executeTakeFirstOrThrow()
  t.match(event.payload, { case_id: caseId, partner_office_id: f.offices.tbilisi, contacted_on: isoDate(-1), contact_channel: 'phone' })

  const paid = await f.counsellor({ method: 'POST', url: disbursementsUrl(caseId, planId), payload: disbursementBody(supplier.id) })
  t.equal(paid.statusCode, 201, 'after the first contact the supplier is paid')
})

t.test('a lapse: only past the due day without contact, releases the reintegration commitments once, and nothing is paid or approved after it', async (t) => {
  const f = await reintegrationFixture(t)
  const { caseId, planId, secondRequestId } = await twoRequestCase(f)
  t.equal((await lineBalance(f)).committed, 185_000)
  const lapse = (key?: string, caller = f.approver) =>
    caller({ method: 'POST', url: deadlineUrl(caseId, 'lapse'), headers: key ? { 'idempotency-key': key } : {}, payload: { reason: 'No contact within a month; phone unanswered.' } })

  const dueCase = (await approvedCase(f, { place_of_return: 'Batumi' })).id as string
  await markArrived(f, dueCase, 'arrived', { contact: false, arrivedOn: isoDate(-5) })
  const early = await f.approver({ method: 'POST', url: deadlineUrl(dueCase, 'lapse'), payload: { reason: 'Too early' } })
  t.equal(early.statusCode, 409, 'not before the due day has passed')
  t.match(early.json(), { type: '/problems/conflict' })

  await markArrived(f, caseId, 'arrived', { contact: false, arrivedOn: isoDate(-40) })
  t.equal((await lapse(undefined, f.counsellor)).statusCode, 403, 'only an approver lapses the assistance')
  const noReason = await f.approver({ method: 'POST', url: deadlineUrl(caseId, 'lapse'), payload: {} })
  t.equal(noReason.statusCode, 400, 'a reason is required')
  const entriesBefore = await count(f, 'ledger_entries')

  const responses = await Promise.all([lapse('lapse-1'), lapse('lapse-2'), lapse('lapse-3')])
  const ok = responses.filter((response) => response.statusCode === 200)
  t.equal(ok.length, 1, 'concurrent lapses: one succeeds')
  t.ok(responses.filter((response) => response.statusCode !== 200).every((response) => response.statusCode === 409), 'the others are 409')
  t.match(ok[0]?.json(), { status: 'lapsed', lapse: { lapsed_by: 'abe', reason: 'No contact within a month; phone unanswered.' } })
  t.equal((await lineBalance(f)).committed, 0, 'the plan\'s commitment is back on the line')
  t.equal(await count(f, 'ledger_entries'), entriesBefore + 1, 'one release entry')
  const plan = await expectStatus(await f.auditor({ method: 'GET', url: planUrl(caseId, planId) }), 200, 'plan')
  t.equal(plan.status, 'abandoned')

  const winner = responses.indexOf(ok[0] as (typeof responses)[number]) + 1
  const replay = await lapse(`lapse-${winner}`)
  t.equal(replay.statusCode, 200, 'the same Idempotency-Key replays the answer')
  t.same(replay.json(), ok[0]?.json())
  const again = await lapse('lapse-4')
  t.equal(again.statusCode, 409, 'a lapsed deadline does not lapse again')
  t.match(again.json(), { type: '/problems/invalid-transition', current_status: 'lapsed' })
  t.equal(await count(f, 'ledger_entries'), entriesBefore + 1, 'retries release nothing more')
  t.equal((await lineBalance(f)).committed, 0)

  const event = await f.db.selectFrom('outbox_events').select(['payload']).where('event_type', '=', 'contact_deadline.lapsed').execute()
  t.equal(event.length, 1, 'one lapse event')
  t.match(event[0]?.payload, { case_id: caseId, abandoned_plan_ids: [planId], released: [{ amount: EUR(185_000), source: { type: 'reintegration_plan', id: planId } }] })
  t.ok(await f.db.selectFrom('audit_events').select('id').where('action', '=', 'contact_deadline.lapsed').where('entity_id', '=', caseId).executeTakeFirst(), 'audited')

  const late = await f.partnerTbilisi({ method: 'POST', url: deadlineUrl(caseId, 'record-contact'), payload: { contacted_on: isoDate(0), channel: 'phone' } })
  t.equal(late.statusCode, 409, 'no contact is recorded after the lapse')
  const approval = await f.approver({ method: 'POST', url: requestUrl(caseId, secondRequestId, 'approve'), payload: { budget: EUR(50_000) } })
  t.equal(approval.statusCode, 409, 'no plan is approved after the lapse')
  t.equal((await lineBalance(f)).committed, 0)
})

t.test('the confirmed arrival opens the deadline: the arrival day at the place of arrival plus the project\'s period', async (t) => {
  const fixture = await travelFixture(t)
  const { caseId, memberIds } = await fixture.newCase({ members: [{}] })
  const booking = await createBooking(fixture, caseId)
  const ticket = await issuedTicket(fixture, caseId, booking.id, memberIds[0] as string)
  const ticketUrl = (action: string) => `/v1/return-cases/${caseId}/tickets/${ticket.id}:${action}`
  await travelStatus(await fixture.operations({ method: 'POST', url: ticketUrl('confirm-departure'), payload: { departed_at: new Date(Date.now() - 3_600_000).toISOString() } }), 200, 'depart')
  t.equal((await fixture.tbilisi({ method: 'GET', url: deadlineUrl(caseId) })).statusCode, 404, 'no deadline before arrival')
  // Five minutes ago in Tbilisi (UTC+4): the local day may already be tomorrow in UTC terms.
  const local = new Date(Date.now() - 5 * 60_000 + 4 * 3_600_000).toISOString().slice(0, 19)
  await travelStatus(await fixture.tbilisi({ method: 'POST', url: ticketUrl('confirm-arrival'), payload: { arrived_at: `${local}+04:00` } }), 200, 'arrive')
  const arrivedOn = local.slice(0, 10)
  const deadline = await travelStatus(await fixture.tbilisi({ method: 'GET', url: deadlineUrl(caseId) }), 200, 'deadline')
  t.match(deadline, {
    case_id: caseId,
    partner_office_id: fixture.offices.tbilisi,
    arrived_on: arrivedOn,
    contact_period: { months: 1, days: 0 },
    contact_due_on: addCalendarPeriod(arrivedOn, { months: 1, days: 0 }),
    status: 'awaiting_contact',
    first_contact: null,
    lapse: null,
  })
  t.equal((await fixture.baghdad({ method: 'GET', url: deadlineUrl(caseId) })).statusCode, 404, 'another partner office does not see it')
  const opened = await fixture.db.selectFrom('outbox_events').select(['payload']).where('event_type', '=', 'contact_deadline.opened').where('entity_id', '=', caseId).execute()
  t.equal(opened.length, 1, 'one event when the deadline opens')
  t.match(opened[0]?.payload, { case_id: caseId, partner_office_id: fixture.offices.tbilisi, contact_due_on: deadline.contact_due_on })
})
