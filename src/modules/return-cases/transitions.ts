import type { Kysely, Transaction } from 'kysely'
import type { CaseStatus, ClosureReason, DB } from '../../db/schema.js'
import type { RequestContext } from '../../shared/context.js'
import { emitEvent } from '../../shared/outbox.js'
import { ProblemError, invalidField, unprocessable } from '../../shared/problems.js'
import { Workflow } from '../../shared/workflow.js'
import { assertProjectAcceptsCase } from '../projects/index.js'
import { caseDependents, liveMoneyOfCase } from './ports.js'
import { insertHistory, updateCase, type CaseChanges, type ReturnCaseRow } from './repository.js'
import { todayIso } from '../../shared/dates.js'
import { partnerOfficesIn } from '../offices/index.js'
import { recordAudits } from '../../shared/audit.js'

/**
 * The whole life of a return case as one state machine. This module drives submit, counselling,
 * the decision, withdrawal and closure; travel drives booking, departure, arrival, no-show and
 * cancellation, and reintegration its start, each through `transitionCase`.
 */
export const CASE_WORKFLOW = new Workflow<CaseStatus, CaseAction>('return case', {
  submit: { from: ['draft'], to: 'submitted' },
  start_counselling: { from: ['submitted'], to: 'in_counselling' },
  approve: { from: ['in_counselling'], to: 'approved' },
  reject: { from: ['submitted', 'in_counselling'], to: 'rejected' },
  withdraw: { from: ['draft', 'submitted', 'in_counselling', 'approved'], to: 'withdrawn' },
  mark_travel_booked: { from: ['approved'], to: 'travel_booked' },
  mark_departed: { from: ['travel_booked'], to: 'departed' },
  mark_arrived: { from: ['departed'], to: 'arrived' },
  mark_no_show: { from: ['approved', 'travel_booked'], to: 'no_show' },
  cancel: { from: ['approved', 'travel_booked'], to: 'cancelled' },
  start_reintegration: { from: ['arrived'], to: 'in_reintegration' },
  close: { from: ['rejected', 'withdrawn', 'no_show', 'cancelled', 'arrived', 'in_reintegration'], to: 'closed' },
})

export type CaseAction =
  | 'submit'
  | 'start_counselling'
  | 'approve'
  | 'reject'
  | 'withdraw'
  | 'mark_travel_booked'
  | 'mark_departed'
  | 'mark_arrived'
  | 'mark_no_show'
  | 'cancel'
  | 'start_reintegration'
  | 'close'

/**
 * Why a case closes, by the status it closes from: the figures count closures by reason and
 * never have to guess it from the history. A cancellation (travel called off by the office)
 * is `other`; its free-text reason stays in the history.
 */
export const CLOSURE_REASONS: Readonly<Partial<Record<CaseStatus, ClosureReason>>> = {
  rejected: 'rejected',
  withdrawn: 'withdrawn',
  no_show: 'no_show',
  cancelled: 'other',
  arrived: 'returned',
  in_reintegration: 'returned',
}

/** The reason a case closing from `status` records. */
export function closureReasonFrom(status: CaseStatus): ClosureReason {
  return CLOSURE_REASONS[status] ?? 'other'
}

/** Actions that must say why: the decision against the migrant, their withdrawal, and closure. */
export const REASON_REQUIRED: ReadonlySet<CaseAction> = new Set<CaseAction>(['reject', 'withdraw', 'close'])

/** Before approval nothing is shared with a partner office unless a counsellor refers the case. */
async function unambiguousPartnerOffice(db: Kysely<DB>, country: string): Promise<string | undefined> {
  const offices = await partnerOfficesIn(db, country)
  return offices.length === 1 ? offices[0]?.id : undefined
}

/**
 * Checks the rules an action needs beyond the state table (a withdrawal leaves no money live, a
 * closure no active plan); returns extra changes it makes.
 */
