import type { Kysely, Transaction } from 'kysely'
import type { DB, TicketStatus } from '../../db/schema.js'
import { recordChange } from '../../shared/audit.js'
import type { RequestContext } from '../../shared/context.js'
import { assertVersion } from '../../shared/etag.js'
import { newId } from '../../shared/ids.js'
import { pick } from '../../shared/objects.js'
import { ProblemError, conflict, notFound, unprocessable } from '../../shared/problems.js'
import { Workflow } from '../../shared/workflow.js'
import { LIVE_PAYMENT_STATUSES, cancelPaymentRequest, lockCaseForRelease, findPaymentRequest, requestPayment, type PaymentHooks, type PaymentRequestRow } from '../payments/index.js'
import { budgetLineForCost, creditRefund } from '../projects/index.js'
import { caseRecordReads, assertCaseOpen, hasMedicalNeeds, listCaseMembers, type CaseMemberRow, type ReturnCaseRow, transitionCase, lockCase, needsMedicalEscort } from '../return-cases/index.js'
import { assertTransitVisas, assertTravelDocument } from '../travel-documents/index.js'
import { BOOKABLE_CASE_STATUSES, caseForTravelWrite } from './bookings.js'
import * as repository from './repository.js'
import type { BookingRow, SegmentRow, TicketRow } from './repository.js'
import type { RecordCarrierRefundInput, RequestTicketInput, TicketListFilter, TicketRecord } from './schemas.js'
import { latestAcceptableDate } from '../../shared/dates.js'
import { ticketCharges, travelCover } from './ports.js'
import { money } from '../../shared/money.js'

type TicketTransition = 'issue' | 'void' | 'refund' | 'confirm_departure' | 'record_no_show'

/**
 * A ticket's life. `record_no_show` ends it as `voided` when its payment was not made and as
 * `refunded` when it was (the target below is the former; see endTicket).
 */
export const ticketWorkflow = new Workflow<TicketStatus, TicketTransition>('ticket', {
  issue: { from: ['requested'], to: 'issued' },
  void: { from: ['requested', 'issued'], to: 'voided' },
  refund: { from: ['issued'], to: 'refunded' },
  confirm_departure: { from: ['issued'], to: 'used' },
  record_no_show: { from: ['issued'], to: 'voided' },
})

function ticketPayload(row: TicketRow): Record<string, unknown> {
  return {
    ...pick(row, ['id', 'case_id', 'booking_id', 'member_id', 'status', 'payment_request_id', 'travel_document_id', 'version']),
    fare: money(row.fare_minor, row.currency),
    issued_at: row.issued_at?.toISOString() ?? null,
    departed_at: row.departed_at?.toISOString() ?? null,
    arrived_at: row.arrived_at?.toISOString() ?? null,
    no_show: row.no_show_recorded_at !== null,
    carrier_refund: row.carrier_refund_minor === null ? null : { amount: money(Number(row.carrier_refund_minor), row.currency), refunded_on: row.carrier_refunded_on },
  }
}

export async function recordTicketChange(db: Transaction<DB>, context: RequestContext, action: string, before: TicketRow | null, after: TicketRow): Promise<void> {
  await recordChange(db, context, { action: `ticket.${action}`, entityType: 'ticket', entityId: after.id, caseId: after.case_id, before, after, payload: ticketPayload(after) })
}

export async function lockTicket(db: Transaction<DB>, caseRow: ReturnCaseRow, ticketId: string, expectedVersion: number | undefined): Promise<TicketRow> {
  const ticket = await repository.findTicket(db, caseRow.id, ticketId, { forUpdate: true })
  if (!ticket) throw notFound('Ticket', ticketId)
  assertVersion(ticket.version, expectedVersion)
  return ticket
}

