import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import type { Transaction } from 'kysely'
import type { DB } from '../../db/schema.js'
import type { RequestContext } from '../../shared/context.js'
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
import { problemResponses } from '../../shared/problems.js'
import { createRoute, listRoute, readRoute, registerCustomMethods, updateRoute } from '../../shared/routes.js'

/** Who may do what (see README "Return cases"). */
export const CASE_ROLES = {
  read: ALL_ROLES,
  create: ['counsellor', 'integration', 'admin'],
  edit: ['counsellor', 'admin'],
  decide: ['approver'],
  refer: ['counsellor', 'approver', 'admin'],
} as const satisfies Record<string, readonly Role[]>

const TAGS = ['return-cases']
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

  createRoute(app, {
    path: '/v1/return-cases',
    tags: TAGS,
    roles: CASE_ROLES.create,
    operationId: 'createReturnCase',
    summary: 'Create a return case',
    description:
      'Creates a `draft` case with its household. The reference (`VNO-2026-00042`) is allocated per office and year. ' +
      '`possible_duplicates` lists people with the same names, date of birth and nationality in other open cases: nothing is merged, check before going on.',
    body: CreateReturnCase,
    resource: ReturnCaseCreated,
    run: async ({ db, context, body }) => {
      const created = await service.createCase(db, context, body)
      return { ...created.record, possible_duplicates: created.possibleDuplicates }
    },
    location: (created) => `/v1/return-cases/${created.id}`,
  })

  listRoute(app, {
    path: '/v1/return-cases',
    tags: TAGS,
    roles: CASE_ROLES.read,
    operationId: 'listReturnCases',
    summary: 'List and search return cases',
    description:
      'Cases the caller may see, newest first. Partner-office users see only the cases referred to their office. ' +
      'Filters combine; `q` matches the start of the reference parts and of the members\' names, ignoring case and accents.',
    query: ReturnCaseListQuery,
    list: ReturnCaseList,
    run: ({ db, context, query }) => service.listCases(db, context, query),
  })

  readRoute(app, {
    path: CASE_PATH,
    tags: TAGS,
    roles: CASE_ROLES.read,
    operationId: 'getReturnCase',
    summary: 'Get a return case',
    description: 'The case with its household and derived figures. Restricted vulnerability detail shows as `restricted` unless the caller may see it; each disclosure is audited.',
    params: CaseIdParams,
    resource: ReturnCase,
    run: ({ db, context, params }) => service.getCase(db, context, params.id),
  })

  updateRoute(app, {
    path: CASE_PATH,
    tags: TAGS,
    roles: CASE_ROLES.edit,
    operationId: 'updateReturnCase',
    summary: 'Edit a return case',
    description: 'Changes the given fields. Requires If-Match with the ETag of the last read. A closed case is read-only (409 `case-closed`).',
    params: CaseIdParams,
    body: UpdateReturnCase,
    resource: ReturnCase,
    run: ({ db, context, params, expectedVersion, body }) => service.updateCase(db, context, params.id, expectedVersion, body),
  })

  listRoute(app, {
    path: `${CASE_PATH}/history`,
    tags: TAGS,
    roles: CASE_ROLES.read,
    operationId: 'listReturnCaseHistory',
    summary: 'Status history of a case',
    description: 'Every change of status, oldest first: who, when, from, to and why.',
    params: CaseIdParams,
    query: PageQuery,
    list: StatusHistory,
    run: ({ db, context, params, query }) => service.listHistory(db, context.actor, params.id, query),
  })

  registerCustomMethods(
    app,
    {
      path: CASE_PATH,
      tags: TAGS,
      params: CaseIdParams,
      response: { 200: Type.Ref(ReturnCase), ...problemResponses(400, 403, 404, 409, 412, 422) },
      note: 'A forbidden transition is 409 `invalid-transition` naming the current status. If-Match is optional.',
      optionalBody: true,
    },
    ACTIONS,
  )

  registerCustomMethods(app, { path: CASE_PATH, tags: TAGS, params: CaseIdParams, response: { 200: Type.Ref(ReturnCase), ...problemResponses(400, 404, 409, 412, 422) } }, [
    {
      verb: 'refer',
      roles: CASE_ROLES.refer,
      operationId: 'referReturnCase',
      summary: 'Refer a case to a partner office',
        description:
          'Refers the case to a partner office in its country of return (422 otherwise), replacing any earlier referral; the partner office then sees the case. ' +
          'Cases are also referred automatically at approval when exactly one partner office covers the country. Not possible once rejected, withdrawn, no-show, cancelled or closed. If-Match is optional.',
      body: ReferRequest,
      run: (db, context, params, expected, body) => service.referCase(db, context, params.id, expected, body.partner_office_id),
    },
  ])

  await app.register(memberRoutes, { casePath: CASE_PATH })
  await app.register(counsellingRoutes, { casePath: CASE_PATH })
}
