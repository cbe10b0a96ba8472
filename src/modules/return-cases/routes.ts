import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import type { Transaction } from 'kysely'
import type { DB } from '../../db/schema.js'
import type { RequestContext } from '../../shared/context.js'
import { runWrite } from '../../db/unit-of-work.js'
import { etagOf } from '../../shared/etag.js'
import { IdempotencyKeyHeader, IfMatchHeader } from '../../shared/headers.js'
import { ALL_ROLES, type Role } from '../../shared/roles.js'
import counsellingRoutes from './counselling-routes.js'
import memberRoutes from './member-routes.js'
import {
  ApproveRequest,
  CaseIdParams,
  CreateReturnCase,
  PageQuery,
  ReferRequest,
  ReturnCase,
  ReturnCaseCreated,
  ReturnCaseList,
  ReturnCaseListQuery,
  returnCaseSchemas,
  StatusHistory,
  TransitionRequest,
  UpdateReturnCase,
} from './schemas.js'
import * as service from './service.js'
import { PROBLEM_RESPONSES, problemResponses } from '../../shared/problems.js'
import { customMethod, registerCustomMethods, versionedRead, versionedWrite } from '../../shared/routes.js'

/** Who may do what (see README "Return cases"). */
export const CASE_ROLES = {
  read: ALL_ROLES,
  create: ['counsellor', 'integration', 'admin'],
  edit: ['counsellor', 'admin'],
  decide: ['approver'],
  refer: ['counsellor', 'approver', 'admin'],
} as const satisfies Record<string, readonly Role[]>

const TAG = 'return-cases'
/** The id must match exactly, or the parameter would swallow the `:verb` of a custom method. */
const CASE_PATH = '/v1/return-cases/:id(^[0-9a-f-]{36})'

/** A workflow action on the case, as a custom method's work. */
const perform =
  (action: service.OwnCaseAction) =>
  (db: Transaction<DB>, context: RequestContext, params: { id: string }, expected: number | undefined, body: { reason?: string; project_id?: string }) =>
    service.performAction(db, context, params.id, expected, action, body)

const ACTIONS = [
  {
    verb: 'submit',
    roles: CASE_ROLES.edit,
    operationId: 'submitReturnCase',
    summary: 'Submit a return request',
    description: '`draft` → `submitted`. Needs consent to data processing and the principal applicant (422 otherwise).',
    body: TransitionRequest,
    run: perform('submit'),
  },
  {
    verb: 'start-counselling',
    roles: CASE_ROLES.edit,
    operationId: 'startReturnCaseCounselling',
    summary: 'Start pre-departure counselling',
    description: '`submitted` → `in_counselling`.',
    body: TransitionRequest,
    run: perform('start_counselling'),
  },
  {
    verb: 'approve',
    roles: CASE_ROLES.decide,
    operationId: 'approveReturnCase',
    summary: 'Approve return assistance',
    description:
      '`in_counselling` → `approved`. Maker-checker: the approver may not be the case\'s creator (403 `maker-checker-violation`). ' +
      'Needs a project (on the case or in the body) that is active and covers the intended departure date (422 otherwise). ' +
      'When the case is not yet referred and exactly one partner office covers the country of return, the case is referred to it.',
    body: ApproveRequest,
    run: perform('approve'),
  },
  {
    verb: 'reject',
    roles: CASE_ROLES.decide,
    operationId: 'rejectReturnCase',
    summary: 'Reject return assistance',
    description: '`submitted` | `in_counselling` → `rejected`. A reason is required.',
    body: TransitionRequest,
    run: perform('reject'),
  },
  {
    verb: 'withdraw',
    roles: CASE_ROLES.edit,
    operationId: 'withdrawReturnCase',
    summary: 'Record that the migrant withdraws',
    description:
      '`draft` | `submitted` | `in_counselling` | `approved` → `withdrawn`. A reason is required. ' +
      'Refused (409 `conflict`, naming them) while the case has live payment requests or an active reintegration plan: cancel the case instead (`POST /v1/return-cases/{id}:cancel` releases them).',
    body: TransitionRequest,
    run: perform('withdraw'),
  },
  {
    verb: 'close',
    roles: CASE_ROLES.edit,
    operationId: 'closeReturnCase',
    summary: 'Close a case',
    description:
      '`rejected` | `withdrawn` | `no_show` | `cancelled` | `arrived` | `in_reintegration` → `closed`. A reason is required. A closed case is read-only. ' +
      'Refused (409 `conflict`) while a reintegration plan of the case is active: complete or abandon it first.',
    body: TransitionRequest,
    run: perform('close'),
  },
]

