import { sql } from 'kysely'
import t from 'tap'
import { commitFunds } from '../../src/modules/projects/ledger.js'
import { newId } from '../../src/shared/ids.js'
import {
  approvePayment,
  auditActions,
  caseStatus,
  createBooking,
  EUR,
  expectStatus,
  issuedTicket,
  lineState,
  openCommitmentOf,
  payPayment,
  recordPassport,
  requestTicket,
  rowCounts,
  travelFixture,
  type Json,
  type TravelFixture,
} from './fixtures.js'

const caseAction = (caseId: string, verb: string) => `/v1/return-cases/${caseId}:${verb}`

/**
 * A household of two, ready to leave: both tickets issued (the spouse's already paid), excess
 * baggage approved on the principal's ticket and requested for the spouse, a cash grant
 * approved, and a commitment made straight on the ledger for the case.
 */
async function committedCase(fixture: TravelFixture) {
  const { caseId, memberIds } = await fixture.newCase({ members: [{}, {}] })
  const [principal, spouse] = memberIds as [string, string]
  const booking = await createBooking(fixture, caseId)
  const a = await issuedTicket(fixture, caseId, booking.id, principal, 32_000)
  await recordPassport(fixture, caseId, spouse, { document_number: 'SP0000001' })
  const b = await requestTicket(fixture, caseId, booking.id, spouse, 30_000)
  await approvePayment(fixture, b.payment_request_id)
  await payPayment(fixture, b.payment_request_id)
  const baggage = await expectStatus(
    await fixture.operations({
      method: 'POST',
      url: `/v1/return-cases/${caseId}/excess-baggage`,
      payload: { ticket_id: a.id, kilograms: 20, cost: EUR(10_000), reason: 'Construction tools', payee: { type: 'carrier', name: 'Georgian Airways' } },
    }),
    201,
    'baggage',
  )
  await approvePayment(fixture, baggage.payment_request_id)
  const requestedBaggage = await expectStatus(
    await fixture.operations({
      method: 'POST',
      url: `/v1/return-cases/${caseId}/excess-baggage`,
      payload: { member_id: spouse, kilograms: 5, cost: EUR(2_500), reason: 'Sewing machine', payee: { type: 'carrier', name: 'Georgian Airways' } },
    }),
    201,
    'baggage',
  )
  const grant = await expectStatus(await fixture.counsellor({ method: 'POST', url: `/v1/return-cases/${caseId}/cash-grants`, payload: { scope: 'household' } }), 201, 'grant')
  await approvePayment(fixture, grant.payment_request_id)
  const direct = { type: 'other' as const, id: newId() }
  await fixture.db
    .transaction()
    .execute((trx) =>
      commitFunds(trx, { actor: { sub: 'fiona', roles: ['finance'], officeId: null }, requestId: 'direct' }, { budgetLineId: fixture.lines.travel, amount: EUR(5_000), source: direct, caseId }),
    )
  return { caseId, booking, a, b, baggage, requestedBaggage, grant, direct }
}

async function balances(fixture: TravelFixture) {
  return {
    travel: await lineState(fixture.db, fixture.lines.travel),
    excess_baggage: await lineState(fixture.db, fixture.lines.excess_baggage),
    cash_grant: await lineState(fixture.db, fixture.lines.cash_grant),
  }
}

