import type { Kysely, Updateable, Transaction } from 'kysely'
import type { DB, PayeeType, PaymentKind, PaymentRequestsTable } from '../../db/schema.js'
import { recordCaseRowChange } from '../../shared/audit.js'
import type { RequestContext } from '../../shared/context.js'
import { assertVersion } from '../../shared/etag.js'
import { newId } from '../../shared/ids.js'
import { isCurrencyCode } from '../../shared/iso-codes.js'
import { ProblemError, conflict, forbidden, notFound, unprocessable } from '../../shared/problems.js'
import { hasRole, isPartnerOnly, type Actor } from '../../shared/roles.js'
import { commitFunds, openCommitment, releaseFunds, spendFunds, type LedgerPosting, type LedgerSource, findProjectRow, findBudgetLineById, lockBudgetLines } from '../projects/index.js'
import { convertToProjectCurrency, InvalidExchangeRateError } from './exchange.js'
import * as repository from './repository.js'
import type { PaymentRequestRow } from './repository.js'
import { PAYMENT_KINDS, type MarkPaymentPaidInput, type PaymentRequestRecord } from './schemas.js'
import { paymentWorkflow } from './transitions.js'
import { latestAcceptableDate } from '../../shared/dates.js'
import { Port } from '../../shared/port.js'
import { findCase, isCaseReferredTo } from '../return-cases/index.js'
import { money } from '../../shared/money.js'

export type { PaymentRequestRow }
export type { PaymentKind }

/**
 * Called inside the transaction of a payment's transition, after the payment row changed and
 * before the transaction commits: a hook that throws (a ProblemError) aborts the transition and
 * everything it wrote.
 */
export type Hook = (db: Transaction<DB>, context: RequestContext, payment: PaymentRequestRow) => Promise<void>
export interface PaymentHooks {
  onApproved?: Hook
  onRejected?: Hook
  onPaid?: Hook
  onCancelled?: Hook
}

/** How each kind of cost follows its payments (a ticket is issued when its payment is approved, a grant is paid when its payment is). */
export type PaymentHooksByKind = Readonly<Record<PaymentKind, PaymentHooks>>

/**
 * Every kind has its hooks, wired in src/modules/index.ts by the modules that own the costs: the
 * record type makes a missing kind a compile error, and a process that never wired them cannot
 * approve, reject, pay or cancel anything (the port throws).
 */
const paymentHooks = new Port<PaymentHooksByKind>('how does each kind of cost follow its payment requests?')

export function wirePaymentHooks(hooks: PaymentHooksByKind): void {
  paymentHooks.provide(hooks)
}

async function runHook(name: keyof PaymentHooks, db: Transaction<DB>, context: RequestContext, payment: PaymentRequestRow): Promise<void> {
  const hook = paymentHooks.get()[payment.kind][name]
  if (hook) await hook(db, context, payment)
}

export interface RequestPaymentInput {
  kind: PaymentKind
  /** The cost being paid (the ticket, baggage charge, grant, disbursement). At most one live request per source. */
  source: LedgerSource
  budgetLineId: string
  /** In the project's currency. */
  amount: { amount_minor: number; currency: string }
  caseId?: string | null
  payee: { type: PayeeType; id?: string | null; name: string }
  description: string
  /** Default true: approval commits the amount under `commitmentSource ?? source`. False: it was committed already by `commitmentSource`. */
  commitOnApproval?: boolean
  commitmentSource?: LedgerSource
}

const PAYEE_TYPES: readonly PayeeType[] = ['supplier', 'carrier', 'returnee', 'other']

/** Masked in the audit trail: a returnee's name is personal data. */
const MASKED_FIELDS = ['payee_name'] as const

/** Outbox payloads leave the system: the payee's name stays behind. */
function eventPayload(row: PaymentRequestRow): Record<string, unknown> {
  const record = toRecord(row)
  return { ...record, payee: { type: record.payee.type, id: record.payee.id } }
}

export function toRecord(row: PaymentRequestRow): PaymentRequestRecord {
  return repository.toPaymentRequest(row)
}

async function recordPaymentChange(db: Transaction<DB>, context: RequestContext, action: string, before: PaymentRequestRow | null, after: PaymentRequestRow): Promise<void> {
  await recordCaseRowChange(db, context, 'payment_request', action, after, {
    before,
    after,
    maskedFields: MASKED_FIELDS,
    payload: eventPayload(after),
  })
}

