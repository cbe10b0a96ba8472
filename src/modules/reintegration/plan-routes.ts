import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type, type Static } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import { IdempotencyKeyHeader } from '../../shared/headers.js'
import { ALL_ROLES, type Role } from '../../shared/roles.js'
import * as disbursements from './disbursements.js'
import * as plans from './plans.js'
import {
  CompletePlan,
  ConfirmDelivery,
  CreateDisbursement,
  Disbursement,
  DisbursementList,
  DisbursementParams,
  PageQuery,
  PlanParams,
  CaseParams,
  ReintegrationPlan,
  ReintegrationPlanList,
  ReintegrationReason,
} from './schemas.js'
import { problemResponses } from '../../shared/problems.js'
import { registerCustomMethods, versionedRead, versionedWrite } from '../../shared/routes.js'

/** Who may do what with plans and disbursements (see README "Reintegration"). */
export const PLAN_ROLES = {
  read: ALL_ROLES,
  complete: ['counsellor', 'finance', 'approver'],
  abandon: ['finance', 'approver'],
  disburse: ['counsellor', 'finance'],
  confirmDelivery: ['partner'],
} as const satisfies Record<string, readonly Role[]>

const PLAN_TAG = 'reintegration-plans'
const DISBURSEMENT_TAG = 'disbursements'

/** The ids of a plan, and of a disbursement, in their paths. */
const planIds = (params: Static<typeof PlanParams>) => ({ caseId: params.id, planId: params.plan_id })
const disbursementIds = (params: Static<typeof DisbursementParams>) => ({ ...planIds(params), disbursementId: params.disbursement_id })

const PLAN_TRANSITION_RESPONSES = {
  200: Type.Ref(ReintegrationPlan),
  ...problemResponses(400, 404, 409, 412, 422),
}

