import type { Kysely, Transaction } from 'kysely'
import type { DB, DisbursementStatus } from '../../db/schema.js'
import type { RequestContext } from '../../shared/context.js'
import { assertVersion } from '../../shared/etag.js'
import { newId } from '../../shared/ids.js'
import type { Page } from '../../shared/pagination.js'
import { ProblemError, conflict, forbidden, invalidField, unprocessable } from '../../shared/problems.js'
import type { Actor } from '../../shared/roles.js'
import { requestPayment, type PaymentHooks, type PaymentRequestRow } from '../payments/index.js'
import { lockBudgetLines } from '../projects/index.js'
import { assertCaseOpen, findCaseForActor, transitionCase } from '../return-cases/index.js'
import { findSupplierRow } from '../suppliers/index.js'
import { RETURNED_CASE_STATUSES, assertCaseStatus, currencyMismatch } from './cases.js'
import { assertFirstContactRecorded } from './contact-deadlines.js'
import { completeIfDone, planNotFound } from './plans.js'
import * as repository from './repository.js'
import type { DisbursementRow } from './repository.js'
import { checkedItems } from './requests.js'
import type { ConfirmDeliveryInput, CreateDisbursementInput, DisbursementRecord } from './schemas.js'
import { DELIVERABLE_STATUSES, disbursementWorkflow, planWorkflow } from './transitions.js'
import { todayIso } from '../../shared/dates.js'
import { recordCaseRowChange } from '../../shared/audit.js'
import { updateVersioned } from '../../shared/rows.js'
import { pick } from '../../shared/objects.js'
import { money } from '../../shared/money.js'

/** What the partner office writes about a delivery may describe the household: audited as changed only. */
const DELIVERY_MASKED_FIELDS = ['delivery_notes'] as const

function disbursementNotFound(disbursementId: string): ProblemError {
  return new ProblemError('not-found', `Disbursement ${disbursementId} does not exist in this plan`)
}

function snapshot(row: DisbursementRow): Record<string, unknown> {
  return pick(row, [
    'plan_id', 'supplier_id', 'payment_request_id', 'items', 'amount_minor', 'currency', 'invoice_number', 'invoice_date',
    'status', 'paid_amount_minor', 'delivered_on', 'delivered_items', 'delivery_notes',
  ])
}

function eventPayload(row: DisbursementRow): Record<string, unknown> {
  return {
    ...pick(row, ['id', 'plan_id', 'case_id', 'supplier_id', 'payment_request_id', 'invoice_number', 'invoice_date', 'status', 'paid_amount_minor', 'delivered_on', 'version']),
    amount: money(row.amount_minor, row.currency),
  }
}

async function recordDisbursementChange(db: Transaction<DB>, context: RequestContext, action: string, before: DisbursementRow | null, after: DisbursementRow): Promise<void> {
  await recordCaseRowChange(db, context, 'reintegration_disbursement', action, after, {
    before: before && snapshot(before),
    after: snapshot(after),
    maskedFields: DELIVERY_MASKED_FIELDS,
    payload: eventPayload(after),
  })
}

function notASupplier(detail: string): ProblemError {
  return unprocessable(`${detail}: a disbursement is always paid to a registered supplier, never to the returnee`, [{ pointer: '/body/supplier_id', detail }])
}

/**
 * Requests a payment to a supplier against an active plan, once the returnees have arrived. The
 * supplier must be registered, in the plan's country, by the partner office the case is referred
 * to (which confirms delivery). The amount is the sum of the items and, together with the plan's
 * other live and paid disbursements, never exceeds the plan's budget: the plan row is locked, so
 * concurrent requests are checked one after the other (409 `plan-budget-exceeded`). The payment
 * request spends the plan's commitment when it is paid (maker-checker approval in between).
 * The first disbursement starts the case's reintegration (`arrived` → `in_reintegration`).
 */
