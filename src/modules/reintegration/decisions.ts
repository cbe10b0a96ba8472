import type { Kysely, Transaction } from 'kysely'
import type { DB } from '../../db/schema.js'
import type { RequestContext } from '../../shared/context.js'
import { newId } from '../../shared/ids.js'
import { ProblemError, unprocessable } from '../../shared/problems.js'
import { budgetLineForCost, commitFunds } from '../projects/index.js'
import { findCaseForActor } from '../return-cases/index.js'
import { assertNotLapsed } from './contact-deadlines.js'
import { PLAN_CASE_STATUSES, assertCaseStatus, currencyMismatch, projectOfCase } from './cases.js'
import * as repository from './repository.js'
import type { RequestRow } from './repository.js'
import { lockRequestFor, reasonedRequestChange, recordRequestChange } from './requests.js'
import type { ApproveReintegrationRequestInput, ReintegrationRequestRecord } from './schemas.js'
import { requestWorkflow } from './transitions.js'
import { recordChange } from '../../shared/audit.js'
import { updateVersioned } from '../../shared/rows.js'
import { money } from '../../shared/money.js'

/**
 * The decision on a request is a checker's: whoever recorded the form or made the assessment the
 * decision rests on cannot decide on it (403 `maker-checker-violation`), whatever roles they hold.
 */
async function assertChecker(db: Transaction<DB>, context: RequestContext, request: RequestRow): Promise<string | null> {
  const sub = context.actor.sub
  if (sub === request.created_by) {
    throw new ProblemError('maker-checker-violation', 'You recorded this reintegration request; another approver must decide on it', { created_by: request.created_by })
  }
  if (request.current_assessment_id === null) return null
  const assessment = await db.selectFrom('reintegration_assessments').select(['id', 'assessed_by']).where('id', '=', request.current_assessment_id).executeTakeFirstOrThrow()
  if (sub === assessment.assessed_by) {
    throw new ProblemError('maker-checker-violation', 'You assessed this reintegration request; another approver must decide on it', { assessed_by: assessment.assessed_by })
  }
  return assessment.id
}

async function setStatus(db: Kysely<DB>, request: RequestRow, status: RequestRow['status']): Promise<RequestRow> {
  return updateVersioned(db, 'reintegration_requests', request.id, { status })
}

/**
 * The lock order (docs/modules/reintegration.md): the budget line before the case, as every
 * release takes them. An approval commits on the project's in-kind line, so it locks that line
 * first; a case without a project or a line is left to the checks that follow to refuse.
 */
async function lockInKindLineOfCase(db: Transaction<DB>, context: RequestContext, caseId: string): Promise<void> {
  const caseRow = await findCaseForActor(db, context.actor, caseId)
  if (caseRow.project_id === null) return
  // The line the approval will charge (its own category's, else the project's cost routing), locked.
  await budgetLineForCost(db, caseRow.project_id, 'in_kind', { forUpdate: true }).catch((error: unknown) => {
    if (error instanceof ProblemError) return undefined
    throw error
  })
}

/**
 * Approves an assessed (or waitlisted) request with a budget, at most the amount requested: the
 * budget is committed on the project's in-kind reintegration line under the new plan (ledger
 * source `reintegration_plan`), and the plan is created with the request's items. When the line
 * cannot cover the budget, the request is waitlisted if the approver asked for that
 * (`waitlist_if_exhausted`), otherwise 409 `budget-line-exhausted` and nothing changes.
 */
