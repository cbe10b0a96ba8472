import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type, type Static } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import { ALL_ROLES, type Role } from '../../shared/roles.js'
import * as decisions from './decisions.js'
import * as requests from './requests.js'
import {
  ApproveReintegrationRequest,
  AssessReintegrationRequest,
  CaseParams,
  CreateReintegrationRequest,
  PageQuery,
  ReintegrationReason,
  ReintegrationRequest,
  ReintegrationRequestList,
  RequestParams,
  UpdateReintegrationRequest,
} from './schemas.js'
import { problemResponses } from '../../shared/problems.js'
import { createRoute, listRoute, readRoute, registerCustomMethods, updateRoute } from '../../shared/routes.js'

/** Who may do what with request forms (see README "Reintegration"). */
export const REQUEST_ROLES = {
  read: ALL_ROLES,
  write: ['counsellor'],
  decide: ['approver'],
} as const satisfies Record<string, readonly Role[]>

const TAGS = ['reintegration-requests']

const TRANSITION_RESPONSES = {
  200: Type.Ref(ReintegrationRequest),
  ...problemResponses(400, 404, 409, 412, 422),
}

const IF_MATCH_NOTE = 'If-Match (the request\'s ETag) is optional; a forbidden transition is 409 `invalid-transition` naming the current status.'

/** The ids of a request in its path. */
const ids = (params: Static<typeof RequestParams>) => ({ caseId: params.id, requestId: params.request_id })

/** Request forms, their assessment and the decision on them. */
export default async function requestRoutes(fastify: FastifyInstance, options: { casePath: string }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const collection = `${options.casePath}/reintegration-requests`
  const item = `${collection}/:request_id(^[0-9a-f-]{36})`

  createRoute(app, {
    path: collection,
    tags: TAGS,
    roles: REQUEST_ROLES.write,
    operationId: 'submitReintegrationRequest',
    summary: 'Record a reintegration request form',
    description:
      'The form the migrant fills in before departure (case `submitted`, `in_counselling`, `approved` or `travel_booked`; 409 otherwise), for the ' +
      'household or one returnee: planned activity, form of help, skills and experience, motivation in their words, and the items or services ' +
      'needed with estimated costs in the project\'s currency (422 `currency-mismatch` otherwise). The amount requested is the sum of the items. ' +
      'One live request per household or returnee (409 `duplicate-resource`).',
    params: CaseParams,
    body: CreateReintegrationRequest,
    resource: ReintegrationRequest,
    run: ({ db, context, params, body }) => requests.createRequest(db, context, params.id, body),
    location: (record) => `/v1/return-cases/${record.case_id}/reintegration-requests/${record.id}`,
  })

  listRoute(app, {
    path: collection,
    tags: TAGS,
    roles: REQUEST_ROLES.read,
    operationId: 'listReintegrationRequests',
    summary: 'List the reintegration requests of a case',
    description: 'A partner office sees only the requests of cases referred to it (404 otherwise).',
    params: CaseParams,
    query: PageQuery,
    list: ReintegrationRequestList,
    run: ({ db, context, params, query }) => requests.listRequests(db, context.actor, params.id, query),
  })

  readRoute(app, {
    path: item,
    tags: TAGS,
    roles: REQUEST_ROLES.read,
    operationId: 'getReintegrationRequest',
    summary: 'Get a reintegration request',
    description: 'The form with its current assessment (scores, justifications, derived urgency) and decisions.',
    params: RequestParams,
    resource: ReintegrationRequest,
    run: ({ db, context, params }) => requests.getRequest(db, context.actor, params.id, params.request_id),
  })

  updateRoute(app, {
    path: item,
    tags: TAGS,
    roles: REQUEST_ROLES.write,
    operationId: 'updateReintegrationRequest',
    summary: 'Edit a reintegration request form',
    description: 'Changes the form while it is `submitted` (409 once assessed) and the case is before departure. Requires If-Match.',
    params: RequestParams,
    body: UpdateReintegrationRequest,
    resource: ReintegrationRequest,
    run: ({ db, context, params, expectedVersion, body }) => requests.updateRequest(db, context, ids(params), expectedVersion, body),
  })

  registerCustomMethods(app, { path: item, tags: TAGS, params: RequestParams, response: TRANSITION_RESPONSES, note: IF_MATCH_NOTE }, [
    {
      verb: 'assess',
      roles: REQUEST_ROLES.write,
      operationId: 'assessReintegrationRequest',
      summary: 'Assess a reintegration request',
      description:
        'Scores feasibility and motivation on 0-5 (anchors in the body schema), each with a written justification. Urgency is derived, never ' +
        'typed: 3 points when the country of return is on the crisis-country list on the assessment date, plus one point per distinct ' +
        'vulnerability in the household (at most 2). From `submitted`, `assessed` (re-assessment) or `waitlisted`; not for a case that ended.',
      body: AssessReintegrationRequest,
      run: (db, context, params, expected, body) => requests.assessRequest(db, context, ids(params), expected, body),
    },
    {
      verb: 'approve',
      roles: REQUEST_ROLES.decide,
      operationId: 'approveReintegrationRequest',
      summary: 'Approve a reintegration request with a budget (checker)',
      description:
        'Approves an `assessed` or `waitlisted` request with a budget (at most the amount requested, project currency), once the case\'s ' +
        'return assistance is approved (case `approved` to `in_reintegration`; 409 otherwise), commits the budget on the ' +
        'project\'s in-kind reintegration line and creates the reintegration plan with the request\'s items. Maker-checker: whoever recorded the ' +
        'form or made its current assessment cannot decide on it (403 `maker-checker-violation`). When the line cannot cover the budget: with ' +
        '`waitlist_if_exhausted: true` the request is waitlisted (200, status `waitlisted`, the decision naming what was available); otherwise ' +
        '409 `budget-line-exhausted` and nothing changes.',
      body: ApproveReintegrationRequest,
      run: (db, context, params, expected, body) => decisions.approveRequest(db, context, ids(params), expected, body),
    },
    {
      verb: 'reject',
      roles: REQUEST_ROLES.decide,
      operationId: 'rejectReintegrationRequest',
      summary: 'Reject a reintegration request (checker)',
      description: 'Rejects a request not yet approved, with a reason. Same maker-checker rule as approval.',
      body: ReintegrationReason,
      run: (db, context, params, expected, body) => decisions.rejectRequest(db, context, ids(params), expected, body.reason),
    },
    {
      verb: 'withdraw',
      roles: REQUEST_ROLES.write,
      operationId: 'withdrawReintegrationRequest',
      summary: 'Withdraw a reintegration request',
      description: 'Records that the migrant withdrew the request before a decision, with a reason.',
      body: ReintegrationReason,
      run: (db, context, params, expected, body) => requests.withdrawRequest(db, context, ids(params), expected, body.reason),
    },
  ])
}
