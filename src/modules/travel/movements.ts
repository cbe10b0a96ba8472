import type { Transaction } from 'kysely'
import type { DB } from '../../db/schema.js'
import type { RequestContext } from '../../shared/context.js'
import { ProblemError, conflict, unprocessable } from '../../shared/problems.js'
import { lockCaseForRelease } from '../payments/index.js'
import { openContactDeadline } from '../reintegration/index.js'
import { assertCaseOpen, findCaseForActor, type ReturnCaseRow, transitionCase } from '../return-cases/index.js'
import { releaseCaseTravel } from './release.js'
import * as repository from './repository.js'
import type { TicketRecord } from './schemas.js'
import { endTicket, lockTicket, recordTicketChange, ticketWorkflow } from './tickets.js'

/** Clocks differ a little; a time further ahead than this is a mistake. */
const CLOCK_TOLERANCE_MS = 5 * 60_000

function assertNotFuture(at: Date, pointer: string): void {
  if (at.getTime() > Date.now() + CLOCK_TOLERANCE_MS) throw unprocessable(`${at.toISOString()} is in the future`, [{ pointer, detail: 'must not be in the future' }])
}

function assertCaseIn(caseRow: ReturnCaseRow, status: ReturnCaseRow['status'], what: string): void {
  assertCaseOpen(caseRow)
  if (caseRow.status !== status) {
    throw conflict(`${what}; case ${caseRow.reference} is ${caseRow.status}`, { current_status: caseRow.status, allowed_case_statuses: [status] })
  }
}

/**
 * The case has departed when every ticketed traveller has either left or been recorded as a
 * no-show (no ticket is still requested or issued) and at least one left.
 */
async function advanceAfterDepartures(db: Transaction<DB>, context: RequestContext, caseRow: ReturnCaseRow, departedAt: Date): Promise<void> {
  const counts = await repository.ticketStatusCounts(db, caseRow.id)
  if (counts.requested + counts.issued === 0 && counts.used > 0) {
    await transitionCase(db, context, caseRow, 'mark_departed', 'Every ticketed traveller has left or did not board', { occurredAt: departedAt })
  }
}

/** The country office confirms that a ticketed traveller left (`issued` → `used`), with the time. */
export async function confirmDeparture(
  db: Transaction<DB>,
  context: RequestContext,
  caseId: string,
  ticketId: string,
  expectedVersion: number | undefined,
  departedAtInput: string,
): Promise<TicketRecord> {
  const caseRow = await findCaseForActor(db, context.actor, caseId, { forUpdate: true })
  assertCaseIn(caseRow, 'travel_booked', 'Departure is confirmed once every traveller holds an issued ticket (travel_booked)')
  const ticket = await lockTicket(db, caseRow, ticketId, expectedVersion)
  ticketWorkflow.target('confirm_departure', ticket.status)
  const departedAt = new Date(departedAtInput)
  assertNotFuture(departedAt, '/body/departed_at')
  const now = new Date()
  const updated = await repository.updateTicket(db, ticket.id, {
    status: 'used',
    departed_at: departedAt,
    departure_recorded_by: context.actor.sub,
    departure_recorded_at: now,
  })
  await recordTicketChange(db, context, 'departed', ticket, updated)
  await advanceAfterDepartures(db, context, caseRow, departedAt)
  return repository.presentTicket(db, ticket.id)
}

/**
 * A ticketed traveller did not board: the ticket is ended (voided, or refunded when paid) with
 * its unspent commitment and the traveller's live baggage charges released. If that settles
 * every ticket, the case departs (someone left) or becomes a no-show (nobody did).
 */
export async function recordTicketNoShow(
  db: Transaction<DB>,
  context: RequestContext,
  caseId: string,
  ticketId: string,
  expectedVersion: number | undefined,
  reason: string | undefined,
): Promise<TicketRecord> {
  const caseRow = await lockCaseForRelease(db, context.actor, caseId)
  assertCaseIn(caseRow, 'travel_booked', 'A no-show is recorded at departure, once every traveller holds an issued ticket (travel_booked)')
  const ticket = await lockTicket(db, caseRow, ticketId, expectedVersion)
  ticketWorkflow.target('record_no_show', ticket.status)
  const why = reason?.trim() || 'Did not board'
  await endTicket(db, context, ticket, { reason: why, noShow: true })
  const counts = await repository.ticketStatusCounts(db, caseRow.id)
  if (counts.requested + counts.issued === 0) {
    if (counts.used > 0) await transitionCase(db, context, caseRow, 'mark_departed', 'Every ticketed traveller has left or did not board')
    else await releaseCaseTravel(db, context, caseRow, 'mark_no_show', why)
  }
  return repository.presentTicket(db, ticket.id)
}

/**
 * The partner office the case is referred to confirms that a departed traveller arrived; when
 * every departed traveller has arrived the case moves to `arrived` and its contact deadline opens
 * (reintegration: the returnee must get in touch within the project's contact period). A partner-only caller
 * reaches only its own cases (404 for others); a caller who is also staff but acts for another
 * office is refused (403).
 */
export async function confirmArrival(
  db: Transaction<DB>,
  context: RequestContext,
  caseId: string,
  ticketId: string,
  expectedVersion: number | undefined,
  arrivedAtInput: string,
): Promise<TicketRecord> {
  const caseRow = await findCaseForActor(db, context.actor, caseId, { forUpdate: true })
  if (caseRow.partner_office_id === null || caseRow.partner_office_id !== context.actor.officeId) {
    throw new ProblemError('forbidden', `Arrival is confirmed by the partner office case ${caseRow.reference} is referred to`, { required_roles: ['partner'] })
  }
  assertCaseIn(caseRow, 'departed', 'Arrival is confirmed once the case has departed')
  const ticket = await lockTicket(db, caseRow, ticketId, expectedVersion)
  if (ticket.status !== 'used' || ticket.arrived_at !== null) {
    throw new ProblemError('invalid-transition', `Cannot confirm the arrival of a ticket that is ${ticket.arrived_at !== null ? 'already arrived' : ticket.status}`, {
      current_status: ticket.status,
      action: 'confirm_arrival',
      allowed_from: ['used'],
    })
  }
  const arrivedAt = new Date(arrivedAtInput)
  assertNotFuture(arrivedAt, '/body/arrived_at')
  if (ticket.departed_at !== null && arrivedAt.getTime() < ticket.departed_at.getTime()) {
    const detail = `must not be before the departure (${ticket.departed_at.toISOString()})`
    throw unprocessable(`The arrival time ${detail}`, [{ pointer: '/body/arrived_at', detail }])
  }
  const updated = await repository.updateTicket(db, ticket.id, { arrived_at: arrivedAt, arrival_recorded_by: context.actor.sub, arrival_recorded_at: new Date() })
  await recordTicketChange(db, context, 'arrived', ticket, updated)
  const counts = await repository.ticketStatusCounts(db, caseRow.id)
  if (counts.used > 0 && counts.arrived === counts.used) {
    const arrived = await transitionCase(db, context, caseRow, 'mark_arrived', 'Every departed traveller has arrived', { occurredAt: arrivedAt })
    // The day at the place of arrival, as the partner office wrote it (RFC 3339 starts with the local date).
    await openContactDeadline(db, context, arrived, arrivedAtInput.slice(0, 10))
  }
  return repository.presentTicket(db, ticket.id)
}
