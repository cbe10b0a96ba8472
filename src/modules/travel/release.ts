import type { Transaction } from 'kysely'
import type { DB } from '../../db/schema.js'
import { recordChange } from '../../shared/audit.js'
import type { RequestContext } from '../../shared/context.js'
import { assertVersion } from '../../shared/etag.js'
import { conflict } from '../../shared/problems.js'
import { releaseOpenCommitmentsForCase, releasesOfRequest } from '../projects/index.js'
import { cancelLivePaymentRequestsForCase, lockCaseForRelease } from '../payments/index.js'
import { abandonPlansOfCase } from '../reintegration/index.js'
import { assertCaseOpen, type ReturnCaseRow, CASE_WORKFLOW, transitionCase } from '../return-cases/index.js'
import { cancelBookingRow } from './bookings.js'
import * as repository from './repository.js'
import type { TravelOutcomeRecord } from './schemas.js'
import { endTicket } from './tickets.js'
import { money } from '../../shared/money.js'

export type CaseReleaseAction = 'cancel' | 'mark_no_show'

const LABELS: Record<CaseReleaseAction, string> = { cancel: 'cancellation', mark_no_show: 'no-show' }

/**
 * A no-show or cancellation of the whole case, in the caller's transaction (the case locked by
 * `lockCaseForRelease`): every open ticket is ended (voided when its payment was not made,
 * refunded when it was; for a no-show the issued ones are marked no-show), every live payment
 * request of the case is cancelled (tickets, excess baggage, grants: each releases what its
 * approval committed), active reintegration plans are abandoned (each releasing what it still
 * holds), every other commitment of the case still open is released back to its line, active
 * bookings are cancelled, and the case moves to `no_show` or `cancelled`. Each step is audited;
 * a summary entry lists everything released. Refused (409) once a traveller has departed: the
 * others' no-shows are then recorded ticket by ticket.
 */
export async function releaseCaseTravel(
  db: Transaction<DB>,
  context: RequestContext,
  caseRow: ReturnCaseRow,
  action: CaseReleaseAction,
  reason: string,
): Promise<TravelOutcomeRecord> {
  CASE_WORKFLOW.target(action, caseRow.status)
  const tickets = await repository.ticketsOfCase(db, caseRow.id)
  const departed = tickets.filter((ticket) => ticket.status === 'used')
  if (departed.length > 0) {
    throw conflict(
      `${departed.length} traveller(s) of case ${caseRow.reference} have departed; record the no-show of the others ticket by ticket instead of a ${LABELS[action]} of the case`,
      { departed_ticket_ids: departed.map((ticket) => ticket.id) },
    )
  }
  const voided: string[] = []
  const refunded: string[] = []
  const cancelledPayments: string[] = []
  for (const ticket of tickets) {
    if (ticket.status !== 'requested' && ticket.status !== 'issued') continue
    const ended = await endTicket(db, context, ticket, { reason, noShow: action === 'mark_no_show' && ticket.status === 'issued' })
    ;(ended.row.status === 'refunded' ? refunded : voided).push(ticket.id)
    cancelledPayments.push(...ended.cancelledPaymentRequestIds)
  }
  const others = await cancelLivePaymentRequestsForCase(db, context, caseRow.id, reason)
  cancelledPayments.push(...others.map((payment) => payment.id))
  const note = `${LABELS[action]} of case ${caseRow.reference}: ${reason}`
  // Abandoning a plan releases its open commitment itself, so the sweep below finds none left for it.
  await abandonPlansOfCase(db, context, caseRow.id, note)
  await releaseOpenCommitmentsForCase(db, context, caseRow.id, note)
  const cancelledBookings: string[] = []
  for (const booking of await repository.activeBookingsOfCase(db, caseRow.id)) {
    await cancelBookingRow(db, context, booking, reason)
    cancelledBookings.push(booking.id)
  }
  const updated = await transitionCase(db, context, caseRow, action, reason)
  const releases = await releasesOfRequest(db, caseRow.id, context.requestId)
  const outcome: TravelOutcomeRecord = {
    case_id: updated.id,
    reference: updated.reference,
    status: updated.status,
    version: updated.version,
    voided_ticket_ids: voided,
    refunded_ticket_ids: refunded,
    cancelled_payment_request_ids: cancelledPayments,
    cancelled_booking_ids: cancelledBookings,
    released: releases.map((entry) => ({
      ledger_entry_id: entry.id,
      budget_line_id: entry.budget_line_id,
      amount: money(entry.amount_minor, entry.currency),
      source: { type: entry.source_type, id: entry.source_id },
    })),
  }
  const { reference: _reference, ...summary } = outcome
  await recordChange(db, context, { action: 'return_case.travel_released', entityType: 'return_case', entityId: caseRow.id, caseId: caseRow.id, after: { ...summary, reason }, payload: { ...outcome, action } })
  return outcome
}

/** `POST /v1/return-cases/{id}:cancel`: the return will not happen. */
export async function cancelCase(db: Transaction<DB>, context: RequestContext, caseId: string, expectedVersion: number | undefined, reason: string): Promise<TravelOutcomeRecord> {
  const caseRow = await lockCaseForRelease(db, context.actor, caseId)
  assertCaseOpen(caseRow)
  assertVersion(caseRow.version, expectedVersion)
  return releaseCaseTravel(db, context, caseRow, 'cancel', reason.trim())
}

/** `POST /v1/return-cases/{id}:record-no-show`: nobody of the case came to travel. */
export async function recordCaseNoShow(
  db: Transaction<DB>,
  context: RequestContext,
  caseId: string,
  expectedVersion: number | undefined,
  reason: string | undefined,
): Promise<TravelOutcomeRecord> {
  const caseRow = await lockCaseForRelease(db, context.actor, caseId)
  assertCaseOpen(caseRow)
  assertVersion(caseRow.version, expectedVersion)
  return releaseCaseTravel(db, context, caseRow, 'mark_no_show', reason?.trim() || 'The travellers did not come for departure')
}
