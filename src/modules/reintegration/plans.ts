import type { Kysely, Transaction } from 'kysely'
import type { DB } from '../../db/schema.js'
import type { RequestContext } from '../../shared/context.js'
import { assertVersion } from '../../shared/etag.js'
import type { Page } from '../../shared/pagination.js'
import { ProblemError, conflict } from '../../shared/problems.js'
import type { Actor } from '../../shared/roles.js'
import { lockBudgetLines, openCommitment, releaseFunds } from '../projects/index.js'
import { findCaseForActor } from '../return-cases/index.js'
import * as repository from './repository.js'
import type { DisbursementRow, PlanRow } from './repository.js'
import type { ReintegrationPlanRecord } from './schemas.js'
import { planWorkflow } from './transitions.js'
import { recordChange } from '../../shared/audit.js'
import { updateVersioned } from '../../shared/rows.js'
import { money } from '../../shared/money.js'

export function planNotFound(planId: string): ProblemError {
  return new ProblemError('not-found', `Reintegration plan ${planId} does not exist in this case`)
}

export async function listPlans(db: Kysely<DB>, actor: Actor, caseId: string, page: { limit?: number; cursor?: string }): Promise<Page<ReintegrationPlanRecord>> {
  const caseRow = await findCaseForActor(db, actor, caseId)
  return repository.planPage(db, caseRow.id, page)
}

export async function getPlan(db: Kysely<DB>, actor: Actor, caseId: string, planId: string): Promise<ReintegrationPlanRecord> {
  const caseRow = await findCaseForActor(db, actor, caseId)
  const plan = await repository.findPlan(db, caseRow.id, planId)
  if (!plan) throw planNotFound(planId)
  return repository.presentPlan(db, plan)
}

/** Requested or approved, not yet paid: its payment still draws on the plan's commitment. */
const awaitingPayment = (row: DisbursementRow) => row.status === 'requested' || row.status === 'approved'

/** Why the plan cannot be completed yet, or null when every live disbursement is paid and delivered. */
function incompleteReason(disbursements: readonly DisbursementRow[]): { detail: string; ids: string[] } | null {
  const unpaid = disbursements.filter(awaitingPayment)
  if (unpaid.length > 0) return { detail: 'has disbursements not yet paid', ids: unpaid.map((row) => row.id) }
  const paid = disbursements.filter((row) => row.status === 'paid')
  if (paid.length === 0) return { detail: 'has no paid disbursement (abandon it instead)', ids: [] }
  const undelivered = paid.filter((row) => row.delivered_on === null)
  if (undelivered.length > 0) return { detail: 'has paid disbursements whose delivery is not confirmed', ids: undelivered.map((row) => row.id) }
  return null
}

/**
 * Ends the plan (completed or abandoned) and releases exactly what it still holds on the budget
 * line: its open commitment there, i.e. the budget less what was paid to suppliers. Call with the
 * plan row locked.
 */
async function closePlan(db: Transaction<DB>, context: RequestContext, plan: PlanRow, action: 'complete' | 'abandon', reason: string | null): Promise<PlanRow> {
  const to = planWorkflow.target(action, plan.status)
  const source = { type: 'reintegration_plan' as const, id: plan.id }
  await lockBudgetLines(db, [plan.budget_line_id])
  const open = await openCommitment(db, plan.budget_line_id, source)
  if (open > 0) {
    await releaseFunds(db, context, {
      budgetLineId: plan.budget_line_id,
      amount: money(open, plan.currency),
      source,
      caseId: plan.case_id,
      note: `reintegration plan ${plan.id} ${to}: unspent budget released`,
    })
  }
  const updated = await updateVersioned(db, 'reintegration_plans', plan.id, {
    status: to,
    closed_by: context.actor.sub,
    closed_at: new Date(),
    closure_reason: reason,
    released_minor: open,
  })
  const released = money(open, plan.currency)
  await recordChange(db, context, {
    action: `reintegration_plan.${to}`,
    entityType: 'reintegration_plan',
    entityId: plan.id,
    caseId: plan.case_id,
    before: { status: plan.status, released_minor: plan.released_minor },
    after: { status: to, released_minor: open, reason },
    payload: { id: plan.id, case_id: plan.case_id, request_id: plan.request_id, status: to, released, reason },
  })
  return updated
}

