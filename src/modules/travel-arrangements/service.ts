import type { Kysely, Transaction } from 'kysely'
import type { ArrangementStatus, CostKind, DB, PaymentKind } from '../../db/schema.js'
import { recordChange } from '../../shared/audit.js'
import type { RequestContext } from '../../shared/context.js'
import { assertVersion } from '../../shared/etag.js'
import { newId } from '../../shared/ids.js'
import type { Page } from '../../shared/pagination.js'
import { ProblemError, conflict, notFound, unprocessable } from '../../shared/problems.js'
import type { Actor } from '../../shared/roles.js'
import { cancelPaymentRequest, lockCaseForRelease, requestPayment, type PaymentHooks, type PaymentRequestRow } from '../payments/index.js'
import { budgetLineForCost } from '../projects/index.js'
import { assertCaseOpen, findCaseForActor, listCaseMembers, type ReturnCaseRow } from '../return-cases/index.js'
import { caseForTravelWrite } from '../travel/index.js'
import * as repository from './repository.js'
import type { AccommodationRow, ArrangementRow, ArrangementTable, TravelInsuranceRow } from './repository.js'
import type {
  AccommodationListFilter,
  AccommodationRecord,
  RequestAccommodationInput,
  RequestTravelInsuranceInput,
  TravelInsuranceListFilter,
  TravelInsuranceRecord,
} from './schemas.js'

/** How each kind of arrangement is named, costed and audited. */
interface ArrangementKind {
  table: ArrangementTable
  entityType: 'travel_insurance' | 'accommodation'
  paymentKind: Extract<PaymentKind, 'travel_insurance' | 'accommodation'>
  costKind: Extract<CostKind, 'insurance' | 'accommodation'>
  label: string
  /** Recorded as changed, never with their values (a policy number is personal; notes may describe a condition). */
  maskedFields: readonly string[]
}

const INSURANCE: ArrangementKind = {
  table: 'travel_insurances',
  entityType: 'travel_insurance',
  paymentKind: 'travel_insurance',
  costKind: 'insurance',
  label: 'Travel insurance',
  maskedFields: ['policy_number', 'notes'],
}

const ACCOMMODATION: ArrangementKind = {
  table: 'accommodations',
  entityType: 'accommodation',
  paymentKind: 'accommodation',
  costKind: 'accommodation',
  label: 'Accommodation',
  maskedFields: ['notes'],
}

async function recordArrangementChange(db: Transaction<DB>, context: RequestContext, kind: ArrangementKind, action: string, before: ArrangementRow | null, after: ArrangementRow): Promise<void> {
  const payload = Object.fromEntries(Object.entries(after).filter(([field]) => !kind.maskedFields.includes(field)))
  await recordChange(db, context, { action: `${kind.entityType}.${action}`, entityType: kind.entityType, entityId: after.id, caseId: after.case_id, before, after, maskedFields: kind.maskedFields, payload })
}

/** The cost of a new arrangement, paid as its own payment request. */
interface ArrangementCost {
  amount: { amount_minor: number; currency: string }
  /** Where the amount is in the body, for a currency that is not the project's. */
  amountPointer: string
  payeeName: string
  description: string
}

/** The columns every arrangement is recorded with: its case, its cost and the payment request that pays it. */
interface RequestedArrangement {
  id: string
  case_id: string
  cost_minor: number
  currency: string
  payee_name: string
  status: 'requested'
  payment_request_id: string
  requested_by: string
}

/**
 * A new arrangement of the case and its payment request, on the budget line its cost kind is
 * charged to (budgetLineForCost: the kind's own line, else the project's fallback, else 409
 * `no-budget-line-for-cost`), in the project's currency. Nothing is committed until someone other
 * than the requester approves it. `check` refuses what does not fit the case (422) before any of it.
 */
