import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { negotiate } from '../../shared/negotiation.js'
import { Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import { runWrite } from '../../db/unit-of-work.js'
import { etagOf } from '../../shared/etag.js'
import { IdempotencyKeyHeader, IfMatchHeader } from '../../shared/headers.js'
import { PROBLEM_RESPONSES, problemResponses } from '../../shared/problems.js'
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
import { versionedRead, versionedWrite, customMethod } from '../../shared/routes.js'

/** Finance and administrators run projects and budgets; other staff read them; partner offices never see budgets. */
export const PROJECT_MANAGERS: readonly Role[] = ['admin', 'finance']
export const PROJECT_READERS: readonly Role[] = STAFF_ROLES

const REPORT_TYPES: readonly ['application/json', 'text/csv'] = ['application/json', 'text/csv']

/** The report's media type by the Accept header's preferences (JSON when there is none); 406 when neither is acceptable. */
export function negotiateReportType(accept: string | undefined): (typeof REPORT_TYPES)[number] {
  return negotiate(accept, REPORT_TYPES, 'The budget report')
}

export default async function projectsModule(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  for (const schema of [
    CoFunder,
    ProjectTargets,
    ProjectTargetsInput,
    CashGrantRule,
    ContactPeriod,
    CostRouting,
    Project,
    CreateProject,
    UpdateProject,
    ProjectList,
    CloseProject,
    BudgetLine,
    CreateBudgetLine,
    UpdateBudgetLine,
    BudgetLineList,
    Reallocation,
    ReallocationResult,
    BudgetReportLine,
    BudgetReportCoFunder,
    BudgetReport,
  ]) {
    app.addSchema(schema)
  }

  app.post('/v1/projects', {
    config: { roles: PROJECT_MANAGERS },
    schema: {
      tags: ['projects'],
      operationId: 'createProject',
      summary: 'Register a project',
      description:
        'Registers a co-funded project (status `planned`). The total\'s currency is the project currency; co-funder shares sum to exactly 10000 basis points (400 otherwise); every other amount must be in the project currency (422 `currency-mismatch`).',
      headers: IdempotencyKeyHeader,
      body: Type.Ref(CreateProject),
      response: { 201: Type.Ref(Project), ...problemResponses(400, 409, 422) },
    },
    handler: (request, reply) =>
      versionedWrite(request, reply, (db, context) => service.createProject(db, context, request.body), { ifMatch: 'none', status: 201, location: (project) => `/v1/projects/${project.id}` }),
  })

  app.get('/v1/projects', {
    config: { roles: PROJECT_READERS },
    schema: {
      tags: ['projects'],
      operationId: 'listProjects',
      summary: 'List projects',
      description: 'Projects ordered by creation, optionally by status.',
      querystring: ProjectListQuery,
      response: { 200: Type.Ref(ProjectList), 400: PROBLEM_RESPONSES[400] },
    },
    handler: (request) => repository.listProjects(app.db, request.query),
  })

  app.get('/v1/projects/:id', {
    config: { roles: PROJECT_READERS },
    schema: {
      tags: ['projects'],
      operationId: 'getProject',
      summary: 'Get a project',
      params: ProjectIdParams,
      response: { 200: Type.Ref(Project), ...problemResponses(400, 404) },
    },
    handler: (request, reply) => versionedRead(reply, service.getProject(app.db, request.params.id)),
  })

  app.patch('/v1/projects/:id', {
    config: { roles: PROJECT_MANAGERS },
    schema: {
      tags: ['projects'],
      operationId: 'updateProject',
      summary: 'Edit a project',
      description: 'Changes the given fields. Requires If-Match with the ETag of the last read. Status changes go through `:activate` and `:close`.',
      params: ProjectIdParams,
      headers: IfMatchHeader,
      body: Type.Ref(UpdateProject),
      response: {
        200: Type.Ref(Project),
        ...problemResponses(400, 404, 409, 412, 422, 428),
      },
    },
    handler: (request, reply) => versionedWrite(request, reply, (db, context, expected) => service.updateProject(db, context, request.params.id, expected, request.body), { ifMatch: 'required' }),
  })

  const transitionResponses = {
    200: Type.Ref(Project),
    ...problemResponses(400, 404, 409, 412, 422),
  }

  app.post('/v1/projects/:id(^[0-9a-f-]{36})::activate', {
    config: { roles: PROJECT_MANAGERS },
    schema: {
      tags: ['projects'],
      operationId: 'activateProject',
      summary: 'Activate a project',
      description: 'planned → active. Cases can then be attached to the project and costs committed to its budget lines. No body. If-Match is optional.',
      params: ProjectIdParams,
      headers: IfMatchHeader,
      response: transitionResponses,
    },
    handler: (request, reply) => customMethod(request, reply, (db, context, expected) => service.transitionProject(db, context, request.params.id, 'activate', expected, null)),
  })

  app.post('/v1/projects/:id(^[0-9a-f-]{36})::close', {
    config: { roles: PROJECT_MANAGERS },
    schema: {
      tags: ['projects'],
      operationId: 'closeProject',
      summary: 'Close a project',
      description:
        'planned or active → closed, with a reason. Refused (409 `conflict`, listing `open_commitments`) while any line has money committed: spend or release it first. A closed project is read-only and takes no commitments. If-Match is optional.',
      params: ProjectIdParams,
      headers: IfMatchHeader,
      body: Type.Ref(CloseProject),
      response: transitionResponses,
    },
    handler: (request, reply) => customMethod(request, reply, (db, context, expected) => service.transitionProject(db, context, request.params.id, 'close', expected, request.body.reason)),
  })

  app.post('/v1/projects/:id/budget-lines', {
    config: { roles: PROJECT_MANAGERS },
    schema: {
      tags: ['budget-lines'],
      operationId: 'createBudgetLine',
      summary: 'Add a budget line',
      description:
        'Allocates part of the project total to a line. All allocations together never exceed the total (409 `project-budget-exceeded`, naming `unallocated`); concurrent creations are serialized on the project. Not on a closed project.',
      params: ProjectIdParams,
      headers: IdempotencyKeyHeader,
      body: Type.Ref(CreateBudgetLine),
      response: {
        201: Type.Ref(BudgetLine),
        ...problemResponses(400, 404, 409, 422),
      },
    },
    handler: (request, reply) =>
      runWrite(request, reply, async (db, context) => {
        const line = await service.createBudgetLine(db, context, request.params.id, request.body)
        return {
          status: 201,
          body: line,
          headers: { etag: etagOf(line.version), location: `/v1/projects/${line.project_id}/budget-lines/${line.id}` },
        }
      }),
  })

  app.get('/v1/projects/:id/budget-lines', {
    config: { roles: PROJECT_READERS },
    schema: {
      tags: ['budget-lines'],
      operationId: 'listBudgetLines',
      summary: 'List a project\'s budget lines with balances',
      description: 'Lines in creation order, each with allocated, committed, spent and available amounts.',
      params: ProjectIdParams,
      querystring: BudgetLineListQuery,
      response: { 200: Type.Ref(BudgetLineList), ...problemResponses(400, 404) },
    },
    handler: async (request) => {
      await service.getProject(app.db, request.params.id)
      return repository.listLines(app.db, request.params.id, request.query)
    },
  })

  app.get('/v1/projects/:id/budget-lines/:line_id', {
    config: { roles: PROJECT_READERS },
    schema: {
      tags: ['budget-lines'],
      operationId: 'getBudgetLine',
      summary: 'Get a budget line with its balances',
      params: BudgetLineParams,
      response: { 200: Type.Ref(BudgetLine), ...problemResponses(400, 404) },
    },
    handler: (request, reply) => versionedRead(reply, service.getBudgetLine(app.db, request.params.id, request.params.line_id)),
  })

  app.patch('/v1/projects/:id/budget-lines/:line_id', {
    config: { roles: PROJECT_MANAGERS },
    schema: {
      tags: ['budget-lines'],
      operationId: 'updateBudgetLine',
      summary: 'Rename a line or change its allocation',
      description:
        'Requires If-Match. A new allocation stays within the project total (409 `project-budget-exceeded`) and never below what the line has committed and spent (409 `budget-line-exhausted`).',
      params: BudgetLineParams,
      headers: IfMatchHeader,
      body: Type.Ref(UpdateBudgetLine),
      response: {
        200: Type.Ref(BudgetLine),
        ...problemResponses(400, 404, 409, 412, 422, 428),
      },
    },
    handler: (request, reply) => versionedWrite(request, reply, (db, context, expected) => service.updateBudgetLine(db, context, request.params.id, request.params.line_id, expected, request.body), { ifMatch: 'required' }),
  })

  app.post('/v1/projects/:id/budget-lines::reallocate', {
    config: { roles: PROJECT_MANAGERS },
    schema: {
      tags: ['budget-lines'],
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
      tags: ['projects'],
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
