/**
 * The public face of payments: payment requests with maker-checker approval. A module that owns a
 * kind of cost creates its payment requests here and follows them through hooks wired in
 * src/modules/index.ts.
 */
export { default as paymentsRoutes } from './routes.js'
export {
  approvePayment,
  cancelLivePaymentRequestsForCase,
  cancelPaymentRequest,
  findPaymentRequest,
  markPaymentPaid,
  requestPayment,
  type PaymentHooks,
  type PaymentHooksByKind,
  type PaymentKind,
  type PaymentRequestRow,
  type RequestPaymentInput,
  wirePaymentHooks,
} from './service.js'
export { toPaymentDetails } from './repository.js'
export { MarkPaymentPaid, PaymentDetails, PaymentStatusSchema, type MarkPaymentPaidInput } from './schemas.js'
export { livePaymentRequestsOfCase } from './repository.js'
export { LIVE_PAYMENT_STATUSES, findPaymentRequestRows, lockLivePaymentRequestsOfCase, paymentStatuses } from './repository.js'
export { lockCaseForRelease } from './locks.js'
