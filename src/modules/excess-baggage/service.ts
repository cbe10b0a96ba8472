import type { Kysely, Transaction } from 'kysely'
import type { DB, ExcessBaggageStatus } from '../../db/schema.js'
import { recordChange } from '../../shared/audit.js'
import type { RequestContext } from '../../shared/context.js'
import { assertVersion } from '../../shared/etag.js'
import { newId } from '../../shared/ids.js'
import { ProblemError, conflict, notFound, unprocessable } from '../../shared/problems.js'
import { LIVE_PAYMENT_STATUSES, cancelPaymentRequest, lockCaseForRelease, paymentStatuses, requestPayment, type PaymentHooks, type PaymentRequestRow } from '../payments/index.js'
import { budgetLineForCost } from '../projects/index.js'
import { caseRecordReads, assertCaseOpen, listCaseMembers } from '../return-cases/index.js'
import { caseForTravelWrite, findTicket } from '../travel/index.js'
import * as repository from './repository.js'
import type { ExcessBaggageRow } from './repository.js'
import type { ExcessBaggageListFilter, ExcessBaggageRecord, RequestExcessBaggageInput } from './schemas.js'

/** The reason may describe medical equipment: recorded as changed, never with its value. */
const MASKED_FIELDS = ['reason'] as const

async function recordBaggageChange(db: Transaction<DB>, context: RequestContext, action: string, before: ExcessBaggageRow | null, after: ExcessBaggageRow): Promise<void> {
  const { reason: _reason, ...payload } = after
  await recordChange(db, context, { action: `excess_baggage.${action}`, entityType: 'excess_baggage', entityId: after.id, caseId: after.case_id, before, after, maskedFields: MASKED_FIELDS, payload })
}

/**
 * Requests excess baggage for one traveller of the case, or on one of the case's live tickets:
 * kilograms, cost (project currency) and reason. Creates its own payment request (kind
 * `excess_baggage`) on the project's excess-baggage line, paid separately from the ticket;
 * approval by someone other than the requester commits the cost.
 */
export async function requestExcessBaggage(db: Transaction<DB>, context: RequestContext, caseId: string, input: RequestExcessBaggageInput): Promise<ExcessBaggageRecord> {
  const caseRow = await caseForTravelWrite(db, context.actor, caseId, 'Excess baggage')
  if (!input.member_id && !input.ticket_id) {
    throw unprocessable('Name the traveller or the ticket the baggage is for', [
      { pointer: '/body/member_id', detail: 'required when ticket_id is not given' },
      { pointer: '/body/ticket_id', detail: 'required when member_id is not given' },
    ])
  }
  let memberId = input.member_id
  if (input.ticket_id) {
    const ticket = await findTicket(db, caseRow.id, input.ticket_id)
    if (!ticket) throw unprocessable(`${input.ticket_id} is not a ticket of case ${caseRow.reference}`, [{ pointer: '/body/ticket_id', detail: 'not a ticket of this case' }])
    if (ticket.status !== 'requested' && ticket.status !== 'issued') {
      throw conflict(`Ticket ${ticket.ticket_number} is ${ticket.status}; excess baggage goes on a live ticket`, { ticket_id: ticket.id, ticket_status: ticket.status })
    }
    if (memberId !== undefined && memberId !== ticket.member_id) {
      throw unprocessable('The ticket is another traveller\'s', [{ pointer: '/body/member_id', detail: 'must be the ticket\'s traveller' }])
    }
    memberId = ticket.member_id
  }
  const member = (await listCaseMembers(db, caseRow.id)).find((candidate) => candidate.id === memberId)
  if (!member) throw unprocessable(`${memberId} is not a household member of case ${caseRow.reference}`, [{ pointer: '/body/member_id', detail: 'not a member of this case' }])
  if (!caseRow.project_id) throw conflict(`Case ${caseRow.reference} has no project to pay its excess baggage`, { case_id: caseRow.id })
  const line = await budgetLineForCost(db, caseRow.project_id, 'excess_baggage')
  if (input.cost.currency !== line.currency) {
    throw new ProblemError('currency-mismatch', `The project of case ${caseRow.reference} is kept in ${line.currency}; a cost in ${input.cost.currency} cannot be charged to it`, {
      expected_currency: line.currency,
      errors: [{ pointer: '/body/cost/currency', detail: `must be ${line.currency}, the project's currency` }],
    })
  }
  const id = newId()
  const payment = await requestPayment(db, context, {
    kind: 'excess_baggage',
    source: { type: 'excess_baggage', id },
    budgetLineId: line.id,
    amount: input.cost,
    caseId: caseRow.id,
    payee: { type: input.payee.type, name: input.payee.name.trim() },
    description: `Excess baggage ${input.kilograms} kg, case ${caseRow.reference}`,
  })
  const row = await repository.insertExcessBaggage(db, {
    id,
    case_id: caseRow.id,
    member_id: member.id,
    ticket_id: input.ticket_id ?? null,
    kilograms: input.kilograms,
    cost_minor: input.cost.amount_minor,
    currency: input.cost.currency,
    reason: input.reason.trim(),
    payee_type: input.payee.type,
    payee_name: input.payee.name.trim(),
    status: 'requested',
    payment_request_id: payment.id,
    requested_by: context.actor.sub,
  })
  await recordBaggageChange(db, context, 'requested', null, row)
  return repository.toExcessBaggage(row)
}