/** An open case's ticket, locked with what releasing or crediting its money touches (see lockCaseForRelease). */
async function lockTicketForRelease(
  db: Transaction<DB>,
  context: RequestContext,
  caseId: string,
  ticketId: string,
  expectedVersion: number | undefined,
): Promise<{ caseRow: ReturnCaseRow; ticket: TicketRow }> {
  const caseRow = await lockCaseForRelease(db, context.actor, caseId)
  assertCaseOpen(caseRow)
  return { caseRow, ticket: await lockTicket(db, caseRow, ticketId, expectedVersion) }
}

function travellerName(member: Pick<CaseMemberRow, 'given_name' | 'family_name'>): string {
  return `${member.given_name} ${member.family_name}`
}

/** A traveller whose medical needs call for an escort is ticketed only on a booking that has a medical escort for them. */
async function assertEscort(db: Kysely<DB>, booking: BookingRow, member: CaseMemberRow): Promise<void> {
  if ((await needsMedicalEscort(db, member.id)) && !booking.escorts.some((escort) => escort.member_id === member.id && escort.kind === 'medical')) {
    throw conflict(`${travellerName(member)} needs a medical escort; add one to booking ${booking.booking_reference} before ticketing`, {
      member_id: member.id,
      booking_id: booking.id,
    })
  }
}

/**
 * A traveller with medical needs, or escorted on the booking, is ticketed only with travel
 * insurance covering the journey: from the local date of its first departure to that of its last
 * arrival. 409 `travel-insurance-required` naming the traveller, why cover is needed and the dates.
 */
async function assertTravelInsurance(db: Kysely<DB>, booking: BookingRow, segments: readonly SegmentRow[], member: CaseMemberRow): Promise<void> {
  const escorted = booking.escorts.some((escort) => escort.member_id === member.id)
  const medical = await hasMedicalNeeds(db, member.id)
  if (!escorted && !medical) return
  const from = repository.travelStartsOn(segments)
  if (await travelCover.get().policyCovering(db, member.id, from, booking.travel_ends_on)) return
  const why = [medical ? 'has medical needs' : null, escorted ? `travels with an escort on booking ${booking.booking_reference}` : null].filter(Boolean).join(' and ')
  throw new ProblemError('travel-insurance-required', `${travellerName(member)} ${why}: travel insurance covering ${from} to ${booking.travel_ends_on} is needed before a ticket`, {
    traveller: { member_id: member.id, name: travellerName(member) },
    reasons: [...(medical ? ['medical_needs'] : []), ...(escorted ? ['escorted'] : [])],
    cover_needed: { from, until: booking.travel_ends_on },
  })
}

/** What a traveller needs beyond the ticket on this booking: a transit visa where its route asks for one, and insurance where they must travel insured. */
async function assertTravelArranged(db: Kysely<DB>, booking: BookingRow, member: CaseMemberRow): Promise<void> {
  const segments = await repository.segmentsOf(db, [booking.id])
  await assertTransitVisas(db, member, repository.transitVisaNeeds(booking, segments))
  await assertTravelInsurance(db, booking, segments, member)
}

/**
 * Requests a ticket for one traveller on one booking: the traveller must be a household member
 * of this case (422), hold a valid document through the booking's last arrival date (409
 * `travel-document-required`), a transit visa valid at each transit point that needs one (409
 * `transit-visa-required`), travel insurance for the journey when they have medical needs or an
 * escort (409 `travel-insurance-required`), and have no live ticket on the booking (409). Creates the payment
 * request (kind `ticket`) for the fare on the project's travel line; nothing is committed until
 * it is approved by someone other than the requester, which issues the ticket.
 */