async function requestArrangement<Row extends ArrangementRow>(
  db: Transaction<DB>,
  context: RequestContext,
  kind: ArrangementKind,
  caseId: string,
  arrangement: {
    check: (caseRow: ReturnCaseRow) => Promise<void>
    cost: (caseRow: ReturnCaseRow) => ArrangementCost
    insert: (requested: RequestedArrangement) => Promise<Row>
  },
): Promise<Row> {
  const caseRow = await caseForTravelWrite(db, context.actor, caseId, kind.label)
  await arrangement.check(caseRow)
  const id = newId()
  const cost = arrangement.cost(caseRow)
  if (!caseRow.project_id) throw conflict(`Case ${caseRow.reference} has no project to pay its ${kind.label.toLowerCase()}`, { case_id: caseRow.id })
  const line = await budgetLineForCost(db, caseRow.project_id, kind.costKind)
  if (cost.amount.currency !== line.currency) {
    throw new ProblemError('currency-mismatch', `The project of case ${caseRow.reference} is kept in ${line.currency}; a cost in ${cost.amount.currency} cannot be charged to it`, {
      expected_currency: line.currency,
      errors: [{ pointer: `${cost.amountPointer}/currency`, detail: `must be ${line.currency}, the project's currency` }],
    })
  }
  const payment = await requestPayment(db, context, {
    kind: kind.paymentKind,
    source: { type: kind.paymentKind, id },
    budgetLineId: line.id,
    amount: cost.amount,
    caseId: caseRow.id,
    payee: { type: 'supplier', name: cost.payeeName },
    description: cost.description,
  })
  const row = await arrangement.insert({
    id,
    case_id: caseRow.id,
    cost_minor: cost.amount.amount_minor,
    currency: cost.amount.currency,
    payee_name: payment.payee_name,
    status: 'requested',
    payment_request_id: payment.id,
    requested_by: context.actor.sub,
  })
  await recordArrangementChange(db, context, kind, 'requested', null, row)
  return row
}

/**
 * Travel insurance for one traveller of the case: insurer, policy number, cover dates and the
 * premium, paid as its own cost (kind `travel_insurance`). Ticketing asks for a policy covering
 * the journey of a traveller with medical needs or an escort.
 */
export async function requestTravelInsurance(db: Transaction<DB>, context: RequestContext, caseId: string, input: RequestTravelInsuranceInput): Promise<TravelInsuranceRecord> {
  const insurer = input.insurer.trim()
  const row = await requestArrangement(db, context, INSURANCE, caseId, {
    check: async (caseRow) => {
      const member = (await listCaseMembers(db, caseRow.id)).find((candidate) => candidate.id === input.member_id)
      if (!member) throw unprocessable(`${input.member_id} is not a household member of case ${caseRow.reference}`, [{ pointer: '/body/member_id', detail: 'not a member of this case' }])
      if (input.cover_until < input.cover_from) throw unprocessable('The cover ends before it starts', [{ pointer: '/body/cover_until', detail: 'must not be before cover_from' }])
    },
    cost: (caseRow) => ({
      amount: input.premium,
      amountPointer: '/body/premium',
      payeeName: input.payee?.trim() || insurer,
      description: `Travel insurance ${insurer}, ${input.cover_from} to ${input.cover_until}, case ${caseRow.reference}`,
    }),
    insert: (requested) =>
      repository.insertTravelInsurance(db, {
        ...requested,
        member_id: input.member_id,
        insurer,
        policy_number: input.policy_number.trim(),
        cover_from: input.cover_from,
        cover_until: input.cover_until,
        notes: input.notes?.trim() ?? null,
      }),
  })
  return repository.toTravelInsurance(row)
}

/** Nights before departure at a named place, for the case's travellers, paid as its own cost (kind `accommodation`). */
export async function requestAccommodation(db: Transaction<DB>, context: RequestContext, caseId: string, input: RequestAccommodationInput): Promise<AccommodationRecord> {
  const place = input.place_name.trim()
  const row = await requestArrangement(db, context, ACCOMMODATION, caseId, {
    check: async () => {
      if (input.check_out_on <= input.check_in_on) throw unprocessable('A stay is at least one night', [{ pointer: '/body/check_out_on', detail: 'must be after check_in_on' }])
    },
    cost: (caseRow) => ({
      amount: input.cost,
      amountPointer: '/body/cost',
      payeeName: input.payee?.trim() || place,
      description: `Accommodation at ${place}, ${input.check_in_on} to ${input.check_out_on}, case ${caseRow.reference}`,
    }),
    insert: (requested) =>
      repository.insertAccommodation(db, {
        ...requested,
        place_name: place,
        address: input.address?.trim() ?? null,
        check_in_on: input.check_in_on,
        check_out_on: input.check_out_on,
        guests: input.guests,
        notes: input.notes?.trim() ?? null,
      }),
  })
  return repository.toAccommodation(row)
}

