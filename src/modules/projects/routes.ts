import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { negotiate } from '../../shared/negotiation.js'
import { Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import { runWrite } from '../../db/unit-of-work.js'
import { IdempotencyKeyHeader } from '../../shared/headers.js'
import { problemResponses } from '../../shared/problems.js'
import { STAFF_ROLES, type Role } from '../../shared/roles.js'
import { budgetReport, budgetReportCsv } from './report.js'
import * as repository from './repository.js'
import {
  BudgetLine,
  BudgetLineList,
  BudgetLineListQuery,
  BudgetLineParams,
  BudgetReport,
  BudgetReportCoFunder,
  BudgetReportLine,
  CashGrantRule,
  CostRouting,
  CloseProject,
  CoFunder,
  ContactPeriod,
  CreateBudgetLine,
  CreateProject,
  Project,
  ProjectIdParams,
  ProjectList,
  ProjectListQuery,
  ProjectTargets,
  ProjectTargetsInput,
  Reallocation,
  ReallocationResult,
  UpdateBudgetLine,
  UpdateProject,
} from './schemas.js'
import * as service from './service.js'
import { createRoute, listRoute, readRoute, registerCustomMethods, updateRoute } from '../../shared/routes.js'

/** Finance and administrators run projects and budgets; other staff read them; partner offices never see budgets. */
export const PROJECT_MANAGERS: readonly Role[] = ['admin', 'finance']
export const PROJECT_READERS: readonly Role[] = STAFF_ROLES

const PROJECT_TAGS = ['projects']
const BUDGET_LINE_TAGS = ['budget-lines']

const REPORT_TYPES: readonly ['application/json', 'text/csv'] = ['application/json', 'text/csv']

/** The report's media type by the Accept header's preferences (JSON when there is none); 406 when neither is acceptable. */
export function negotiateReportType(accept: string | undefined): (typeof REPORT_TYPES)[number] {
  return negotiate(accept, REPORT_TYPES, 'The budget report')
}

export default async function projectsModule(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  for (const schema of [
    CoFunder, ProjectTargets, ProjectTargetsInput, CashGrantRule, ContactPeriod, CostRouting, Project, CreateProject, UpdateProject,
    ProjectList, CloseProject, BudgetLine, CreateBudgetLine, UpdateBudgetLine, BudgetLineList, Reallocation, ReallocationResult,
    BudgetReportLine, BudgetReportCoFunder, BudgetReport,
  ]) {
    app.addSchema(schema)
  }

  createRoute(app, {
    path: '/v1/projects',
    tags: PROJECT_TAGS,
    roles: PROJECT_MANAGERS,
    operationId: 'createProject',
    summary: 'Register a project',
    description:
      'Registers a co-funded project (status `planned`). The total\'s currency is the project currency; co-funder shares sum to exactly 10000 basis points (400 otherwise); every other amount must be in the project currency (422 `currency-mismatch`).',
    body: CreateProject,
    resource: Project,
    run: ({ db, context, body }) => service.createProject(db, context, body),
    location: (project) => `/v1/projects/${project.id}`,
  })

  listRoute(app, {
    path: '/v1/projects',
    tags: PROJECT_TAGS,
    roles: PROJECT_READERS,
    operationId: 'listProjects',
    summary: 'List projects',
    description: 'Projects ordered by creation, optionally by status.',
    query: ProjectListQuery,
    list: ProjectList,
    run: ({ db, query }) => repository.listProjects(db, query),
  })

  readRoute(app, {
    path: '/v1/projects/:id',
    tags: PROJECT_TAGS,
    roles: PROJECT_READERS,
    operationId: 'getProject',
    summary: 'Get a project',
    params: ProjectIdParams,
    resource: Project,
    run: ({ db, params }) => service.getProject(db, params.id),
  })

  updateRoute(app, {
    path: '/v1/projects/:id',
    tags: PROJECT_TAGS,
    roles: PROJECT_MANAGERS,
    operationId: 'updateProject',
    summary: 'Edit a project',
    description: 'Changes the given fields. Requires If-Match with the ETag of the last read. Status changes go through `:activate` and `:close`.',
    params: ProjectIdParams,
    body: UpdateProject,
    resource: Project,
    run: ({ db, context, params, expectedVersion, body }) => service.updateProject(db, context, params.id, expectedVersion, body),
  })

  const transitionResponses = { 200: Type.Ref(Project), ...problemResponses(400, 404, 409, 412, 422) }
  registerCustomMethods(app, { path: '/v1/projects/:id(^[0-9a-f-]{36})', tags: PROJECT_TAGS, params: ProjectIdParams, response: transitionResponses, note: 'If-Match is optional.' }, [
    {
      verb: 'activate',
      roles: PROJECT_MANAGERS,
      operationId: 'activateProject',
      summary: 'Activate a project',
      description: 'planned → active. Cases can then be attached to the project and costs committed to its budget lines. No body.',
      body: undefined,
      run: (db, context, params, expected) => service.transitionProject(db, context, params.id, 'activate', expected, null),
    },
    {
      verb: 'close',
      roles: PROJECT_MANAGERS,
      operationId: 'closeProject',
      summary: 'Close a project',
      description:
        'planned or active → closed, with a reason. Refused (409 `conflict`, listing `open_commitments`) while any line has money committed: spend or release it first. A closed project is read-only and takes no commitments.',
      body: CloseProject,
      run: (db, context, params, expected, body) => service.transitionProject(db, context, params.id, 'close', expected, body.reason),
    },
  ])

  createRoute(app, {
    path: '/v1/projects/:id/budget-lines',
    tags: BUDGET_LINE_TAGS,
    roles: PROJECT_MANAGERS,
    operationId: 'createBudgetLine',
    summary: 'Add a budget line',
    description:
      'Allocates part of the project total to a line. All allocations together never exceed the total (409 `project-budget-exceeded`, naming `unallocated`); concurrent creations are serialized on the project. Not on a closed project.',
    params: ProjectIdParams,
    body: CreateBudgetLine,
    resource: BudgetLine,
    run: ({ db, context, params, body }) => service.createBudgetLine(db, context, params.id, body),
    location: (line) => `/v1/projects/${line.project_id}/budget-lines/${line.id}`,
  })

  listRoute(app, {
    path: '/v1/projects/:id/budget-lines',
    tags: BUDGET_LINE_TAGS,
    roles: PROJECT_READERS,
    operationId: 'listBudgetLines',
    summary: 'List a project\'s budget lines with balances',
    description: 'Lines in creation order, each with allocated, committed, spent and available amounts.',
    params: ProjectIdParams,
    query: BudgetLineListQuery,
    list: BudgetLineList,
    // The project is read first so that an unknown one is a 404, not an empty list.
    run: async ({ db, params, query }) => {
      await service.getProject(db, params.id)
      return repository.listLines(db, params.id, query)
    },
  })

  readRoute(app, {
    path: '/v1/projects/:id/budget-lines/:line_id',
    tags: BUDGET_LINE_TAGS,
    roles: PROJECT_READERS,
    operationId: 'getBudgetLine',
    summary: 'Get a budget line with its balances',
    params: BudgetLineParams,
    resource: BudgetLine,
    run: ({ db, params }) => service.getBudgetLine(db, params.id, params.line_id),
  })

  updateRoute(app, {
    path: '/v1/projects/:id/budget-lines/:line_id',
    tags: BUDGET_LINE_TAGS,
    roles: PROJECT_MANAGERS,
    operationId: 'updateBudgetLine',
    summary: 'Rename a line or change its allocation',
    description:
      'Requires If-Match. A new allocation stays within the project total (409 `project-budget-exceeded`) and never below what the line has committed and spent (409 `budget-line-exhausted`).',
    params: BudgetLineParams,
    body: UpdateBudgetLine,
    resource: BudgetLine,
    run: ({ db, context, params, expectedVersion, body }) => service.updateBudgetLine(db, context, params.id, params.line_id, expectedVersion, body),
  })

  app.post('/v1/projects/:id/budget-lines::reallocate', {
    config: { roles: PROJECT_MANAGERS },
    schema: {
      tags: BUDGET_LINE_TAGS,
      operationId: 'reallocateBudget',
      summary: 'Move allocation between two lines',
      description:
        'Moves an amount of allocation from one line of the project to another, with a reason kept in the audit trail. The source line keeps at least what it has committed and spent (409 `budget-line-exhausted`, naming `available`).',
      params: ProjectIdParams,
      headers: IdempotencyKeyHeader,
      body: Type.Ref(Reallocation),
      response: {
        200: Type.Ref(ReallocationResult),
        ...problemResponses(400, 404, 409, 422),
      },
    },
    handler: (request, reply) =>
      runWrite(request, reply, async (db, context) => ({ status: 200, body: await service.reallocate(db, context, request.params.id, request.body) })),
  })

  app.get('/v1/projects/:id/budget-report', {
    config: { roles: PROJECT_READERS },
    schema: {
      tags: PROJECT_TAGS,
      operationId: 'getBudgetReport',
      summary: 'Budget report: spend per line and per co-funder',
      description:
        'Per line allocated, committed, spent and available; totals; each co-funder\'s share of the total and of the spend (largest-remainder rounding, so the shares add up exactly). JSON by default; CSV with `Accept: text/csv` (406 for anything else).',
      params: ProjectIdParams,
      response: {
        200: {
          description: 'The report.',
          content: {
            'application/json': { schema: Type.Ref(BudgetReport) },
            'text/csv': {
              schema: Type.String({
                description:
                  'One table: a `line` row per budget line, a `total` row and a `co_funder` row per co-funder; amounts are exact decimals in the project currency.',
              }),
            },
          },
        },
        ...problemResponses(400, 404),
        406: {
          description: 'Neither JSON nor CSV is acceptable to the client.',
          content: { 'application/problem+json': { schema: { $ref: 'ProblemDetails#' } } },
        },
      },
    },
    handler: async (request, reply) => {
      const type = negotiateReportType(request.headers.accept)
      const report = await budgetReport(app.db, request.params.id)
      void reply.header('vary', 'Accept')
      if (type === 'text/csv') {
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="budget-report-${report.code}.csv"`)
          .send(budgetReportCsv(report))
      }
      return reply.type('application/json; charset=utf-8').send(report)
    },
  })
}