export async function requestTicket(db: Transaction<DB>, context: RequestContext, caseId: string, input: RequestTicketInput): Promise<TicketRecord> {
  const caseRow = await caseForTravelWrite(db, context.actor, caseId, 'A ticket')
  const booking = await repository.findBooking(db, caseRow.id, input.booking_id)
  if (!booking) {
    throw unprocessable(`${input.booking_id} is not a booking of case ${caseRow.reference}`, [{ pointer: '/body/booking_id', detail: 'not a booking of this case' }])
  }
  if (booking.status !== 'active') {
    throw conflict(`Booking ${booking.booking_reference} is ${booking.status}; tickets are issued on active bookings`, { booking_id: booking.id, booking_status: booking.status })
  }
  const member = (await listCaseMembers(db, caseRow.id)).find((candidate) => candidate.id === input.member_id)
  if (!member) {
    throw unprocessable(`${input.member_id} is not a household member of case ${caseRow.reference}`, [{ pointer: '/body/member_id', detail: 'not a member of this case' }])
  }
  const live = await repository.liveTicketOf(db, booking.id, member.id)
  if (live) {
    throw new ProblemError('duplicate-resource', `${travellerName(member)} already has ticket ${live.id} (${live.status}) on booking ${booking.booking_reference}`, {
      ticket_id: live.id,
      current_status: live.status,
    })
  }
  await assertEscort(db, booking, member)
  const document = await assertTravelDocument(db, member, booking.travel_ends_on)
  await assertTravelArranged(db, booking, member)
  if (!caseRow.project_id) throw conflict(`Case ${caseRow.reference} has no project to pay its tickets`, { case_id: caseRow.id })
  const line = await budgetLineForCost(db, caseRow.project_id, 'ticket')
  if (input.fare.currency !== line.currency) {
    throw new ProblemError('currency-mismatch', `The project of case ${caseRow.reference} is kept in ${line.currency}; a fare in ${input.fare.currency} cannot be charged to it`, {
      expected_currency: line.currency,
      errors: [{ pointer: '/body/fare/currency', detail: `must be ${line.currency}, the project's currency` }],
    })
  }
  const ticketNumber = input.ticket_number.replace('-', '')
  const sameNumber = await repository.liveTicketWithNumber(db, ticketNumber)
  if (sameNumber) {
    throw new ProblemError('duplicate-resource', `Ticket number ${ticketNumber} is already recorded (ticket ${sameNumber.id})`, {
      errors: [{ pointer: '/body/ticket_number', detail: 'already recorded on another ticket' }],
    })
  }
  const ticketId = newId()
  const payment = await requestPayment(db, context, {
    kind: 'ticket',
    source: { type: 'ticket', id: ticketId },
    budgetLineId: line.id,
    amount: input.fare,
    caseId: caseRow.id,
    payee: { type: input.payee.type, name: input.payee.name.trim() },
    description: `Air ticket ${ticketNumber}, booking ${booking.booking_reference}, case ${caseRow.reference}`,
  })
  const row = await repository.insertTicket(db, {
    id: ticketId,
    case_id: caseRow.id,
    booking_id: booking.id,
    member_id: member.id,
    ticket_number: ticketNumber,
    fare_minor: input.fare.amount_minor,
    currency: input.fare.currency,
    payee_type: input.payee.type,
    payee_name: input.payee.name.trim(),
    status: 'requested',
    payment_request_id: payment.id,
    travel_document_id: document.id,
    requested_by: context.actor.sub,
  })
  await recordTicketChange(db, context, 'requested', null, row)
  return repository.presentTicket(db, row.id)
}

export interface EndedTicket {
  row: TicketRow
  cancelledPaymentRequestIds: string[]
}

/**
 * Ends a ticket (voided, or refunded) and gives back what of it was not spent: its payment
 * request is cancelled when still live (which releases the commitment its approval made), and so
 * are the live excess-baggage charges on the ticket, and for a no-show also those charged to the
 * traveller without a ticket. A paid ticket has nothing left to release: the money is spent.
 * Without an explicit status: `refunded` when the payment was made, else `voided`.
 * `paymentEnding`: called from the payment's own rejection or cancellation.
 */