/** Reintegration plans and the disbursements paid against them. */
export default async function planRoutes(fastify: FastifyInstance, options: { casePath: string }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const collection = `${options.casePath}/reintegration-plans`
  const item = `${collection}/:plan_id(^[0-9a-f-]{36})`
  const disbursementCollection = `${item}/disbursements`
  const disbursementItem = `${disbursementCollection}/:disbursement_id(^[0-9a-f-]{36})`

  app.get(collection, {
    config: { roles: PLAN_ROLES.read },
    schema: {
      tags: [PLAN_TAG],
      operationId: 'listReintegrationPlans',
      summary: 'List the reintegration plans of a case',
      description: 'A partner office sees only the plans of cases referred to it (404 otherwise).',
      params: CaseParams,
      querystring: PageQuery,
      response: { 200: Type.Ref(ReintegrationPlanList), ...problemResponses(400, 404) },
    },
    handler: (request) => plans.listPlans(app.db, request.context.actor, request.params.id, request.query),
  })

  app.get(item, {
    config: { roles: PLAN_ROLES.read },
    schema: {
      tags: [PLAN_TAG],
      operationId: 'getReintegrationPlan',
      summary: 'Get a reintegration plan',
      description: 'The plan with its budget, what its disbursements use and have spent, and what is left.',
      params: PlanParams,
      response: { 200: Type.Ref(ReintegrationPlan), ...problemResponses(400, 404) },
    },
    handler: (request, reply) => versionedRead(reply, plans.getPlan(app.db, request.context.actor, request.params.id, request.params.plan_id)),
  })

  registerCustomMethods(app, { path: item, tags: [PLAN_TAG], params: PlanParams, response: PLAN_TRANSITION_RESPONSES, note: 'If-Match is optional.' }, [
    {
      verb: 'complete',
      roles: PLAN_ROLES.complete,
      operationId: 'completeReintegrationPlan',
      summary: 'Complete a reintegration plan',
      description:
        'Completes an active plan whose disbursements are all paid and confirmed delivered (409 otherwise, naming them), releasing the part of ' +
        'the budget not spent. A plan whose budget is spent completes by itself when its last disbursement is paid and delivered.',
      body: CompletePlan,
      optionalBody: true,
      run: (db, context, params, expected, body) => plans.completePlan(db, context, planIds(params), expected, body.note?.trim() || null),
    },
    {
      verb: 'abandon',
      roles: PLAN_ROLES.abandon,
      operationId: 'abandonReintegrationPlan',
      summary: 'Abandon a reintegration plan',
      description:
        'Abandons an active plan, with a reason, and releases exactly what was not spent (the budget less what was paid to suppliers) to the ' +
        'in-kind line. Refused (409) while a disbursement awaits payment: cancel or pay it first.',
      body: ReintegrationReason,
      run: (db, context, params, expected, body) => plans.abandonPlan(db, context, planIds(params), expected, body.reason),
    },
  ])

  app.post(disbursementCollection, {
    config: { roles: PLAN_ROLES.disburse },
    schema: {
      tags: [DISBURSEMENT_TAG],
      operationId: 'requestDisbursement',
      summary: 'Request a disbursement to a supplier',
      description:
        'Requests the payment of a supplier\'s invoice against an active plan, once the returnees have arrived (409 before). The supplier must ' +
        'be registered, in the plan\'s country, by the partner office the case is referred to (422 otherwise: money goes to suppliers, never to ' +
        'the returnee). The amount is the sum of the items, and with the plan\'s other disbursements it never exceeds the plan\'s budget (409 ' +
        '`plan-budget-exceeded`, safe under concurrent requests). An invoice is paid once per supplier (409 `duplicate-resource`). Creates a ' +
        'payment request (kind `disbursement`) that someone else approves (maker-checker) and that spends the plan\'s commitment when paid. ' +
        'The first disbursement moves the case from `arrived` to `in_reintegration`. Refused with 409 `contact-not-recorded` until the partner ' +
        'office has recorded the returnee\'s first contact (`POST /v1/return-cases/{id}/contact-deadline:record-contact`), and after the ' +
        'assistance lapsed.',
      params: PlanParams,
      headers: IdempotencyKeyHeader,
      body: Type.Ref(CreateDisbursement),
      response: { 201: Type.Ref(Disbursement), ...problemResponses(400, 404, 409, 422) },
    },
    handler: (request, reply) =>
      versionedWrite(request, reply, (db, context) => disbursements.createDisbursement(db, context, planIds(request.params), request.body), {
        ifMatch: 'none', status: 201, location: (record) => `/v1/return-cases/${record.case_id}/reintegration-plans/${record.plan_id}/disbursements/${record.id}`,
      }),
  })

  app.get(disbursementCollection, {
    config: { roles: PLAN_ROLES.read },
    schema: {
      tags: [DISBURSEMENT_TAG],
      operationId: 'listDisbursements',
      summary: 'List the disbursements of a plan',
      params: PlanParams,
      querystring: PageQuery,
      response: { 200: Type.Ref(DisbursementList), ...problemResponses(400, 404) },
    },
    handler: (request) => disbursements.listDisbursements(app.db, request.context.actor, { caseId: request.params.id, planId: request.params.plan_id }, request.query),
  })

  app.get(disbursementItem, {
    config: { roles: PLAN_ROLES.read },
    schema: {
      tags: [DISBURSEMENT_TAG],
      operationId: 'getDisbursement',
      summary: 'Get a disbursement',
      params: DisbursementParams,
      response: { 200: Type.Ref(Disbursement), ...problemResponses(400, 404) },
    },
    handler: (request, reply) => versionedRead(reply, disbursements.getDisbursement(app.db, request.context.actor, disbursementIds(request.params))),
  })

  registerCustomMethods(app, { path: disbursementItem, tags: [DISBURSEMENT_TAG], params: DisbursementParams, response: { 200: Type.Ref(Disbursement), ...problemResponses(400, 404, 409, 412, 422) } }, [
    {
      verb: 'confirm-delivery',
      roles: PLAN_ROLES.confirmDelivery,
      operationId: 'confirmDisbursementDelivery',
      summary: 'Confirm delivery (partner office)',
      description:
        'The partner office confirms what the supplier delivered: date, what was delivered, notes. Only the office the case is referred to ' +
        '(any other office does not see the case: 404) and that registered the supplier (403 `forbidden` otherwise). Once per disbursement ' +
        '(409 after), and not for a rejected or cancelled one. If-Match (the disbursement\'s ETag) is optional.',
      body: ConfirmDelivery,
      run: (db, context, params, expected, body) => disbursements.confirmDelivery(db, context, disbursementIds(params), expected, body),
    },
  ])
}
