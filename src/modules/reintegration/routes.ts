import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import { runWrite } from '../../db/unit-of-work.js'
import { IdempotencyKeyHeader } from '../../shared/headers.js'
import { STAFF_ROLES, type Role } from '../../shared/roles.js'
import * as configurations from './configurations.js'
import contactRoutes from './contact-routes.js'
import planRoutes from './plan-routes.js'
import { rankingOfProject } from './ranking.js'
import requestRoutes from './request-routes.js'
import {
  ApproveReintegrationRequest,
  AssessReintegrationRequest,
  CompletePlan,
  ConfirmDelivery,
  CreateDisbursement,
  CreateReintegrationRequest,
  CreateScoringConfiguration,
  CrisisListingRef,
  Decision,
  Disbursement,
  DisbursementList,
  Item,
  ItemInput,
  Assessment,
  ProjectParams,
  Ranking,
  RankingEntry,
  RankingQuery,
  ReintegrationPlan,
  ReintegrationPlanList,
  ReintegrationReason,
  ReintegrationRequest,
  ReintegrationRequestList,
  ScoringConfiguration,
  ScoringConfigurationList,
  UpdateReintegrationRequest,
  Urgency,
  VersionParams,
} from './schemas.js'
import { problemResponses } from '../../shared/problems.js'

/** Staff who take part in selection (a partner office never sees a project's ranking). */
const RANKING_READERS: readonly Role[] = ['counsellor', 'finance', 'approver', 'auditor', 'admin']

/** The id must match exactly, or the parameter would swallow the `:verb` of a custom method. */
const CASE_PATH = '/v1/return-cases/:id(^[0-9a-f-]{36})'

/** In-kind reintegration: request forms, selection, plans, disbursements to suppliers. */
export default async function reintegrationModule(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  for (const schema of [
    ItemInput,
    Item,
    CreateReintegrationRequest,
    UpdateReintegrationRequest,
    AssessReintegrationRequest,
    ApproveReintegrationRequest,
    ReintegrationReason,
    CrisisListingRef,
    Urgency,
    Assessment,
    Decision,
    ReintegrationRequest,
    ReintegrationRequestList,
    ScoringConfiguration,
    CreateScoringConfiguration,
    ScoringConfigurationList,
    RankingEntry,
    Ranking,
    ReintegrationPlan,
    ReintegrationPlanList,
    CompletePlan,
    CreateDisbursement,
    ConfirmDelivery,
    Disbursement,
    DisbursementList,
  ]) {
    app.addSchema(schema)
  }

  app.post('/v1/reintegration-scoring-configurations', {
    config: { roles: ['admin'] },
    schema: {
      tags: ['reintegration-selection'],
      operationId: 'createReintegrationScoringConfiguration',
      summary: 'Add a version of the selection weights',
      description:
        'Adds a version of the weights of the composite priority (feasibility, urgency, motivation, in whole percent summing to 100). Versions ' +
        'are never changed or removed; a new one takes over from its `valid_from` (today or later). The first version, `selection-2026-01` ' +
        '(40/35/25), is in force from 2000-01-01.',
      headers: IdempotencyKeyHeader,
      body: Type.Ref(CreateScoringConfiguration),
      response: { 201: Type.Ref(ScoringConfiguration), ...problemResponses(400, 409, 422) },
    },
    handler: (request, reply) =>
      runWrite(request, reply, async (db, context) => {
        const record = await configurations.createScoringConfiguration(db, context, request.body)
        return { status: 201, body: record, headers: { location: `/v1/reintegration-scoring-configurations/${record.version}` } }
      }),
  })

  app.get('/v1/reintegration-scoring-configurations', {
    config: { roles: STAFF_ROLES },
    schema: {
      tags: ['reintegration-selection'],
      operationId: 'listReintegrationScoringConfigurations',
      summary: 'List the versions of the selection weights',
      description: 'Every version, oldest first (a short list: not paginated).',
      response: { 200: Type.Ref(ScoringConfigurationList) },
    },
    handler: () => configurations.listScoringConfigurations(app.db),
  })

  app.get('/v1/reintegration-scoring-configurations/:version', {
    config: { roles: STAFF_ROLES },
    schema: {
      tags: ['reintegration-selection'],
      operationId: 'getReintegrationScoringConfiguration',
      summary: 'Get a version of the selection weights',
      params: VersionParams,
      response: { 200: Type.Ref(ScoringConfiguration), ...problemResponses(400, 404) },
    },
    handler: (request) => configurations.getScoringConfiguration(app.db, request.params.version),
  })

  app.get('/v1/projects/:id/reintegration-ranking', {
    config: { roles: RANKING_READERS },
    schema: {
      tags: ['reintegration-selection'],
      operationId: 'getReintegrationRanking',
      summary: 'Rank the assessed reintegration requests of a project',
      description:
        'The assessed and waitlisted requests of the project\'s open cases in priority order, so the selection can be explained to a donor or ' +
        'an auditor: each with its feasibility, urgency and motivation (score, weight, points), the composite (0-100: score / 5 × weight, ' +
        'summed), the amount requested, the cumulative amount down the list and whether it fits what is available on the in-kind ' +
        'reintegration line, and an explanation in words. The weights are those of the configuration in force today (or ' +
        '`configuration_version`), named in the response with the tie-breaking order. 409 when the project has no in-kind reintegration line.',
      params: ProjectParams,
      querystring: RankingQuery,
      response: { 200: Type.Ref(Ranking), ...problemResponses(400, 404, 409) },
    },
    handler: (request) => rankingOfProject(app.db, request.params.id, { configurationVersion: request.query.configuration_version }),
  })

  await app.register(requestRoutes, { casePath: CASE_PATH })
  await app.register(planRoutes, { casePath: CASE_PATH })
  await app.register(contactRoutes, { casePath: CASE_PATH })
}