t.test('a no-show releases exactly what was committed, in one transaction, all audited', async (t) => {
  const fixture = await travelFixture(t)
  const setup = await committedCase(fixture)
  const { caseId, a, b } = setup
  t.equal(await caseStatus(fixture, caseId), 'travel_booked')
  const before = await balances(fixture)
  t.same(before, {
    travel: { committed: 37_000, spent: 30_000, ledgerCommitted: 37_000, ledgerSpent: 30_000 },
    excess_baggage: { committed: 10_000, spent: 0, ledgerCommitted: 10_000, ledgerSpent: 0 },
    cash_grant: { committed: 40_000, spent: 0, ledgerCommitted: 40_000, ledgerSpent: 0 },
  })

  t.equal((await fixture.counsellor({ method: 'POST', url: caseAction(caseId, 'record-no-show') })).statusCode, 403, 'operations record a no-show')
  const outcome = await expectStatus(await fixture.operations({ method: 'POST', url: caseAction(caseId, 'record-no-show'), payload: { reason: 'Nobody came to the airport' } }), 200, 'no-show')
  const after = await balances(fixture)
  t.same(after, {
    travel: { committed: 0, spent: 30_000, ledgerCommitted: 0, ledgerSpent: 30_000 },
    excess_baggage: { committed: 0, spent: 0, ledgerCommitted: 0, ledgerSpent: 0 },
    cash_grant: { committed: 0, spent: 0, ledgerCommitted: 0, ledgerSpent: 0 },
  }, 'every commitment is back on its line; what was paid stays spent')

  const releasedOn = (lineId: string) =>
    (outcome.released as Array<{ budget_line_id: string; amount: { amount_minor: number } }>)
      .filter((entry) => entry.budget_line_id === lineId)
      .reduce((sum, entry) => sum + entry.amount.amount_minor, 0)
  for (const line of ['travel', 'excess_baggage', 'cash_grant'] as const) {
    t.equal(releasedOn(fixture.lines[line]), before[line].committed - after[line].committed, `released on ${line} exactly what was committed`)
  }
  t.match(outcome, {
    case_id: caseId,
    status: 'no_show',
    voided_ticket_ids: [a.id],
    refunded_ticket_ids: [b.id],
    cancelled_booking_ids: [setup.booking.id],
  })
  t.same(
    [...outcome.cancelled_payment_request_ids].sort(),
    [a.payment_request_id, setup.baggage.payment_request_id, setup.requestedBaggage.payment_request_id, setup.grant.payment_request_id].sort(),
    'every live payment request is cancelled; the paid one stays paid',
  )
  t.same(
    (outcome.released as Array<{ source: { id: string } }>).map((entry) => entry.source.id).sort(),
    [a.id, setup.baggage.id, setup.grant.id, setup.direct.id].sort(),
    'the released sources: the ticket, the baggage, the grant and the direct commitment',
  )

  const ticketsNow = await fixture.db.selectFrom('tickets').select(['id', 'status', 'no_show_recorded_by']).where('case_id', '=', caseId).orderBy('id').execute()
  t.same(ticketsNow, [
    { id: a.id, status: 'voided', no_show_recorded_by: 'olga' },
    { id: b.id, status: 'refunded', no_show_recorded_by: 'olga' },
  ])
  const baggageNow = await fixture.db.selectFrom('excess_baggage').select('status').where('case_id', '=', caseId).orderBy('id').execute()
  t.same(baggageNow.map((row) => row.status), ['cancelled', 'cancelled'])
  t.equal(await caseStatus(fixture, caseId), 'no_show')
  t.same(await auditActions(fixture.db, a.id), ['ticket.requested', 'ticket.issued', 'ticket.no_show'])
  const caseAudit = await auditActions(fixture.db, caseId)
  t.ok(caseAudit.includes('return_case.no_show') && caseAudit.includes('return_case.travel_released'), 'the transition and the summary of the release are audited')
  const requestIds = await fixture.db.selectFrom('audit_events').select('request_id').distinct().where('case_id', '=', caseId).where('occurred_at', '>=', sql<Date>`now() - interval '1 hour'`).where('action', 'in', ['ticket.no_show', 'payment_request.cancelled', 'booking.cancelled', 'return_case.no_show', 'return_case.travel_released', 'excess_baggage.cancelled', 'cash_grant.cancelled']).execute()
  t.equal(requestIds.length, 1, 'all written by one request')

  const again = await fixture.operations({ method: 'POST', url: caseAction(caseId, 'record-no-show') })
  t.match(again.json(), { status: 409, type: '/problems/invalid-transition', current_status: 'no_show' })
})

t.test('the release is all or nothing: a failure at the last step leaves every ticket, payment and balance as it was', async (t) => {
  const fixture = await travelFixture(t)
  const { caseId } = await committedCase(fixture)
  const before = await rowCounts(fixture.db)
  const balancesBefore = await balances(fixture)
  await sql`create function refuse_history() returns trigger language plpgsql as $$ begin raise exception 'history unavailable'; end $$`.execute(fixture.db)
  await sql`create trigger refuse_history before insert on case_status_history for each row execute function refuse_history()`.execute(fixture.db)
  const failed = await fixture.operations({ method: 'POST', url: caseAction(caseId, 'cancel'), payload: { reason: 'Changed mind' } })
  t.equal(failed.statusCode, 500)
  t.same(await rowCounts(fixture.db), before, 'nothing of the release was kept')
  t.same(await balances(fixture), balancesBefore)
  t.equal(await caseStatus(fixture, caseId), 'travel_booked')
  await sql`drop trigger refuse_history on case_status_history`.execute(fixture.db)
  await expectStatus(await fixture.operations({ method: 'POST', url: caseAction(caseId, 'cancel'), payload: { reason: 'Changed mind' } }), 200, 'cancel after repair')
})