/** Cancels a charge not yet paid: its payment request is cancelled and what its approval committed released. */
export async function cancelExcessBaggage(
  db: Transaction<DB>,
  context: RequestContext,
  caseId: string,
  baggageId: string,
  expectedVersion: number | undefined,
  reason: string,
): Promise<ExcessBaggageRecord> {
  const caseRow = await lockCaseForRelease(db, context.actor, caseId)
  assertCaseOpen(caseRow)
  const current = await repository.findExcessBaggage(db, caseRow.id, baggageId, { forUpdate: true })
  if (!current) throw notFound('Excess baggage', baggageId)
  assertVersion(current.version, expectedVersion)
  if (current.status !== 'requested' && current.status !== 'approved') {
    throw new ProblemError('invalid-transition', `Cannot cancel excess baggage that is ${current.status}`, {
      current_status: current.status,
      action: 'cancel',
      allowed_from: ['requested', 'approved'],
    })
  }
  await cancelPaymentRequest(db, context, current.payment_request_id, reason.trim())
  const updated = await repository.findExcessBaggage(db, caseRow.id, baggageId)
  return repository.toExcessBaggage(updated as ExcessBaggageRow)
}

export const { list: listExcessBaggage, get: getExcessBaggage } = caseRecordReads('Excess baggage', {
  list: (db, caseId, filter: ExcessBaggageListFilter) => repository.listExcessBaggage(db, caseId, filter),
  find: (db, caseId, id) => repository.findExcessBaggage(db, caseId, id),
  present: (_db, row): ExcessBaggageRecord => repository.toExcessBaggage(row),
})

/** The charge follows its payment request, in the payment transition's transaction. */
async function followPayment(db: Transaction<DB>, context: RequestContext, payment: PaymentRequestRow, status: ExcessBaggageStatus): Promise<void> {
  const current = await repository.findExcessBaggageByPayment(db, payment.id)
  if (!current) throw new Error(`Payment request ${payment.id} of kind excess_baggage has no excess-baggage charge`)
  const updated = await repository.updateExcessBaggage(db, current.id, { status })
  await recordBaggageChange(db, context, status, current, updated)
}

/** How excess baggage costs follow their payment requests (wired in src/modules/index.ts). */
export const excessBaggagePaymentHooks: PaymentHooks = {
  onApproved: (db, context, payment) => followPayment(db, context, payment, 'approved'),
  onRejected: (db, context, payment) => followPayment(db, context, payment, 'rejected'),
  onCancelled: (db, context, payment) => followPayment(db, context, payment, 'cancelled'),
  onPaid: (db, context, payment) => followPayment(db, context, payment, 'paid'),
}

/** The charges on a ticket (or its traveller) whose payment is still live: what ending the ticket cancels. */
export async function liveChargesOnTicket(db: Kysely<DB>, filter: { ticketId: string; memberId?: string }): Promise<string[]> {
  const paymentIds = await repository.chargesOnTicket(db, filter)
  const statuses = await paymentStatuses(db, paymentIds)
  return paymentIds.filter((id) => LIVE_PAYMENT_STATUSES.includes(statuses.get(id) as PaymentRequestRow['status']))
}