function assertRequestInput(input: RequestPaymentInput): void {
  const errors: Array<{ pointer: string; detail: string }> = []
  if (!(PAYMENT_KINDS as readonly string[]).includes(input.kind)) errors.push({ pointer: '/kind', detail: `unknown payment kind ${input.kind}` })
  if (!Number.isSafeInteger(input.amount.amount_minor) || input.amount.amount_minor <= 0) {
    errors.push({ pointer: '/amount/amount_minor', detail: 'must be a positive whole number of minor units' })
  }
  if (!isCurrencyCode(input.amount.currency)) errors.push({ pointer: '/amount/currency', detail: `${input.amount.currency} is not an ISO 4217 currency code` })
  if (!PAYEE_TYPES.includes(input.payee.type)) errors.push({ pointer: '/payee/type', detail: `unknown payee type ${input.payee.type}` })
  if (input.payee.name.trim() === '') errors.push({ pointer: '/payee/name', detail: 'must not be empty' })
  if (input.description.trim() === '') errors.push({ pointer: '/description', detail: 'must not be empty' })
  if (input.commitOnApproval === false && !input.commitmentSource) {
    errors.push({ pointer: '/commitmentSource', detail: 'a payment that does not commit on approval must name the commitment it spends' })
  }
  if (errors.length > 0) throw unprocessable('The payment request is not valid', errors)
}

/**
 * Creates a payment request (status `requested`) for a cost charged to a budget line; the
 * caller (`context.actor.sub`) is its maker and can never approve it. Nothing is committed
 * until approval. Refused with 422 when the amount is not in the line's currency (the
 * project's) or the case belongs to another project, 409 when the source already has a live
 * payment request.
 */
export async function requestPayment(db: Transaction<DB>, context: RequestContext, input: RequestPaymentInput): Promise<PaymentRequestRow> {
  assertRequestInput(input)
  const line = await findBudgetLineById(db, input.budgetLineId)
  if (!line) throw unprocessable(`Budget line ${input.budgetLineId} does not exist`, [{ pointer: '/budget_line_id', detail: 'no such budget line' }])
  if (line.currency !== input.amount.currency) {
    throw new ProblemError('currency-mismatch', `Budget line ${line.id} is kept in ${line.currency}; a payment in ${input.amount.currency} cannot be charged to it`, {
      expected_currency: line.currency,
      errors: [{ pointer: '/amount/currency', detail: `must be ${line.currency}, the project's currency` }],
    })
  }
  if (input.caseId) {
    const returnCase = await findCase(db, input.caseId)
    if (!returnCase) throw unprocessable(`Return case ${input.caseId} does not exist`, [{ pointer: '/case_id', detail: 'no such case' }])
    if (returnCase.project_id !== line.project_id) {
      throw unprocessable(`Return case ${input.caseId} is not funded by the project of budget line ${line.id}`, [
        { pointer: '/budget_line_id', detail: 'must be a line of the case\'s project' },
      ])
    }
  }
  const live = await repository.findLivePaymentRequestForSource(db, input.source.type, input.source.id)
  if (live) {
    throw new ProblemError('duplicate-resource', `${input.source.type} ${input.source.id} already has payment request ${live.id} (${live.status})`, {
      payment_request_id: live.id,
      current_status: live.status,
    })
  }
  const commitmentSource = input.commitmentSource ?? input.source
  const row = await repository.insertPaymentRequest(db, {
    id: newId(),
    kind: input.kind,
    status: 'requested',
    project_id: line.project_id,
    budget_line_id: line.id,
    case_id: input.caseId ?? null,
    source_type: input.source.type,
    source_id: input.source.id,
    commit_on_approval: input.commitOnApproval ?? true,
    commitment_source_type: commitmentSource.type,
    commitment_source_id: commitmentSource.id,
    amount_minor: input.amount.amount_minor,
    currency: input.amount.currency,
    payee_type: input.payee.type,
    payee_id: input.payee.id ?? null,
    payee_name: input.payee.name.trim(),
    description: input.description.trim(),
    requested_by: context.actor.sub,
  })
  await recordPaymentChange(db, context, 'requested', null, row)
  return row
}

export async function findPaymentRequest(db: Kysely<DB>, id: string, options: { forUpdate?: boolean } = {}): Promise<PaymentRequestRow | undefined> {
  return repository.findPaymentRequestRow(db, id, options)
}

/**
 * Whether the actor may see a payment request: staff see all; a partner-only user sees those
 * of cases referred to their office. Invisible is reported as not found.
 */
async function assertVisible(db: Kysely<DB>, actor: Actor, row: PaymentRequestRow): Promise<void> {
  if (!isPartnerOnly(actor)) return
  if (row.case_id && actor.officeId && (await isCaseReferredTo(db, row.case_id, actor.officeId))) return
  throw notFound('Payment request', row.id)
}

