import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type, type Static } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
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
import { createRoute, listRoute, readRoute, registerCustomMethods } from '../../shared/routes.js'

/** Who may do what with plans and disbursements (see README "Reintegration"). */
export const PLAN_ROLES = {
  read: ALL_ROLES,
  complete: ['counsellor', 'finance', 'approver'],
  abandon: ['finance', 'approver'],
  disburse: ['counsellor', 'finance'],
  confirmDelivery: ['partner'],
} as const satisfies Record<string, readonly Role[]>

const PLAN_TAGS = ['reintegration-plans']
const DISBURSEMENT_TAGS = ['disbursements']

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

  listRoute(app, {
    path: collection,
    tags: PLAN_TAGS,
    roles: PLAN_ROLES.read,
    operationId: 'listReintegrationPlans',
    summary: 'List the reintegration plans of a case',
    description: 'A partner office sees only the plans of cases referred to it (404 otherwise).',
    params: CaseParams,
    query: PageQuery,
    list: ReintegrationPlanList,
    run: ({ db, context, params, query }) => plans.listPlans(db, context.actor, params.id, query),
  })

  readRoute(app, {
    path: item,
    tags: PLAN_TAGS,
    roles: PLAN_ROLES.read,
    operationId: 'getReintegrationPlan',
    summary: 'Get a reintegration plan',
    description: 'The plan with its budget, what its disbursements use and have spent, and what is left.',
    params: PlanParams,
    resource: ReintegrationPlan,
    run: ({ db, context, params }) => plans.getPlan(db, context.actor, params.id, params.plan_id),
  })

  registerCustomMethods(app, { path: item, tags: PLAN_TAGS, params: PlanParams, response: PLAN_TRANSITION_RESPONSES, note: 'If-Match is optional.' }, [
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

  createRoute(app, {
    path: disbursementCollection,
    tags: DISBURSEMENT_TAGS,
    roles: PLAN_ROLES.disburse,
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
    body: CreateDisbursement,
    resource: Disbursement,
    run: ({ db, context, params, body }) => disbursements.createDisbursement(db, context, planIds(params), body),
    location: (record) => `/v1/return-cases/${record.case_id}/reintegration-plans/${record.plan_id}/disbursements/${record.id}`,
  })

  listRoute(app, {
    path: disbursementCollection,
    tags: DISBURSEMENT_TAGS,
    roles: PLAN_ROLES.read,
    operationId: 'listDisbursements',
    summary: 'List the disbursements of a plan',
    params: PlanParams,
    query: PageQuery,
    list: DisbursementList,
    run: ({ db, context, params, query }) => disbursements.listDisbursements(db, context.actor, planIds(params), query),
  })

  readRoute(app, {
    path: disbursementItem,
    tags: DISBURSEMENT_TAGS,
    roles: PLAN_ROLES.read,
    operationId: 'getDisbursement',
    summary: 'Get a disbursement',
    params: DisbursementParams,
    resource: Disbursement,
    run: ({ db, context, params }) => disbursements.getDisbursement(db, context.actor, disbursementIds(params)),
  })

  registerCustomMethods(app, { path: disbursementItem, tags: DISBURSEMENT_TAGS, params: DisbursementParams, response: { 200: Type.Ref(Disbursement), ...problemResponses(400, 404, 409, 412, 422) } }, [
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
