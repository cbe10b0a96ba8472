import type { Transaction } from 'kysely'
import type { DB } from '../../db/schema.js'
import { approvePayment, markPaymentPaid } from '../../modules/payments/index.js'
import { APPROVER, FINANCE, SECOND_APPROVER } from './actors.js'

/** Approves a payment request (a second time when its amount needs it) and marks it paid on `paidOn` with `reference`. */
export async function approveAndPay(trx: Transaction<DB>, paymentRequestId: string, paidOn: string, reference: string): Promise<void> {
  const approved = await approvePayment(trx, APPROVER, paymentRequestId)
  if (approved.status === 'awaiting_second_approval') await approvePayment(trx, SECOND_APPROVER, paymentRequestId)
  await markPaymentPaid(trx, FINANCE, paymentRequestId, { payment_reference: reference, paid_on: paidOn })
}