async function lockForTransition(db: Transaction<DB>, context: RequestContext, id: string, expectedVersion: number | undefined): Promise<PaymentRequestRow> {
  paymentHooks.get()
  const row = await repository.findPaymentRequestRow(db, id, { forUpdate: true })
  if (!row) throw notFound('Payment request', id)
  await assertVisible(db, context.actor, row)
  assertVersion(row.version, expectedVersion)
  return row
}

export async function getPaymentRequest(db: Kysely<DB>, actor: Actor, id: string): Promise<PaymentRequestRow> {
  const row = await repository.findPaymentRequestRow(db, id)
  if (!row) throw notFound('Payment request', id)
  await assertVisible(db, actor, row)
  return row
}

function commitmentPosting(row: PaymentRequestRow, amountMinor: number, note: string): LedgerPosting {
  return {
    budgetLineId: row.budget_line_id,
    amount: money(amountMinor, row.currency),
    source: { type: row.commitment_source_type, id: row.commitment_source_id },
    caseId: row.case_id,
    paymentRequestId: row.id,
    note,
  }
}

function makerCheckerViolation(detail: string, row: PaymentRequestRow): ProblemError {
  return new ProblemError('maker-checker-violation', detail, { payment_request_id: row.id, requested_by: row.requested_by })
}

function assertApprover(actor: Actor): void {
  if (!hasRole(actor, 'approver')) throw new ProblemError('forbidden', 'Only an approver may decide on a payment request', { required_roles: ['approver'] })
}

/**
 * Approves a payment request as a checker. The maker can never approve their own request, and
 * when the amount is above the project's threshold two different approvers (neither of them
 * the maker) are needed: the first approval moves the request to `awaiting_second_approval`.
 * The final approval commits the amount on the budget line (one conditional UPDATE in the
 * ledger); a line that cannot cover it is 409 `budget-line-exhausted` and nothing is written.
 */
export async function approvePayment(db: Transaction<DB>, context: RequestContext, id: string, expectedVersion?: number): Promise<PaymentRequestRow> {
  assertApprover(context.actor)
  const row = await lockForTransition(db, context, id, expectedVersion)
  paymentWorkflow.target('approve', row.status)
  const sub = context.actor.sub
  if (sub === row.requested_by) throw makerCheckerViolation('You requested this payment; another approver must approve it', row)
  if (row.status === 'awaiting_second_approval' && sub === row.first_approved_by) {
    throw makerCheckerViolation('You gave the first approval; the second approval must come from another approver', row)
  }

  const now = new Date()
  let changes: Updateable<PaymentRequestsTable>
  if (row.status === 'requested') {
    const project = await findProjectRow(db, row.project_id)
    if (!project) throw notFound('Project', row.project_id)
    const threshold = project.second_approval_threshold_minor
    const secondApprovalRequired = threshold !== null && row.amount_minor > threshold
    changes = {
      status: secondApprovalRequired ? 'awaiting_second_approval' : 'approved',
      second_approval_required: secondApprovalRequired,
      first_approved_by: sub,
      first_approved_at: now,
    }
  } else {
    changes = { status: 'approved', second_approved_by: sub, second_approved_at: now }
  }
  const approved = changes.status === 'approved'
  if (approved && row.commit_on_approval) {
    await commitFunds(db, context, commitmentPosting(row, row.amount_minor, `payment request ${row.id} approved`))
    changes.committed_minor = row.amount_minor
  }
  const updated = await repository.updatePaymentRequest(db, id, changes)
  await recordPaymentChange(db, context, approved ? 'approved' : 'first_approved', row, updated)
  if (approved) await runHook('onApproved', db, context, updated)
  return updated
}

/** Rejects a request awaiting approval. A checker's decision: the maker cannot reject their own request (they may cancel it). */
export async function rejectPayment(db: Transaction<DB>, context: RequestContext, id: string, reason: string, expectedVersion?: number): Promise<PaymentRequestRow> {
  assertApprover(context.actor)
  const row = await lockForTransition(db, context, id, expectedVersion)
  const status = paymentWorkflow.target('reject', row.status)
  if (context.actor.sub === row.requested_by) throw makerCheckerViolation('You requested this payment; another approver must decide on it (you may cancel it)', row)
  const updated = await repository.updatePaymentRequest(db, id, { status, rejected_by: context.actor.sub, rejected_at: new Date(), rejection_reason: reason })
  await recordPaymentChange(db, context, 'rejected', row, updated)
  await runHook('onRejected', db, context, updated)
  return updated
}