export async function endTicket(
  db: Transaction<DB>,
  context: RequestContext,
  ticket: TicketRow,
  options: { reason: string; status?: 'voided' | 'refunded'; noShow?: boolean; paymentEnding?: boolean },
): Promise<EndedTicket> {
  const payment = (await findPaymentRequest(db, ticket.payment_request_id)) as PaymentRequestRow
  const status = options.status ?? (payment.status === 'paid' ? 'refunded' : 'voided')
  const now = new Date()
  const updated = await repository.updateTicket(db, ticket.id, {
    status,
    ended_by: context.actor.sub,
    ended_at: now,
    end_reason: options.reason,
    ...(options.noShow ? { no_show_recorded_by: context.actor.sub, no_show_recorded_at: now } : {}),
  })
  await recordTicketChange(db, context, options.noShow ? 'no_show' : status, ticket, updated)
  const cancelled: string[] = []
  if (!options.paymentEnding && LIVE_PAYMENT_STATUSES.includes(payment.status)) {
    await cancelPaymentRequest(db, context, payment.id, options.reason)
    cancelled.push(payment.id)
  }
  for (const paymentId of await ticketCharges.get().livePaymentsOn(db, { ticketId: ticket.id, memberId: options.noShow ? ticket.member_id : undefined })) {
    await cancelPaymentRequest(db, context, paymentId, `${options.reason} (ticket ${ticket.ticket_number} ${status})`)
    cancelled.push(paymentId)
  }
  return { row: updated, cancelledPaymentRequestIds: cancelled }
}

/** A ticket ended by staff for a reason (void, refund): locked for the release, the workflow and `assertMay` checked, then ended (voided, refunded). */
function ticketEnding(action: 'void' | 'refund', assertMay: (db: Transaction<DB>, ticket: TicketRow) => Promise<void> = async () => {}) {
  return async (db: Transaction<DB>, context: RequestContext, caseId: string, ticketId: string, expectedVersion: number | undefined, reason: string): Promise<TicketRecord> => {
    const { ticket } = await lockTicketForRelease(db, context, caseId, ticketId, expectedVersion)
    ticketWorkflow.target(action, ticket.status)
    await assertMay(db, ticket)
    await endTicket(db, context, ticket, { status: action === 'void' ? 'voided' : 'refunded', reason: reason.trim() })
    return repository.presentTicket(db, ticket.id)
  }
}

/** Voids a ticket that is not yet paid (a paid one is refunded): its payment is cancelled and the commitment released. */
export const voidTicket = ticketEnding('void', async (db, ticket) => {
  const payment = (await findPaymentRequest(db, ticket.payment_request_id)) as PaymentRequestRow
  if (payment.status === 'paid') {
    throw new ProblemError('invalid-transition', `Ticket ${ticket.ticket_number} is paid; refund it instead of voiding it`, {
      current_status: ticket.status,
      payment_status: payment.status,
      action: 'void',
    })
  }
})

/** Refunds an issued ticket: what is still committed of its fare is released; what was paid stays spent. */
export const refundTicket = ticketEnding('refund')

function sameCarrierRefund(ticket: TicketRow, input: RecordCarrierRefundInput): boolean {
  return (
    Number(ticket.carrier_refund_minor) === input.amount.amount_minor &&
    ticket.currency === input.amount.currency &&
    ticket.carrier_refunded_on === input.refunded_on &&
    ticket.carrier_refund_reference === input.reference.trim()
  )
}

/**
 * Records a carrier's refund of a paid ticket that was ended by a cancellation or a no-show
 * (status `refunded`): the amount is credited back to the budget line the fare was spent from,
 * with a `refund` ledger entry (creditRefund: one guarded statement, never more than was paid for
 * the ticket, at most once). Recording the same refund again returns the ticket unchanged;
 * another refund on the same ticket is 409 `duplicate-resource`. A ticket that was never paid has
 * nothing to refund (its commitment was released when it ended): 409 `invalid-transition`.
 */
