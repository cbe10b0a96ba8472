import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { runWrite } from '../../db/unit-of-work.js'
import { etagOf, setEtag } from '../../shared/etag.js'
import { IdempotencyKeyHeader, IfMatchHeader } from '../../shared/headers.js'
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
import { versionedRead, customMethod } from '../../shared/routes.js'

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

/** Custom methods take an optional body: no body is the same as `{}`. */
async function emptyBodyAsObject(request: FastifyRequest): Promise<void> {
  if (request.body === undefined || request.body === null) request.body = {}
}

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

  app.post(`${item}::complete`, {
    config: { roles: PLAN_ROLES.complete },
    preValidation: emptyBodyAsObject,
    schema: {
      tags: [PLAN_TAG],
      operationId: 'completeReintegrationPlan',
      summary: 'Complete a reintegration plan',
      description:
        'Completes an active plan whose disbursements are all paid and confirmed delivered (409 otherwise, naming them), releasing the part of ' +
        'the budget not spent. A plan whose budget is spent completes by itself when its last disbursement is paid and delivered. If-Match is optional.',
      params: PlanParams,
      headers: IfMatchHeader,
      body: Type.Ref(CompletePlan),
      response: PLAN_TRANSITION_RESPONSES,
    },
    handler: (request, reply) => {
      const { id: caseId, plan_id: planId } = request.params
      return customMethod(request, reply, (db, context, expected) => plans.completePlan(db, context, { caseId, planId }, expected, request.body.note?.trim() || null))
    },
  })

  app.post(`${item}::abandon`, {
    config: { roles: PLAN_ROLES.abandon },
    schema: {
      tags: [PLAN_TAG],
      operationId: 'abandonReintegrationPlan',
      summary: 'Abandon a reintegration plan',
      description:
        'Abandons an active plan, with a reason, and releases exactly what was not spent (the budget less what was paid to suppliers) to the ' +
        'in-kind line. Refused (409) while a disbursement awaits payment: cancel or pay it first. If-Match is optional.',
      params: PlanParams,
      headers: IfMatchHeader,
      body: Type.Ref(ReintegrationReason),
      response: PLAN_TRANSITION_RESPONSES,
    },
    handler: (request, reply) => {
      const { id: caseId, plan_id: planId } = request.params
      return customMethod(request, reply, (db, context, expected) => plans.abandonPlan(db, context, { caseId, planId }, expected, request.body.reason))
    },
  })

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
      runWrite(request, reply, async (db, context) => {
        const record = await disbursements.createDisbursement(db, context, { caseId: request.params.id, planId: request.params.plan_id }, request.body)
        return {
          status: 201,
          body: record,
          headers: {
            etag: etagOf(record.version),
            location: `/v1/return-cases/${record.case_id}/reintegration-plans/${record.plan_id}/disbursements/${record.id}`,
          },
        }
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
    handler: async (request, reply) => {
      const { id: caseId, plan_id: planId, disbursement_id: disbursementId } = request.params
      const record = await disbursements.getDisbursement(app.db, request.context.actor, { caseId, planId, disbursementId })
      setEtag(reply, record.version)
      return record
    },
  })

  app.post(`${disbursementItem}::confirm-delivery`, {
    config: { roles: PLAN_ROLES.confirmDelivery },
    schema: {
      tags: [DISBURSEMENT_TAG],
      operationId: 'confirmDisbursementDelivery',
      summary: 'Confirm delivery (partner office)',
      description:
        'The partner office confirms what the supplier delivered: date, what was delivered, notes. Only the office the case is referred to ' +
        '(any other office does not see the case: 404) and that registered the supplier (403 `forbidden` otherwise). Once per disbursement ' +
        '(409 after), and not for a rejected or cancelled one. If-Match (the disbursement\'s ETag) is optional.',
      params: DisbursementParams,
      headers: IfMatchHeader,
      body: Type.Ref(ConfirmDelivery),
      response: { 200: Type.Ref(Disbursement), ...problemResponses(400, 404, 409, 412, 422) },
    },
    handler: (request, reply) => {
      const { id: caseId, plan_id: planId, disbursement_id: disbursementId } = request.params
      return customMethod(request, reply, (db, context, expected) => disbursements.confirmDelivery(db, context, { caseId, planId, disbursementId }, expected, request.body))
    },
  })
}