t.test('a cancellation releases what was committed; it needs a reason and is refused once someone has left', async (t) => {
  const fixture = await travelFixture(t)
  const { caseId, memberIds } = await fixture.newCase()
  const booking = await createBooking(fixture, caseId)
  const ticket = await issuedTicket(fixture, caseId, booking.id, memberIds[0] as string, 32_000)
  t.equal((await fixture.operations({ method: 'POST', url: caseAction(caseId, 'cancel'), payload: {} })).statusCode, 400, 'a reason is required')
  t.equal((await fixture.tbilisi({ method: 'POST', url: caseAction(caseId, 'cancel'), payload: { reason: 'x' } })).statusCode, 403, 'partners do not cancel')
  t.equal((await fixture.operations({ method: 'POST', url: caseAction(caseId, 'cancel'), headers: { 'if-match': '"99"' }, payload: { reason: 'x' } })).statusCode, 412)
  const cancelled = await expectStatus(await fixture.counsellor({ method: 'POST', url: caseAction(caseId, 'cancel'), payload: { reason: 'The migrant obtained a residence permit' } }), 200, 'cancel')
  t.match(cancelled, { status: 'cancelled', voided_ticket_ids: [ticket.id], released: [{ source: { type: 'ticket', id: ticket.id }, amount: EUR(32_000) }] })
  t.equal(await openCommitmentOf(fixture.db, ticket.id), 0)
  const ticketNow = await expectStatus(await fixture.operations({ method: 'GET', url: `/v1/return-cases/${caseId}/tickets/${ticket.id}` }), 200, 'ticket')
  t.match(ticketNow, { status: 'voided', no_show: null, ended: { reason: 'The migrant obtained a residence permit' } })
  const history = await fixture.db.selectFrom('case_status_history').select(['action', 'reason']).where('case_id', '=', caseId).orderBy('id', 'desc').executeTakeFirstOrThrow()
  t.same(history, { action: 'cancel', reason: 'The migrant obtained a residence permit' })

  const departed = await fixture.newCase()
  const departedBooking = await createBooking(fixture, departed.caseId)
  const left = await issuedTicket(fixture, departed.caseId, departedBooking.id, departed.memberIds[0] as string)
  await expectStatus(
    await fixture.operations({ method: 'POST', url: `/v1/return-cases/${departed.caseId}/tickets/${left.id}:confirm-departure`, payload: { departed_at: new Date(Date.now() - 60_000).toISOString() } }),
    200,
    'depart',
  )
  const late = await fixture.operations({ method: 'POST', url: caseAction(departed.caseId, 'cancel'), payload: { reason: 'x' } })
  t.equal(late.statusCode, 409)
  t.match(late.json(), { type: '/problems/invalid-transition', current_status: 'departed' })

  const early = await fixture.newCase({ status: 'in_counselling' })
  const notYet = await fixture.operations({ method: 'POST', url: caseAction(early.caseId, 'cancel'), payload: { reason: 'x' } })
  t.match(notYet.json(), { status: 409, type: '/problems/invalid-transition', current_status: 'in_counselling', allowed_from: ['approved', 'travel_booked'] })
  t.equal((await fixture.operations({ method: 'POST', url: caseAction('01900000-0000-7000-8000-000000000000', 'cancel'), payload: { reason: 'x' } })).statusCode, 404)
})

t.test('a case with a departed traveller cannot be a no-show as a whole', async (t) => {
  const fixture = await travelFixture(t)
  const { caseId, memberIds } = await fixture.newCase({ members: [{}, {}] })
  const booking = await createBooking(fixture, caseId)
  const a = await issuedTicket(fixture, caseId, booking.id, memberIds[0] as string)
  const b = await issuedTicket(fixture, caseId, booking.id, memberIds[1] as string)
  await expectStatus(
    await fixture.operations({ method: 'POST', url: `/v1/return-cases/${caseId}/tickets/${a.id}:confirm-departure`, payload: { departed_at: new Date(Date.now() - 60_000).toISOString() } }),
    200,
    'depart',
  )
  const before = await rowCounts(fixture.db)
  const refused = await fixture.operations({ method: 'POST', url: caseAction(caseId, 'record-no-show') })
  t.equal(refused.statusCode, 409)
  t.match(refused.json(), { type: '/problems/conflict', departed_ticket_ids: [a.id] })
  t.same(await rowCounts(fixture.db), before)
  t.ok(b)
})