export async function recordCarrierRefund(
  db: Transaction<DB>,
  context: RequestContext,
  caseId: string,
  ticketId: string,
  expectedVersion: number | undefined,
  input: RecordCarrierRefundInput,
): Promise<TicketRecord> {
  const { caseRow, ticket } = await lockTicketForRelease(db, context, caseId, ticketId, expectedVersion)
  if (ticket.carrier_refund_minor !== null) {
    if (sameCarrierRefund(ticket, input)) return repository.presentTicket(db, ticket.id)
    throw new ProblemError('duplicate-resource', `Ticket ${ticket.ticket_number} already has a carrier refund of ${ticket.carrier_refund_minor} ${ticket.currency} minor units recorded`, {
      ticket_id: ticket.id,
      carrier_refund: { amount: money(Number(ticket.carrier_refund_minor), ticket.currency), refunded_on: ticket.carrier_refunded_on, reference: ticket.carrier_refund_reference },
    })
  }
  const payment = (await findPaymentRequest(db, ticket.payment_request_id)) as PaymentRequestRow
  if (ticket.status !== 'refunded' || payment.status !== 'paid') {
    throw new ProblemError(
      'invalid-transition',
      ticket.status === 'refunded' || ticket.status === 'voided'
        ? `Ticket ${ticket.ticket_number} was never paid; what its approval committed was released when it ended, and there is nothing to refund`
        : `Ticket ${ticket.ticket_number} is ${ticket.status}; a carrier refund is recorded once a paid ticket is ended (refund the ticket, or record the no-show, first)`,
      { current_status: ticket.status, payment_status: payment.status, action: 'record_carrier_refund', allowed_from: ['refunded'] },
    )
  }
  if (input.refunded_on > latestAcceptableDate()) {
    throw unprocessable(`A refund cannot be dated in the future (${input.refunded_on})`, [{ pointer: '/body/refunded_on', detail: 'must not be in the future' }])
  }
  if (input.amount.currency !== payment.currency) {
    throw new ProblemError('currency-mismatch', `Ticket ${ticket.ticket_number} was paid in ${payment.currency}; a refund in ${input.amount.currency} cannot be credited to its line`, {
      expected_currency: payment.currency,
      errors: [{ pointer: '/body/amount/currency', detail: `must be ${payment.currency}, the project's currency` }],
    })
  }
  const reference = input.reference.trim()
  const { entry } = await creditRefund(db, context, {
    budgetLineId: payment.budget_line_id,
    amount: input.amount,
    source: { type: payment.commitment_source_type, id: payment.commitment_source_id },
    caseId: caseRow.id,
    paymentRequestId: payment.id,
    note: `carrier refund ${reference} of ticket ${ticket.ticket_number}`,
  })
  const updated = await repository.updateTicket(db, ticket.id, {
    carrier_refund_minor: input.amount.amount_minor,
    carrier_refunded_on: input.refunded_on,
    carrier_refund_reference: reference,
    carrier_refund_ledger_entry_id: entry.id,
    carrier_refund_recorded_by: context.actor.sub,
    carrier_refund_recorded_at: new Date(),
  })
  await recordTicketChange(db, context, 'carrier_refund_recorded', ticket, updated)
  return repository.presentTicket(db, ticket.id)
}

export const { list: listTickets, get: getTicket } = caseRecordReads('Ticket', {
  list: (db, caseId, filter: TicketListFilter) => repository.listTickets(db, caseId, filter),
  find: (db, caseId, id) => repository.findTicket(db, caseId, id),
  present: (db, ticket): Promise<TicketRecord> => repository.presentTicket(db, ticket.id),
})

// ---------------------------------------------------------------- following the ticket's payment

async function ticketOfPayment(db: Kysely<DB>, payment: PaymentRequestRow): Promise<TicketRow> {
  const ticket = await repository.findTicketByPayment(db, payment.id)
  if (!ticket) throw new Error(`Payment request ${payment.id} of kind ticket has no ticket`)
  return ticket
}

