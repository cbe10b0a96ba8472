import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import type { Role } from '../../shared/roles.js'
import { MarkPaymentPaid, PaymentDetails, PaymentReason, PaymentRequest, PaymentRequestList, PaymentRequestListQuery, PaymentRequestParams } from './schemas.js'
import * as service from './service.js'
import { problemResponses } from '../../shared/problems.js'
import { listRoute, readRoute, registerCustomMethods } from '../../shared/routes.js'

const READERS: readonly Role[] = ['counsellor', 'operations', 'finance', 'approver', 'auditor', 'admin', 'partner']
const TAGS = ['payment-requests']
const PATH = '/v1/payment-requests/:id(^[0-9a-f-]{36})'

const TRANSITION_RESPONSES = {
  200: Type.Ref(PaymentRequest),
  ...problemResponses(400, 404, 409, 412, 422),
}

const IF_MATCH_NOTE = 'Send `If-Match` with the ETag you last read to be sure you act on that version (412 otherwise); the state guard (409) applies either way.'

export default async function paymentsModule(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  for (const schema of [PaymentDetails, PaymentRequest, PaymentRequestList, PaymentReason, MarkPaymentPaid]) app.addSchema(schema)

  listRoute(app, {
    path: '/v1/payment-requests',
    tags: TAGS,
    roles: READERS,
    operationId: 'listPaymentRequests',
    summary: 'List payment requests',
    description:
      'Payment requests in creation order, filtered by status, kind, case, project or budget line. A partner office sees only the requests of cases referred to it.',
    query: PaymentRequestListQuery,
    list: PaymentRequestList,
    run: ({ db, context, query }) => service.listPaymentRequests(db, context.actor, query),
  })

  readRoute(app, {
    path: PATH,
    tags: TAGS,
    roles: READERS,
    operationId: 'getPaymentRequest',
    summary: 'Get a payment request',
    params: PaymentRequestParams,
    resource: PaymentRequest,
    run: ({ db, context, params }) => service.getPaymentRequest(db, context.actor, params.id).then(service.toRecord),
  })

  registerCustomMethods(app, { path: PATH, tags: TAGS, params: PaymentRequestParams, response: TRANSITION_RESPONSES, note: IF_MATCH_NOTE, present: service.toRecord }, [
    {
      verb: 'approve',
      roles: ['approver'],
      operationId: 'approvePaymentRequest',
      summary: 'Approve a payment request (checker)',
      description:
        'Approves as checker. The person who requested the payment can never approve it, whatever roles they hold (403 `maker-checker-violation`). ' +
        'Above the project\'s second-approval threshold two different approvers are needed: the first approval moves it to `awaiting_second_approval`, ' +
        'and the same approver cannot give the second. The final approval commits the amount on the budget line; when the line cannot cover it ' +
        'the approval is refused with 409 `budget-line-exhausted` and nothing changes.',
      body: undefined,
      run: (db, context, params, expected) => service.approvePayment(db, context, params.id, expected),
    },
    {
      verb: 'reject',
      roles: ['approver'],
      operationId: 'rejectPaymentRequest',
      summary: 'Reject a payment request (checker)',
      description: 'Rejects a request awaiting approval, with a reason. The requester cannot reject their own request (they may cancel it).',
      body: PaymentReason,
      run: (db, context, params, expected, body) => service.rejectPayment(db, context, params.id, body.reason, expected),
    },
    {
      verb: 'mark-paid',
      roles: ['finance', 'partner'],
      operationId: 'markPaymentRequestPaid',
      summary: 'Record that an approved payment was paid',
      description:
        'Records the payment reference and date. The amount defaults to the approved amount; less (a cheaper invoice) spends what was paid and ' +
        'releases the rest of the commitment; more is 409. A payment made in a local currency sends `local_payment` (amount, rate as local units ' +
        'per one project unit, rate date and source) and the project-currency amount is derived: local ÷ rate, rounded once to the nearest minor ' +
        'unit, an exact half up. Finance records any payment; a partner office only payments of cases referred to it. A request is paid once: a ' +
        'repeat is 409 (or, with the same `Idempotency-Key`, the first response).',
      body: MarkPaymentPaid,
      run: (db, context, params, expected, body) => service.markPaymentPaid(db, context, params.id, body, expected),
    },
    {
      verb: 'cancel',
      roles: ['counsellor', 'operations', 'finance', 'approver', 'admin'],
      operationId: 'cancelPaymentRequest',
      summary: 'Cancel a payment request',
      description:
        'Cancels a request that is not yet paid, with a reason, and releases what its approval committed. Finance, approvers and admins cancel ' +
        'any request; caseworkers only those they requested.',
      body: PaymentReason,
      run: (db, context, params, expected, body) => service.cancelPaymentRequestAsCaller(db, context, params.id, body.reason, expected),
    },
  ])
}