export async function approveRequest(
  db: Transaction<DB>,
  context: RequestContext,
  ids: { caseId: string; requestId: string },
  expectedVersion: number | undefined,
  input: ApproveReintegrationRequestInput,
): Promise<ReintegrationRequestRecord> {
  await lockInKindLineOfCase(db, context, ids.caseId)
  const { caseRow, request } = await lockRequestFor(db, context, ids, expectedVersion, 'approve', async (caseRow) => {
    assertCaseStatus(caseRow, PLAN_CASE_STATUSES, 'A reintegration plan is approved once return assistance is approved, and not after the case ended')
    await assertNotLapsed(db, caseRow)
  })
  const assessmentId = await assertChecker(db, context, request)
  const project = await projectOfCase(db, caseRow)
  if (input.budget.currency !== project.currency) throw currencyMismatch(project.currency, ['/body/budget/currency'])
  if (input.budget.amount_minor > request.amount_requested_minor) {
    throw unprocessable(`The budget cannot exceed the amount requested (${request.amount_requested_minor} ${request.currency} minor units)`, [
      { pointer: '/body/budget/amount_minor', detail: `must be at most ${request.amount_requested_minor}` },
    ])
  }
  const line = await budgetLineForCost(db, project.id, 'in_kind')
  const planId = newId()
  const note = input.note?.trim() || null
  try {
    await commitFunds(db, context, {
      budgetLineId: line.id,
      amount: input.budget,
      source: { type: 'reintegration_plan', id: planId },
      caseId: caseRow.id,
      note: `reintegration plan of request ${request.id} approved`,
    })
  } catch (error) {
    if (error instanceof ProblemError && error.slug === 'budget-line-exhausted' && input.waitlist_if_exhausted) {
      const available = (error.extensions.available as { amount_minor: number }).amount_minor
      return waitlist(db, context, request, { budgetMinor: input.budget.amount_minor, availableMinor: available, note, assessmentId })
    }
    throw error
  }

  const now = new Date()
  const plan = await db
    .insertInto('reintegration_plans')
    .values({
      id: planId,
      request_id: request.id,
      case_id: caseRow.id,
      project_id: project.id,
      budget_line_id: line.id,
      budget_minor: input.budget.amount_minor,
      currency: project.currency,
      items: JSON.stringify(request.items),
      status: 'active',
      approved_by: context.actor.sub,
      approved_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
  await db
    .insertInto('reintegration_decisions')
    .values({
      id: newId(),
      request_id: request.id,
      outcome: 'approved',
      decided_by: context.actor.sub,
      decided_at: now,
      reason: note,
      budget_minor: plan.budget_minor,
      plan_id: plan.id,
      assessment_id: assessmentId,
    })
    .execute()
  const updated = await setStatus(db, request, requestWorkflow.target('approve', request.status))
  const budget = money(plan.budget_minor, plan.currency)
  await recordRequestChange(db, context, 'reintegration_request.approved', updated, {
    before: { status: request.status },
    after: { status: updated.status, plan_id: plan.id, budget, note },
    event: { plan_id: plan.id, budget },
  })
  await recordChange(db, context, {
    action: 'reintegration_plan.created',
    entityType: 'reintegration_plan',
    entityId: plan.id,
    caseId: caseRow.id,
    after: { request_id: request.id, budget, budget_line_id: line.id, items: plan.items, status: plan.status },
    payload: { id: plan.id, request_id: request.id, case_id: caseRow.id, project_id: project.id, budget_line_id: line.id, budget, status: plan.status },
  })
  return repository.presentRequest(db, updated)
}

async function waitlist(
  db: Transaction<DB>,
  context: RequestContext,
  request: RequestRow,
  decision: { budgetMinor: number; availableMinor: number; note: string | null; assessmentId: string | null },
): Promise<ReintegrationRequestRecord> {
  const updated = await setStatus(db, request, requestWorkflow.target('waitlist', request.status))
  await db
    .insertInto('reintegration_decisions')
    .values({
      id: newId(),
      request_id: request.id,
      outcome: 'waitlisted',
      decided_by: context.actor.sub,
      reason: decision.note,
      budget_minor: decision.budgetMinor,
      available_minor: decision.availableMinor,
      assessment_id: decision.assessmentId,
    })
    .execute()
  const budget = money(decision.budgetMinor, request.currency)
  const available = money(decision.availableMinor, request.currency)
  await recordRequestChange(db, context, 'reintegration_request.waitlisted', updated, {
    before: { status: request.status },
    after: { status: updated.status, budget, available, note: decision.note },
    event: { budget, available },
  })
  return repository.presentRequest(db, updated)
}

/** Rejects a request that is not yet decided (or waitlisted), with a reason. */
export const rejectRequest = reasonedRequestChange('reject', async (db, context, request, to, reason) => {
  const assessmentId = await assertChecker(db, context, request)
  const updated = await setStatus(db, request, to)
  await db
    .insertInto('reintegration_decisions')
    .values({ id: newId(), request_id: request.id, outcome: 'rejected', decided_by: context.actor.sub, reason, assessment_id: assessmentId })
    .execute()
  return updated
})