export async function createDisbursement(
  db: Transaction<DB>,
  context: RequestContext,
  ids: { caseId: string; planId: string },
  input: CreateDisbursementInput,
): Promise<DisbursementRecord> {
  const caseRow = await findCaseForActor(db, context.actor, ids.caseId, { forUpdate: true })
  const plan = await repository.findPlan(db, caseRow.id, ids.planId, { forUpdate: true })
  if (!plan) throw planNotFound(ids.planId)
  assertCaseStatus(caseRow, RETURNED_CASE_STATUSES, 'Suppliers are paid once the returnees have arrived')
  planWorkflow.target('disburse', plan.status)
  await assertFirstContactRecorded(db, caseRow)

  // Locked, so a deactivation cannot slip in between this check and the disbursement.
  const supplier = await findSupplierRow(db, input.supplier_id, { forUpdate: true })
  if (!supplier) throw notASupplier(`${input.supplier_id} is not a registered supplier`)
  if (!supplier.active) throw notASupplier(`supplier ${supplier.name} is deactivated (${supplier.deactivation_reason ?? 'no reason recorded'}) and may not be paid`)
  if (supplier.country !== caseRow.country_of_return) throw notASupplier(`supplier ${supplier.name} is registered in ${supplier.country}, not in ${caseRow.country_of_return}, the country of the plan`)
  if (caseRow.partner_office_id === null) {
    throw conflict(`Return case ${caseRow.reference} is not referred to a partner office, which would confirm the delivery; refer it first`, { case_id: caseRow.id })
  }
  if (supplier.office_id !== caseRow.partner_office_id) {
    throw notASupplier(`supplier ${supplier.name} is registered by another partner office than the one case ${caseRow.reference} is referred to`)
  }
  if (input.invoice_date > todayIso()) throw invalidField('/body/invoice_date', 'must not be in the future')
  const { values, totalMinor } = checkedItems(input.items, plan.currency, '/body/items')
  if (input.amount) {
    if (input.amount.currency !== plan.currency) throw currencyMismatch(plan.currency, ['/body/amount/currency'])
    if (input.amount.amount_minor !== totalMinor) {
      throw unprocessable(`The amount must be the sum of the items (${totalMinor} ${plan.currency} minor units)`, [
        { pointer: '/body/amount/amount_minor', detail: `must be ${totalMinor}, the sum of the items (or be left out)` },
      ])
    }
  }
  const usage = await repository.planUsage(db, plan.id)
  const availableMinor = plan.budget_minor - usage.disbursedMinor
  if (totalMinor > availableMinor) {
    throw new ProblemError(
      'plan-budget-exceeded',
      `Reintegration plan ${plan.id} has ${availableMinor} ${plan.currency} minor units left of its budget of ${plan.budget_minor}; a disbursement of ${totalMinor} would exceed it`,
      {
        plan_id: plan.id,
        budget: money(plan.budget_minor, plan.currency),
        available: money(availableMinor, plan.currency),
        requested: money(totalMinor, plan.currency),
      },
    )
  }
  const invoiceNumber = input.invoice_number.trim()
  const duplicate = await db
    .selectFrom('reintegration_disbursements')
    .select(['id', 'status'])
    .where('supplier_id', '=', supplier.id)
    .where((eb) => eb(eb.fn('upper', ['invoice_number']), '=', invoiceNumber.toUpperCase()))
    .where('status', 'not in', ['rejected', 'cancelled'])
    .executeTakeFirst()
  if (duplicate) {
    throw new ProblemError('duplicate-resource', `Invoice ${invoiceNumber} of ${supplier.name} is already paid or being paid by disbursement ${duplicate.id}`, {
      existing_id: duplicate.id,
      errors: [{ pointer: '/body/invoice_number', detail: 'already used for this supplier' }],
    })
  }

  const disbursementId = newId()
  const payment = await requestPayment(db, context, {
    kind: 'disbursement',
    source: { type: 'disbursement', id: disbursementId },
    budgetLineId: plan.budget_line_id,
    amount: money(totalMinor, plan.currency),
    caseId: caseRow.id,
    payee: { type: 'supplier', id: supplier.id, name: supplier.name },
    description: `In-kind reintegration, case ${caseRow.reference}: invoice ${invoiceNumber} of ${supplier.name}`,
    commitOnApproval: false,
    commitmentSource: { type: 'reintegration_plan', id: plan.id },
  })
  const row = await db
    .insertInto('reintegration_disbursements')
    .values({
      id: disbursementId,
      plan_id: plan.id,
      case_id: caseRow.id,
      supplier_id: supplier.id,
      payment_request_id: payment.id,
      items: JSON.stringify(values),
      amount_minor: totalMinor,
      currency: plan.currency,
      invoice_number: invoiceNumber,
      invoice_date: input.invoice_date,
      status: 'requested',
      created_by: context.actor.sub,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
  await recordDisbursementChange(db, context, 'requested', null, row)
  await repository.touchPlan(db, plan.id)
  if (caseRow.status === 'arrived') await transitionCase(db, context, caseRow, 'start_reintegration')
  return repository.presentDisbursement(db, row)
}

/**
 * The partner office confirms what was delivered, once per disbursement: it must be the office the
 * case is referred to (others do not see the case: 404) and the office that registered the
 * supplier (403 otherwise). A plan whose budget is spent and whose disbursements are all paid and
 * delivered completes here.
 */
export async function confirmDelivery(
  db: Transaction<DB>,
  context: RequestContext,
  ids: { caseId: string; planId: string; disbursementId: string },
  expectedVersion: number | undefined,
  input: ConfirmDeliveryInput,
): Promise<DisbursementRecord> {
  const { actor } = context
  const caseRow = await findCaseForActor(db, actor, ids.caseId)
  const visible = await repository.findPlan(db, caseRow.id, ids.planId)
  if (!visible) throw planNotFound(ids.planId)
  // A delivery may complete the plan, which releases on its line: the line is locked before the plan (the lock order).
  await lockBudgetLines(db, [visible.budget_line_id])
  const plan = await repository.findPlan(db, caseRow.id, ids.planId, { forUpdate: true })
  if (!plan) throw planNotFound(ids.planId)
  const current = await repository.findDisbursement(db, plan.id, ids.disbursementId, { forUpdate: true })
  if (!current) throw disbursementNotFound(ids.disbursementId)
  assertCaseOpen(caseRow)
  if (actor.officeId === null || actor.officeId !== caseRow.partner_office_id) {
    throw forbidden(`Delivery is confirmed by the partner office return case ${caseRow.reference} is referred to`)
  }
  const supplier = await findSupplierRow(db, current.supplier_id)
  if (!supplier || supplier.office_id !== actor.officeId) {
    throw forbidden(`Supplier ${supplier?.name ?? current.supplier_id} is registered by another partner office; only that office confirms its deliveries`)
  }
  assertVersion(current.version, expectedVersion)
  if (!DELIVERABLE_STATUSES.includes(current.status)) {
    throw new ProblemError('invalid-transition', `Cannot confirm delivery of a disbursement that is ${current.status}`, {
      current_status: current.status,
      action: 'confirm_delivery',
      allowed_from: DELIVERABLE_STATUSES,
    })
  }
  if (current.delivered_on !== null) {
    throw conflict(`Delivery of disbursement ${current.id} was confirmed on ${current.delivered_on} by ${current.delivery_confirmed_by}`, {
      delivered_on: current.delivered_on,
    })
  }
  if (input.delivered_on > todayIso()) throw invalidField('/body/delivered_on', 'must not be in the future')
  const updated = await updateVersioned(db, 'reintegration_disbursements', current.id, {
    delivered_on: input.delivered_on,
    delivered_items: input.delivered_items.trim(),
    delivery_notes: input.notes?.trim() ?? null,
    delivery_confirmed_by: actor.sub,
    delivery_confirmed_at: new Date(),
  })
  await recordDisbursementChange(db, context, 'delivered', current, updated)
  await completeIfDone(db, context, plan)
  return repository.presentDisbursement(db, updated)
}

export async function listDisbursements(db: Kysely<DB>, actor: Actor, ids: { caseId: string; planId: string }, page: { limit?: number; cursor?: string }): Promise<Page<DisbursementRecord>> {
  const caseRow = await findCaseForActor(db, actor, ids.caseId)
  const plan = await repository.findPlan(db, caseRow.id, ids.planId)
  if (!plan) throw planNotFound(ids.planId)
  return repository.disbursementPage(db, plan.id, page)
}

export async function getDisbursement(db: Kysely<DB>, actor: Actor, ids: { caseId: string; planId: string; disbursementId: string }): Promise<DisbursementRecord> {
  const caseRow = await findCaseForActor(db, actor, ids.caseId)
  const plan = await repository.findPlan(db, caseRow.id, ids.planId)
  if (!plan) throw planNotFound(ids.planId)
  const row = await repository.findDisbursement(db, plan.id, ids.disbursementId)
  if (!row) throw disbursementNotFound(ids.disbursementId)
  return repository.presentDisbursement(db, row)
}

// ---------------------------------------------------------------- following the payment

/**
 * The disbursement a payment request of kind `disbursement` pays, with its plan locked first (the
 * order every plan change takes). A disbursement payment that is not backed by a disbursement to
 * that same registered supplier is refused: whatever creates payment requests, money for in-kind
 * reintegration goes only to suppliers.
 */
async function lockDisbursementOfPayment(db: Transaction<DB>, payment: PaymentRequestRow) {
  const found =
    payment.source_type === 'disbursement'
      ? await db.selectFrom('reintegration_disbursements').select(['id', 'plan_id']).where('id', '=', payment.source_id).where('payment_request_id', '=', payment.id).executeTakeFirst()
      : undefined
  if (!found) {
    throw unprocessable(`Payment request ${payment.id} pays no reintegration disbursement; in-kind reintegration is paid only through disbursements to registered suppliers`, [
      { pointer: '/source', detail: 'not a disbursement of a reintegration plan' },
    ])
  }
  const plan = await repository.findPlanById(db, found.plan_id, { forUpdate: true })
  const row = await db.selectFrom('reintegration_disbursements').selectAll().where('id', '=', found.id).forUpdate().executeTakeFirstOrThrow()
  if (payment.payee_type !== 'supplier' || payment.payee_id !== row.supplier_id) {
    throw unprocessable(`Payment request ${payment.id} is not made out to the disbursement's supplier; a disbursement is always paid to its supplier, never to the returnee`, [
      { pointer: '/payee', detail: 'must be the supplier of the disbursement' },
    ])
  }
  return { plan: plan as repository.PlanRow, row }
}

async function followPayment(db: Transaction<DB>, context: RequestContext, payment: PaymentRequestRow, action: 'approve' | 'reject' | 'pay' | 'cancel'): Promise<void> {
  const { plan, row } = await lockDisbursementOfPayment(db, payment)
  const status: DisbursementStatus = disbursementWorkflow.target(action, row.status)
  const updated = await updateVersioned(db, 'reintegration_disbursements', row.id, {
    status,
    ...(status === 'paid' ? { paid_amount_minor: payment.paid_amount_minor } : {}),
  })
  await recordDisbursementChange(db, context, status, row, updated)
  await repository.touchPlan(db, plan.id)
  if (status === 'paid') await completeIfDone(db, context, plan)
}

/** How disbursement costs follow their payment requests (wired in src/modules/index.ts). */
export const disbursementPaymentHooks: PaymentHooks = {
  onApproved: (db, context, payment) => followPayment(db, context, payment, 'approve'),
  onRejected: (db, context, payment) => followPayment(db, context, payment, 'reject'),
  onPaid: (db, context, payment) => followPayment(db, context, payment, 'pay'),
  onCancelled: (db, context, payment) => followPayment(db, context, payment, 'cancel'),
}