/** An approved reintegration plan for the case (request recorded, assessed and approved by three different people). */
async function approvedPlan(fixture: TravelFixture, caseId: string, budgetMinor: number): Promise<Json> {
  const requests = `/v1/return-cases/${caseId}/reintegration-requests`
  const request = await expectStatus(
    await fixture.counsellor({
      method: 'POST',
      url: requests,
      payload: {
        scope: 'household',
        planned_activity: 'Building and renovation work in Kutaisi with my own tools.',
        form_of_help: 'small_business',
        skills_and_experience: 'Eight years as a builder and tiler.',
        motivation_statement: 'With my own tools I can take contracts myself.',
        items: [{ description: 'Concrete mixer 180 l', quantity: 1, unit_price: EUR(budgetMinor) }],
      },
    }),
    201,
    'reintegration request',
  )
  const assessment = { feasibility: { score: 4, justification: 'Specific and costed.' }, motivation: { score: 4, justification: 'Concrete steps taken.' } }
  await expectStatus(await fixture.as('cody', ['counsellor'])({ method: 'POST', url: `${requests}/${request.id}:assess`, payload: assessment }), 200, 'assess')
  const approved = await expectStatus(await fixture.approver({ method: 'POST', url: `${requests}/${request.id}:approve`, payload: { budget: EUR(budgetMinor) } }), 200, 'approve request')
  return expectStatus(await fixture.operations({ method: 'GET', url: `/v1/return-cases/${caseId}/reintegration-plans/${approved.plan_id}` }), 200, 'plan')
}

t.test('a cancellation or a no-show abandons the approved reintegration plan, releasing its commitment once', async (t) => {
  const fixture = await travelFixture(t, { in_kind_reintegration: 500_000 })
  const inKindLine = (fixture.lines as Record<string, string>).in_kind_reintegration as string
  const releasesOf = (planId: string) => fixture.db.selectFrom('ledger_entries').select('amount_minor').where('source_id', '=', planId).where('kind', '=', 'release').execute()

  const { caseId, memberIds } = await fixture.newCase()
  const booking = await createBooking(fixture, caseId)
  const ticket = await issuedTicket(fixture, caseId, booking.id, memberIds[0] as string, 32_000)
  const plan = await approvedPlan(fixture, caseId, 185_000)
  t.match(plan, { status: 'active' })
  t.same(await lineState(fixture.db, inKindLine), { committed: 185_000, spent: 0, ledgerCommitted: 185_000, ledgerSpent: 0 })

  const cancelled = await expectStatus(await fixture.counsellor({ method: 'POST', url: caseAction(caseId, 'cancel'), payload: { reason: 'The migrant obtained a residence permit' } }), 200, 'cancel')
  t.same(await lineState(fixture.db, inKindLine), { committed: 0, spent: 0, ledgerCommitted: 0, ledgerSpent: 0 }, 'the in-kind line is back to what it held before the plan')
  t.same((await releasesOf(plan.id)).map((row) => Number(row.amount_minor)), [185_000], 'the plan\'s commitment is released once')
  t.same(
    (cancelled.released as Array<{ source: { id: string }; amount: { amount_minor: number } }>).map((entry) => [entry.source.id, entry.amount.amount_minor]).sort(),
    [[plan.id, 185_000], [ticket.id, 32_000]].sort(),
    'the outcome lists the plan\'s release with the ticket\'s',
  )
  const planNow = await expectStatus(await fixture.operations({ method: 'GET', url: `/v1/return-cases/${caseId}/reintegration-plans/${plan.id}` }), 200, 'plan')
  t.match(planNow, { status: 'abandoned', released: EUR(185_000) })
  t.ok((await auditActions(fixture.db, plan.id)).includes('reintegration_plan.abandoned'), 'the abandonment is audited')

  // Every traveller a no-show, ticket by ticket: the case becomes a no-show and the plan ends the same way.
  const other = await fixture.newCase()
  const otherBooking = await createBooking(fixture, other.caseId)
  const otherTicket = await issuedTicket(fixture, other.caseId, otherBooking.id, other.memberIds[0] as string, 30_000)
  const otherPlan = await approvedPlan(fixture, other.caseId, 120_000)
  t.equal(await caseStatus(fixture, other.caseId), 'travel_booked')
  await expectStatus(await fixture.operations({ method: 'POST', url: `/v1/return-cases/${other.caseId}/tickets/${otherTicket.id}:record-no-show`, payload: {} }), 200, 'no-show')
  t.equal(await caseStatus(fixture, other.caseId), 'no_show')
  const otherPlanRow = await fixture.db.selectFrom('reintegration_plans').select(['status', 'released_minor']).where('id', '=', otherPlan.id).executeTakeFirstOrThrow()
  t.same({ status: otherPlanRow.status, released: Number(otherPlanRow.released_minor) }, { status: 'abandoned', released: 120_000 })
  t.same((await releasesOf(otherPlan.id)).map((row) => Number(row.amount_minor)), [120_000], 'released once')
  t.same(await lineState(fixture.db, inKindLine), { committed: 0, spent: 0, ledgerCommitted: 0, ledgerSpent: 0 }, 'the line equals its ledger')
})