/**
 * The plan of a case, locked in the lock order (docs/modules/reintegration.md): its budget line,
 * then the case, then the plan; closing a plan releases on that line.
 */
async function lockPlan(db: Transaction<DB>, context: RequestContext, caseId: string, planId: string, expectedVersion: number | undefined): Promise<PlanRow> {
  const visible = await repository.findPlan(db, (await findCaseForActor(db, context.actor, caseId)).id, planId)
  if (!visible) throw planNotFound(planId)
  await lockBudgetLines(db, [visible.budget_line_id])
  const caseRow = await findCaseForActor(db, context.actor, caseId, { forUpdate: true })
  const plan = await repository.findPlan(db, caseRow.id, planId, { forUpdate: true })
  if (!plan) throw planNotFound(planId)
  assertVersion(plan.version, expectedVersion)
  return plan
}

/**
 * Abandons an active plan and releases what was not spent. Refused (409) while a disbursement is
 * requested or approved but not paid: cancel or settle it first, so no supplier payment is left
 * without the commitment it spends. Possible on a closed case too: releasing money never waits.
 */
export async function abandonPlan(
  db: Transaction<DB>,
  context: RequestContext,
  ids: { caseId: string; planId: string },
  expectedVersion: number | undefined,
  reason: string,
): Promise<ReintegrationPlanRecord> {
  const plan = await lockPlan(db, context, ids.caseId, ids.planId, expectedVersion)
  planWorkflow.target('abandon', plan.status)
  const live = (await repository.disbursementsOfPlan(db, plan.id)).filter(awaitingPayment)
  if (live.length > 0) {
    throw conflict(`Reintegration plan ${plan.id} has disbursements awaiting payment; cancel or pay them before abandoning it`, {
      disbursement_ids: live.map((row) => row.id),
    })
  }
  return repository.presentPlan(db, await closePlan(db, context, plan, 'abandon', reason.trim()))
}

/**
 * Completes a plan whose disbursements are all paid and delivered, releasing the part of the
 * budget it did not use. (A plan that used its whole budget completes by itself when its last
 * disbursement is paid and delivered.)
 */
export async function completePlan(
  db: Transaction<DB>,
  context: RequestContext,
  ids: { caseId: string; planId: string },
  expectedVersion: number | undefined,
  note: string | null,
): Promise<ReintegrationPlanRecord> {
  const plan = await lockPlan(db, context, ids.caseId, ids.planId, expectedVersion)
  planWorkflow.target('complete', plan.status)
  const reason = incompleteReason(await repository.disbursementsOfPlan(db, plan.id))
  if (reason) throw conflict(`Reintegration plan ${plan.id} ${reason.detail}`, { disbursement_ids: reason.ids })
  return repository.presentPlan(db, await closePlan(db, context, plan, 'complete', note))
}

/**
 * After a payment or a delivery: a plan whose budget is used up by disbursements that are all paid
 * and delivered is complete. Call with the plan row locked.
 */
export async function completeIfDone(db: Transaction<DB>, context: RequestContext, plan: PlanRow): Promise<void> {
  if (plan.status !== 'active') return
  if (incompleteReason(await repository.disbursementsOfPlan(db, plan.id))) return
  const usage = await repository.planUsage(db, plan.id)
  if (usage.spentMinor < plan.budget_minor) return
  await closePlan(db, context, plan, 'complete', 'Completed: the budget is spent and every disbursement is paid and delivered')
}

/**
 * For modules that end a case without a return (a no-show, a cancellation): abandons the case's
 * active plans, releasing what each still holds. Plans with disbursements awaiting payment are
 * refused as in `abandonPlan` (cancel those payment requests first).
 */
export async function abandonPlansOfCase(db: Transaction<DB>, context: RequestContext, caseId: string, reason: string): Promise<string[]> {
  const plans = await repository.lockActivePlansOfCase(db, caseId)
  const abandoned: string[] = []
  for (const plan of plans) {
    const live = (await repository.disbursementsOfPlan(db, plan.id)).filter(awaitingPayment)
    if (live.length > 0) {
      throw conflict(`Reintegration plan ${plan.id} has disbursements awaiting payment; cancel them first`, { disbursement_ids: live.map((row) => row.id) })
    }
    await closePlan(db, context, plan, 'abandon', reason)
    abandoned.push(plan.id)
  }
  return abandoned
}