/**
 * The payment was approved and the fare committed: the ticket is issued, in the same
 * transaction. The rules are checked again here, where they must hold: the case is still
 * approved or travel-booked (a cancelled case never gets a committed ticket), the booking is
 * active, and the traveller still holds a valid document through the travel date. Any failure
 * aborts the approval and its commitment. When every household member then holds an issued
 * ticket, the case moves to `travel_booked`.
 */
async function issueOnApproval(db: Transaction<DB>, context: RequestContext, payment: PaymentRequestRow): Promise<void> {
  const caseRow = await lockCase(db, payment.case_id as string)
  const ticket = await ticketOfPayment(db, payment)
  ticketWorkflow.target('issue', ticket.status)
  if (caseRow.status === 'closed' || !BOOKABLE_CASE_STATUSES.includes(caseRow.status)) {
    throw conflict(`Ticket ${ticket.ticket_number} cannot be issued: case ${caseRow.reference} is ${caseRow.status}`, {
      case_status: caseRow.status,
      allowed_case_statuses: BOOKABLE_CASE_STATUSES,
    })
  }
  const booking = (await repository.findBooking(db, caseRow.id, ticket.booking_id)) as BookingRow
  if (booking.status !== 'active') {
    throw conflict(`Ticket ${ticket.ticket_number} cannot be issued: booking ${booking.booking_reference} is ${booking.status}`, { booking_id: booking.id })
  }
  const member = (await listCaseMembers(db, caseRow.id)).find((candidate) => candidate.id === ticket.member_id) as CaseMemberRow
  const document = await assertTravelDocument(db, member, booking.travel_ends_on)
  await assertTravelArranged(db, booking, member)
  const updated = await repository.updateTicket(db, ticket.id, { status: 'issued', issued_at: new Date(), travel_document_id: document.id })
  await recordTicketChange(db, context, 'issued', ticket, updated)
  if (caseRow.status === 'approved' && (await everyTravellerTicketed(db, caseRow.id))) {
    await transitionCase(db, context, caseRow, 'mark_travel_booked', 'Every traveller holds an issued ticket')
  }
}

/** Whether every household member of the case holds an issued ticket on an active booking. */
async function everyTravellerTicketed(db: Kysely<DB>, caseId: string): Promise<boolean> {
  const ticketed = await repository.travellersWithIssuedTicket(db, caseId)
  return (await listCaseMembers(db, caseId)).every((member) => ticketed.has(member.id))
}

/** The payment was rejected or cancelled: a live ticket is voided (a used one cannot lose its payment). */
async function voidOnPaymentEnd(db: Transaction<DB>, context: RequestContext, payment: PaymentRequestRow, what: 'rejected' | 'cancelled'): Promise<void> {
  const ticket = await ticketOfPayment(db, payment)
  if (ticket.status === 'voided' || ticket.status === 'refunded') return
  if (ticket.status === 'used') {
    throw conflict(`Ticket ${ticket.ticket_number} was used (the traveller departed); its payment cannot be ${what}`, { ticket_id: ticket.id, ticket_status: ticket.status })
  }
  const why = what === 'rejected' ? payment.rejection_reason : payment.cancellation_reason
  await endTicket(db, context, ticket, { status: 'voided', reason: `payment request ${payment.id} ${what}: ${why ?? ''}`.trim(), paymentEnding: true })
}

/** How ticket costs follow their payment requests (wired in src/modules/index.ts). */
export const ticketPaymentHooks: PaymentHooks = {
  onApproved: issueOnApproval,
  onRejected: (db, context, payment) => voidOnPaymentEnd(db, context, payment, 'rejected'),
  onCancelled: (db, context, payment) => voidOnPaymentEnd(db, context, payment, 'cancelled'),
}