t.test('a cancellation racing a ticket issue: never a committed ticket on a cancelled case, and the lines equal the ledger', async (t) => {
  const fixture = await travelFixture(t)
  const rounds = 20
  const outcomes: string[] = []
  for (let round = 0; round < rounds; round += 1) {
    const { caseId, memberIds } = await fixture.newCase()
    const booking = await createBooking(fixture, caseId)
    await recordPassport(fixture, caseId, memberIds[0] as string, { document_number: `RACE${String(round).padStart(5, '0')}` })
    const ticket = await requestTicket(fixture, caseId, booking.id, memberIds[0] as string, 30_000 + round)
    // Alternate which request starts first, and stagger the other by a few milliseconds, so both orders (and overlaps) occur.
    const approve = () => fixture.approver({ method: 'POST', url: `/v1/payment-requests/${ticket.payment_request_id}:approve` })
    const cancel = () => fixture.operations({ method: 'POST', url: caseAction(caseId, 'cancel'), payload: { reason: `Round ${round}` } })
    const later = <T>(start: () => Promise<T>) => new Promise<T>((resolve, reject) => setTimeout(() => start().then(resolve, reject), round % 3))
    const [approval, cancellation] = round % 2 === 0 ? await Promise.all([approve(), later(cancel)]) : await Promise.all([later(approve), cancel()])
    t.equal(cancellation.statusCode, 200, `round ${round}: the cancellation succeeds (${cancellation.body.slice(0, 120)})`)
    t.ok([200, 409].includes(approval.statusCode), `round ${round}: the approval either came first or found the payment cancelled (${approval.statusCode})`)
    outcomes.push(approval.statusCode === 200 ? 'approved first' : 'cancelled first')
    const state = await fixture.db
      .selectFrom('tickets as t')
      .innerJoin('payment_requests as p', 'p.id', 't.payment_request_id')
      .innerJoin('return_cases as c', 'c.id', 't.case_id')
      .select(['t.status as ticket', 'p.status as payment', 'c.status as case'])
      .where('t.id', '=', ticket.id)
      .executeTakeFirstOrThrow()
    t.same(state, { ticket: 'voided', payment: 'cancelled', case: 'cancelled' }, `round ${round}: the cancelled case holds no issued ticket`)
    t.equal(await openCommitmentOf(fixture.db, ticket.id), 0, `round ${round}: nothing stays committed for the ticket`)
  }
  const line = await lineState(fixture.db, fixture.lines.travel)
  t.same(line, { committed: 0, spent: 0, ledgerCommitted: 0, ledgerSpent: 0 }, 'the line equals its ledger and holds nothing')
  const committedTickets = await fixture.db
    .selectFrom('tickets as t')
    .innerJoin('return_cases as c', 'c.id', 't.case_id')
    .select('t.id')
    .where('c.status', '=', 'cancelled')
    .where('t.status', 'in', ['issued', 'used'])
    .execute()
  t.same(committedTickets, [], 'no cancelled case has an issued ticket')
  t.comment(`orders seen: ${JSON.stringify(outcomes.reduce<Record<string, number>>((counts, outcome) => ({ ...counts, [outcome]: (counts[outcome] ?? 0) + 1 }), {}))}`)
})