async function guard(db: Transaction<DB>, context: RequestContext, caseRow: ReturnCaseRow, action: CaseAction): Promise<CaseChanges> {
  if (action === 'submit') {
    const missing: Array<{ pointer: string; detail: string }> = []
    if (caseRow.consent_given_at === null) missing.push({ pointer: '/consent', detail: 'consent to data processing must be recorded before submission' })
    const principal = await db.selectFrom('case_members').select('id').where('case_id', '=', caseRow.id).where('is_principal', '=', true).executeTakeFirst()
    if (!principal) missing.push({ pointer: '/members', detail: 'the principal applicant must be recorded before submission' })
    if (missing.length > 0) throw unprocessable(`Return case ${caseRow.reference} cannot be submitted yet`, missing)
  }
  if (action === 'withdraw') {
    // A withdrawal releases nothing: money requested or committed for the case must go through a cancellation.
    const live = await liveMoneyOfCase(db, caseRow.id)
    if (live.payment_request_ids.length > 0 || live.reintegration_plan_ids.length > 0) {
      throw new ProblemError(
        'conflict',
        `Return case ${caseRow.reference} has ${live.payment_request_ids.length} live payment request(s) and ${live.reintegration_plan_ids.length} active reintegration plan(s); ` +
          `use POST /v1/return-cases/${caseRow.id}:cancel, which cancels and releases them, instead of a withdrawal`,
        live,
      )
    }
  }
  if (action === 'close') {
    const plans = await caseDependents.get().activeReintegrationPlans(db, caseRow.id)
    if (plans.length > 0) {
      throw new ProblemError('conflict', `Return case ${caseRow.reference} has ${plans.length} active reintegration plan(s); complete or abandon them before closing the case`, {
        reintegration_plan_ids: plans,
      })
    }
  }
  if (action === 'approve') {
    if (caseRow.created_by === context.actor.sub) {
      throw new ProblemError('maker-checker-violation', `${context.actor.sub} created return case ${caseRow.reference} and so cannot approve it`)
    }
    if (caseRow.project_id === null) {
      throw unprocessable(`Return case ${caseRow.reference} has no project; set one before approval`, [
        { pointer: '/body/project_id', detail: 'a project is required for approval' },
      ])
    }
    await assertProjectAcceptsCase(db, caseRow.project_id, caseRow.intended_departure_on ?? todayIso())
    // Approval is when the partner office needs the case: referred automatically when exactly
    // one partner office covers the country of return.
    if (caseRow.partner_office_id === null) {
      const partnerOfficeId = await unambiguousPartnerOffice(db, caseRow.country_of_return)
      if (partnerOfficeId) return { partner_office_id: partnerOfficeId, referred_at: new Date() }
    }
  }
  return {}
}

/**
 * Moves a case through the workflow in the caller's transaction: checks the action is allowed
 * from the current status (409 invalid-transition naming it) and its rules (a reason where
 * required, consent and principal to submit, maker-checker and project to approve, nothing live
 * to withdraw, no active plan to close), then writes
 * the new status and version, the status-history row, an audit entry and an outbox event.
 * Pass a row read with `findCaseForActor(..., { forUpdate: true })`; a row changed since it
 * was read is refused with 409 rather than overwritten.
 */
export async function transitionCase(
  db: Transaction<DB>,
  context: RequestContext,
  caseRow: ReturnCaseRow,
  action: CaseAction,
  reason: string | null = null,
  options: { occurredAt?: Date } = {},
): Promise<ReturnCaseRow> {
  const to = CASE_WORKFLOW.target(action, caseRow.status)
  const why = reason?.trim() || null
  if (REASON_REQUIRED.has(action) && why === null) throw invalidField('/body/reason', `A reason is required to ${action} a return case`)
  const extra = await guard(db, context, caseRow, action)
  const now = new Date()
  const closure = to === 'closed' ? { closed_at: now, closure_reason: closureReasonFrom(caseRow.status) } : {}
  const updated = await updateCase(db, caseRow.id, { ...extra, status: to, ...closure }, caseRow.status)
  if (!updated) {
    throw new ProblemError('conflict', `Return case ${caseRow.reference} changed while this ${action} was being processed; read it again and retry`)
  }
  // A back-dated move (a departure confirmed for last month) is dated when it happened.
  await insertHistory(db, context, { caseId: caseRow.id, action, from: caseRow.status, to, reason: why, occurredAt: options.occurredAt })
  const before: Record<string, unknown> = { status: caseRow.status, partner_office_id: caseRow.partner_office_id }
  const after: Record<string, unknown> = {
    status: to,
    partner_office_id: updated.partner_office_id,
    reason: why,
    ...(updated.closure_reason ? { closure_reason: updated.closure_reason } : {}),
  }
  await recordAudits(db, context, [{ action: `return_case.${to}`, entityType: 'return_case', entityId: caseRow.id, caseId: caseRow.id, before, after }])
  const payload = {
    id: updated.id,
    reference: updated.reference,
    action,
    from_status: caseRow.status,
    to_status: to,
    office_id: updated.office_id,
    partner_office_id: updated.partner_office_id,
    project_id: updated.project_id,
    ...(updated.closure_reason ? { closure_reason: updated.closure_reason } : {}),
    version: updated.version,
  }
  await emitEvent(db, { type: `return_case.${to}`, entityType: 'return_case', entityId: updated.id, caseId: updated.id, payload })
  if (extra.partner_office_id) {
    await emitEvent(db, { type: 'return_case.referred', entityType: 'return_case', entityId: updated.id, caseId: updated.id, payload: { ...payload, automatic: true } })
  }
  return updated
}