export default async function returnCasesModule(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  for (const schema of returnCaseSchemas) app.addSchema(schema)

  app.post('/v1/return-cases', {
    config: { roles: CASE_ROLES.create },
    schema: {
      tags: [TAG],
      operationId: 'createReturnCase',
      summary: 'Create a return case',
      description:
        'Creates a `draft` case with its household. The reference (`VNO-2026-00042`) is allocated per office and year. ' +
        '`possible_duplicates` lists people with the same names, date of birth and nationality in other open cases: nothing is merged, check before going on.',
      headers: IdempotencyKeyHeader,
      body: Type.Ref(CreateReturnCase),
      response: { 201: Type.Ref(ReturnCaseCreated), ...problemResponses(400, 409, 422) },
    },
    handler: (request, reply) =>
      runWrite(request, reply, async (db, context) => {
        const created = await service.createCase(db, context, request.body)
        return {
          status: 201,
          body: { ...created.record, possible_duplicates: created.possibleDuplicates },
          headers: { etag: etagOf(created.record.version), location: `/v1/return-cases/${created.record.id}` },
        }
      }),
  })

  app.get('/v1/return-cases', {
    config: { roles: CASE_ROLES.read },
    schema: {
      tags: [TAG],
      operationId: 'listReturnCases',
      summary: 'List and search return cases',
      description:
        'Cases the caller may see, newest first. Partner-office users see only the cases referred to their office. ' +
        'Filters combine; `q` matches the start of the reference parts and of the members\' names, ignoring case and accents.',
      querystring: ReturnCaseListQuery,
      response: { 200: Type.Ref(ReturnCaseList), 400: PROBLEM_RESPONSES[400] },
    },
    handler: (request) => service.listCases(app.db, request.context, request.query),
  })

  app.get(CASE_PATH, {
    config: { roles: CASE_ROLES.read },
    schema: {
      tags: [TAG],
      operationId: 'getReturnCase',
      summary: 'Get a return case',
      description: 'The case with its household and derived figures. Restricted vulnerability detail shows as `restricted` unless the caller may see it; each disclosure is audited.',
      params: CaseIdParams,
      response: { 200: Type.Ref(ReturnCase), ...problemResponses(400, 404) },
    },
    handler: (request, reply) => versionedRead(reply, service.getCase(app.db, request.context, request.params.id)),
  })

  app.patch(CASE_PATH, {
    config: { roles: CASE_ROLES.edit },
    schema: {
      tags: [TAG],
      operationId: 'updateReturnCase',
      summary: 'Edit a return case',
      description: 'Changes the given fields. Requires If-Match with the ETag of the last read. A closed case is read-only (409 `case-closed`).',
      params: CaseIdParams,
      headers: IfMatchHeader,
      body: Type.Ref(UpdateReturnCase),
      response: {
        200: Type.Ref(ReturnCase),
        ...problemResponses(400, 404, 409, 412, 422, 428),
      },
    },
    handler: (request, reply) => versionedWrite(request, reply, (db, context, expected) => service.updateCase(db, context, request.params.id, expected, request.body), { ifMatch: 'required' }),
  })

  app.get(`${CASE_PATH}/history`, {
    config: { roles: CASE_ROLES.read },
    schema: {
      tags: [TAG],
      operationId: 'listReturnCaseHistory',
      summary: 'Status history of a case',
      description: 'Every change of status, oldest first: who, when, from, to and why.',
      params: CaseIdParams,
      querystring: PageQuery,
      response: { 200: Type.Ref(StatusHistory), ...problemResponses(400, 404) },
    },
    handler: (request) => service.listHistory(app.db, request.context.actor, request.params.id, request.query),
  })

  registerCustomMethods(
    app,
    {
      path: CASE_PATH,
      tags: [TAG],
      params: CaseIdParams,
      response: { 200: Type.Ref(ReturnCase), ...problemResponses(400, 403, 404, 409, 412, 422) },
      note: 'A forbidden transition is 409 `invalid-transition` naming the current status. If-Match is optional.',
      optionalBody: true,
    },
    ACTIONS,
  )

  app.post(`${CASE_PATH}::refer`, {
    config: { roles: CASE_ROLES.refer },
    schema: {
      tags: [TAG],
      operationId: 'referReturnCase',
      summary: 'Refer a case to a partner office',
      description:
        'Refers the case to a partner office in its country of return (422 otherwise), replacing any earlier referral; the partner office then sees the case. ' +
        'Cases are also referred automatically at approval when exactly one partner office covers the country. Not possible once rejected, withdrawn, no-show, cancelled or closed. If-Match is optional.',
      params: CaseIdParams,
      headers: IfMatchHeader,
      body: Type.Ref(ReferRequest),
      response: {
        200: Type.Ref(ReturnCase),
        ...problemResponses(400, 404, 409, 412, 422),
      },
    },
    handler: (request, reply) => customMethod(request, reply, (db, context, expected) => service.referCase(db, context, request.params.id, expected, request.body.partner_office_id)),
  })

  await app.register(memberRoutes, { casePath: CASE_PATH })
  await app.register(counsellingRoutes, { casePath: CASE_PATH })
}
