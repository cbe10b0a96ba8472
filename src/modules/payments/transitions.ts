import type { PaymentStatus } from '../../db/schema.js'
import { Workflow } from '../../shared/workflow.js'
import type { PaymentAction } from './schemas.js'

/**
 * The life of a payment request. `approve` ends in `approved`, except that the first of two
 * approvals (amount above the project's threshold) stops at `awaiting_second_approval`.
 */
export const paymentWorkflow = new Workflow<PaymentStatus, PaymentAction>('payment request', {
  approve: { from: ['requested', 'awaiting_second_approval'], to: 'approved' },
  reject: { from: ['requested', 'awaiting_second_approval'], to: 'rejected' },
  mark_paid: { from: ['approved'], to: 'paid' },
  cancel: { from: ['requested', 'awaiting_second_approval', 'approved'], to: 'cancelled' },
})
