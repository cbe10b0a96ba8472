import type { DisbursementStatus, ReintegrationPlanStatus, ReintegrationRequestStatus } from '../../db/schema.js'
import { Workflow } from '../../shared/workflow.js'
import type { PlanAction, RequestAction } from './schemas.js'

/**
 * A request form's life. `waitlist` is what an approval becomes when the in-kind line cannot
 * cover the budget and the approver asked for it; `edit` changes the form before it is assessed.
 */
export const requestWorkflow = new Workflow<ReintegrationRequestStatus, RequestAction | 'waitlist'>('reintegration request', {
  edit: { from: ['submitted'], to: 'submitted' },
  assess: { from: ['submitted', 'assessed', 'waitlisted'], to: 'assessed' },
  approve: { from: ['assessed', 'waitlisted'], to: 'approved' },
  waitlist: { from: ['assessed', 'waitlisted'], to: 'waitlisted' },
  reject: { from: ['submitted', 'assessed', 'waitlisted'], to: 'rejected' },
  withdraw: { from: ['submitted', 'assessed', 'waitlisted'], to: 'withdrawn' },
})

export function requestActions(status: ReintegrationRequestStatus): RequestAction[] {
  return requestWorkflow.allowedActions(status).filter((action): action is RequestAction => action !== 'waitlist')
}

/** A plan is disbursed against while active; it ends completed (delivered) or abandoned (the rest released). */
export const planWorkflow = new Workflow<ReintegrationPlanStatus, PlanAction>('reintegration plan', {
  disburse: { from: ['active'], to: 'active' },
  complete: { from: ['active'], to: 'completed' },
  abandon: { from: ['active'], to: 'abandoned' },
})

/** A disbursement follows its payment request. */
export const disbursementWorkflow = new Workflow<DisbursementStatus, 'approve' | 'reject' | 'pay' | 'cancel'>('disbursement', {
  approve: { from: ['requested'], to: 'approved' },
  reject: { from: ['requested'], to: 'rejected' },
  pay: { from: ['approved'], to: 'paid' },
  cancel: { from: ['requested', 'approved'], to: 'cancelled' },
})

/** Delivery can be confirmed for a disbursement that is still live (suppliers often deliver before they are paid). */
export const DELIVERABLE_STATUSES: readonly DisbursementStatus[] = ['requested', 'approved', 'paid']