/** Cancels an arrangement not yet paid: its payment request is cancelled, which releases what its approval committed. */
async function cancelArrangement(
  db: Transaction<DB>,
  context: RequestContext,
  kind: ArrangementKind,
  caseId: string,
  id: string,
  expectedVersion: number | undefined,
  reason: string,
): Promise<ArrangementRow> {
  const caseRow = await lockCaseForRelease(db, context.actor, caseId)
  assertCaseOpen(caseRow)
  const current = await repository.findArrangement(db, kind.table, { caseId: caseRow.id, id }, { forUpdate: true })
  if (!current) throw notFound(kind.label, id)
  assertVersion(current.version, expectedVersion)
  if (current.status !== 'requested' && current.status !== 'approved') {
    throw new ProblemError('invalid-transition', `Cannot cancel ${kind.label.toLowerCase()} that is ${current.status}`, {
      current_status: current.status,
      action: 'cancel',
      allowed_from: ['requested', 'approved'],
    })
  }
  await cancelPaymentRequest(db, context, current.payment_request_id, reason.trim())
  return (await repository.findArrangement(db, kind.table, { caseId: caseRow.id, id })) as ArrangementRow
}

export async function cancelTravelInsurance(db: Transaction<DB>, context: RequestContext, caseId: string, id: string, expectedVersion: number | undefined, reason: string): Promise<TravelInsuranceRecord> {
  return repository.toTravelInsurance((await cancelArrangement(db, context, INSURANCE, caseId, id, expectedVersion, reason)) as TravelInsuranceRow)
}

export async function cancelAccommodation(db: Transaction<DB>, context: RequestContext, caseId: string, id: string, expectedVersion: number | undefined, reason: string): Promise<AccommodationRecord> {
  return repository.toAccommodation((await cancelArrangement(db, context, ACCOMMODATION, caseId, id, expectedVersion, reason)) as AccommodationRow)
}

export async function listTravelInsurances(db: Kysely<DB>, actor: Actor, caseId: string, filter: TravelInsuranceListFilter): Promise<Page<TravelInsuranceRecord>> {
  await findCaseForActor(db, actor, caseId)
  return repository.listTravelInsurances(db, caseId, filter)
}

export async function listAccommodations(db: Kysely<DB>, actor: Actor, caseId: string, filter: AccommodationListFilter): Promise<Page<AccommodationRecord>> {
  await findCaseForActor(db, actor, caseId)
  return repository.listAccommodations(db, caseId, filter)
}

async function getArrangement(db: Kysely<DB>, actor: Actor, kind: ArrangementKind, caseId: string, id: string): Promise<ArrangementRow> {
  await findCaseForActor(db, actor, caseId)
  const row = await repository.findArrangement(db, kind.table, { caseId, id })
  if (!row) throw notFound(kind.label, id)
  return row as ArrangementRow
}

export async function getTravelInsurance(db: Kysely<DB>, actor: Actor, caseId: string, id: string): Promise<TravelInsuranceRecord> {
  return repository.toTravelInsurance((await getArrangement(db, actor, INSURANCE, caseId, id)) as TravelInsuranceRow)
}

export async function getAccommodation(db: Kysely<DB>, actor: Actor, caseId: string, id: string): Promise<AccommodationRecord> {
  return repository.toAccommodation((await getArrangement(db, actor, ACCOMMODATION, caseId, id)) as AccommodationRow)
}

/** The arrangement follows its payment request, in the payment transition's transaction. */
function followingPayments(kind: ArrangementKind): PaymentHooks {
  const follow = (status: ArrangementStatus) => async (db: Transaction<DB>, context: RequestContext, payment: PaymentRequestRow) => {
    const current = await repository.findArrangement(db, kind.table, { paymentRequestId: payment.id }, { forUpdate: true })
    if (!current) throw new Error(`Payment request ${payment.id} of kind ${kind.paymentKind} has no ${kind.entityType}`)
    const updated = await repository.setArrangementStatus(db, kind.table, current.id, status)
    await recordArrangementChange(db, context, kind, status, current as ArrangementRow, updated)
  }
  return { onApproved: follow('approved'), onRejected: follow('rejected'), onCancelled: follow('cancelled'), onPaid: follow('paid') }
}

/** How travel insurance premiums and accommodation costs follow their payment requests (wired in src/modules/index.ts). */
export const travelInsurancePaymentHooks = followingPayments(INSURANCE)
export const accommodationPaymentHooks = followingPayments(ACCOMMODATION)