/** Locks the budget line's row (so its ledger cannot move under us) and reads what the request's commitment still holds. */
async function openCommitmentOf(db: Transaction<DB>, row: PaymentRequestRow): Promise<number> {
  await lockBudgetLines(db, [row.budget_line_id])
  return openCommitment(db, row.budget_line_id, { type: row.commitment_source_type, id: row.commitment_source_id })
}

/**
 * Cancels a request that is not paid (nor already rejected or cancelled) and releases what its
 * approval committed and is still open (a commitment the case's no-show already released is
 * not released twice). Callable by the modules whose costs are cancelled (a no-show, a voided
 * ticket). Through the API, caseworkers may cancel only requests they made.
 */
export async function cancelPaymentRequest(
  db: Transaction<DB>,
  context: RequestContext,
  paymentRequestId: string,
  reason: string,
  options: { expectedVersion?: number } = {},
): Promise<PaymentRequestRow> {
  if (reason.trim() === '') throw unprocessable('A reason is required to cancel a payment request', [{ pointer: '/reason', detail: 'must not be empty' }])
  const row = await lockForTransition(db, context, paymentRequestId, options.expectedVersion)
  const status = paymentWorkflow.target('cancel', row.status)
  let released = 0
  if (row.committed_minor > 0) {
    released = Math.min(row.committed_minor, await openCommitmentOf(db, row))
    if (released > 0) await releaseFunds(db, context, commitmentPosting(row, released, `payment request ${row.id} cancelled: ${reason}`))
  }
  const updated = await repository.updatePaymentRequest(db, paymentRequestId, {
    status,
    cancelled_by: context.actor.sub,
    cancelled_at: new Date(),
    cancellation_reason: reason.trim(),
    released_minor: released,
  })
  await recordPaymentChange(db, context, 'cancelled', row, updated)
  await runHook('onCancelled', db, context, updated)
  return updated
}

/**
 * Cancels every live payment request of a case (requested, awaiting a second approval or
 * approved; never a paid one), oldest first, releasing what each committed: for a case that
 * ends in a no-show or is cancelled. Each source module's onCancelled hook runs as usual.
 */
export async function cancelLivePaymentRequestsForCase(db: Transaction<DB>, context: RequestContext, caseId: string, reason: string): Promise<PaymentRequestRow[]> {
  const cancelled: PaymentRequestRow[] = []
  for (const id of await repository.livePaymentRequestsOfCase(db, caseId)) {
    // A source module's hook may already have cancelled a related request (a ticket's baggage charges).
    const row = await repository.findPaymentRequestRow(db, id, { forUpdate: true })
    if (!row || !repository.LIVE_PAYMENT_STATUSES.includes(row.status)) continue
    cancelled.push(await cancelPaymentRequest(db, context, id, reason))
  }
  return cancelled
}

/** Cancellation through the API: finance, approvers and admins cancel any request; caseworkers only their own. */
export async function cancelPaymentRequestAsCaller(
  db: Transaction<DB>,
  context: RequestContext,
  id: string,
  reason: string,
  expectedVersion?: number,
): Promise<PaymentRequestRow> {
  if (!hasRole(context.actor, 'finance', 'approver', 'admin')) {
    const row = await repository.findPaymentRequestRow(db, id)
    if (!row) throw notFound('Payment request', id)
    if (row.requested_by !== context.actor.sub) throw forbidden('Caseworkers may cancel only payment requests they made; ask finance')
  }
  return cancelPaymentRequest(db, context, id, reason, { expectedVersion })
}

interface PaidAmounts {
  paidMinor: number
  local: { amountMinor: number; currency: string; rate: string; rateDate: string; rateSource: string } | null
}

/** The project-currency amount being paid, derived from a local payment when there is one. */
function paidAmounts(row: PaymentRequestRow, input: MarkPaymentPaidInput): PaidAmounts {
  if (input.paid_on > latestAcceptableDate()) {
    throw unprocessable(`A payment cannot be dated in the future (${input.paid_on})`, [{ pointer: '/body/paid_on', detail: 'must not be in the future' }])
  }
  if (input.amount && input.amount.currency !== row.currency) {
    throw new ProblemError('currency-mismatch', `This payment is kept in ${row.currency}, the project's currency; record a payment in ${input.amount.currency} as local_payment`, {
      expected_currency: row.currency,
      errors: [{ pointer: '/body/amount/currency', detail: `must be ${row.currency}` }],
    })
  }
  const local = input.local_payment
  if (!local) return { paidMinor: input.amount?.amount_minor ?? row.amount_minor, local: null }

  if (local.amount.currency === row.currency) {
    throw new ProblemError('currency-mismatch', `A local payment is in a currency other than the project's (${row.currency}); send it as amount instead`, {
      errors: [{ pointer: '/body/local_payment/amount/currency', detail: `must not be ${row.currency}` }],
    })
  }
  if (local.rate_date > input.paid_on) {
    throw unprocessable('The exchange rate cannot be dated after the payment', [{ pointer: '/body/local_payment/rate_date', detail: 'must not be after paid_on' }])
  }
  let paidMinor: number
  try {
    paidMinor = convertToProjectCurrency({
      localAmountMinor: local.amount.amount_minor,
      localCurrency: local.amount.currency,
      rate: local.exchange_rate,
      projectCurrency: row.currency,
    })
  } catch (error) {
    if (error instanceof InvalidExchangeRateError || error instanceof RangeError) {
      throw unprocessable(error.message, [{ pointer: '/body/local_payment/exchange_rate', detail: error.message }])
    }
    throw error
  }
  if (paidMinor === 0) {
    throw unprocessable('The local amount converts to nothing in the project currency', [{ pointer: '/body/local_payment/amount/amount_minor', detail: 'converts to zero' }])
  }
  if (input.amount && input.amount.amount_minor !== paidMinor) {
    throw unprocessable(`The local payment converts to ${paidMinor} ${row.currency} minor units, not ${input.amount.amount_minor}`, [
      { pointer: '/body/amount/amount_minor', detail: `must be ${paidMinor} (derived from the local payment) or be left out` },
    ])
  }
  return {
    paidMinor,
    local: { amountMinor: local.amount.amount_minor, currency: local.amount.currency, rate: local.exchange_rate, rateDate: local.rate_date, rateSource: local.rate_source },
  }
}

/**
 * Records that an approved request was paid: reference, date, and the amount (in the project
 * currency, or derived from a local payment and its rate). The paid amount is spent from the
 * request's commitment; when it is less than approved (a cheaper invoice) the rest of what the
 * approval committed is released; more than approved is 409. Finance records any payment; a
 * partner-only user records payments of cases referred to their office (others are 404).
 */
export async function markPaymentPaid(
  db: Transaction<DB>,
  context: RequestContext,
  id: string,
  input: MarkPaymentPaidInput,
  expectedVersion?: number,
): Promise<PaymentRequestRow> {
  if (!hasRole(context.actor, 'finance', 'partner')) throw forbidden('Only finance or a partner office records payments')
  const row = await lockForTransition(db, context, id, expectedVersion)
  if (!hasRole(context.actor, 'finance') && !(row.case_id && context.actor.officeId && (await isCaseReferredTo(db, row.case_id, context.actor.officeId)))) {
    throw forbidden('A partner office records only payments of cases referred to it')
  }
  const status = paymentWorkflow.target('mark_paid', row.status)
  const { paidMinor, local } = paidAmounts(row, input)
  if (paidMinor > row.amount_minor) {
    throw conflict(`The payment (${paidMinor}) exceeds the approved amount (${row.amount_minor} ${row.currency} minor units); request and approve the difference separately`, {
      approved: money(row.amount_minor, row.currency),
      paid: money(paidMinor, row.currency),
    })
  }
  const note = `payment request ${row.id} paid (${input.payment_reference})`
  await spendFunds(db, context, commitmentPosting(row, paidMinor, note))
  const rest = row.commit_on_approval ? row.committed_minor - paidMinor : 0
  if (rest > 0) await releaseFunds(db, context, commitmentPosting(row, rest, `${note}: ${row.committed_minor - paidMinor} less than approved`))
  const updated = await repository.updatePaymentRequest(db, id, {
    status,
    paid_by: context.actor.sub,
    paid_recorded_at: new Date(),
    paid_on: input.paid_on,
    payment_reference: input.payment_reference,
    paid_amount_minor: paidMinor,
    released_minor: Math.max(rest, 0),
    local_amount_minor: local?.amountMinor ?? null,
    local_currency: local?.currency ?? null,
    exchange_rate: local?.rate ?? null,
    rate_date: local?.rateDate ?? null,
    rate_source: local?.rateSource ?? null,
  })
  await recordPaymentChange(db, context, 'paid', row, updated)
  await runHook('onPaid', db, context, updated)
  return updated
}

export async function listPaymentRequests(db: Kysely<DB>, actor: Actor, filter: Parameters<typeof repository.listPaymentRequests>[1]) {
  return repository.listPaymentRequests(db, filter, { partnerOfficeId: isPartnerOnly(actor) ? actor.officeId : null })
}
