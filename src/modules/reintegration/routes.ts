import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
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
import { createUnversionedRoute, listRoute, readUnversionedRoute } from '../../shared/routes.js'

/** Staff who take part in selection (a partner office never sees a project's ranking). */
const RANKING_READERS: readonly Role[] = ['counsellor', 'finance', 'approver', 'auditor', 'admin']

const SELECTION_TAGS = ['reintegration-selection']

/** The id must match exactly, or the parameter would swallow the `:verb` of a custom method. */
const CASE_PATH = '/v1/return-cases/:id(^[0-9a-f-]{36})'

/** In-kind reintegration: request forms, selection, plans, disbursements to suppliers. */
export default async function reintegrationModule(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  for (const schema of [
    ItemInput, Item, CreateReintegrationRequest, UpdateReintegrationRequest, AssessReintegrationRequest, ApproveReintegrationRequest,
    ReintegrationReason, CrisisListingRef, Urgency, Assessment, Decision, ReintegrationRequest, ReintegrationRequestList,
    ScoringConfiguration, CreateScoringConfiguration, ScoringConfigurationList, RankingEntry, Ranking, ReintegrationPlan,
    ReintegrationPlanList, CompletePlan, CreateDisbursement, ConfirmDelivery, Disbursement, DisbursementList,
  ]) {
    app.addSchema(schema)
  }

  createUnversionedRoute(app, {
    path: '/v1/reintegration-scoring-configurations',
    tags: SELECTION_TAGS,
    roles: ['admin'],
    operationId: 'createReintegrationScoringConfiguration',
    summary: 'Add a version of the selection weights',
    description:
      'Adds a version of the weights of the composite priority (feasibility, urgency, motivation, in whole percent summing to 100). Versions ' +
      'are never changed or removed; a new one takes over from its `valid_from` (today or later). The first version, `selection-2026-01` ' +
      '(40/35/25), is in force from 2000-01-01.',
    body: CreateScoringConfiguration,
    resource: ScoringConfiguration,
    run: ({ db, context, body }) => configurations.createScoringConfiguration(db, context, body),
    location: (record) => `/v1/reintegration-scoring-configurations/${record.version}`,
  })

  listRoute(app, {
    path: '/v1/reintegration-scoring-configurations',
    tags: SELECTION_TAGS,
    roles: STAFF_ROLES,
    operationId: 'listReintegrationScoringConfigurations',
    summary: 'List the versions of the selection weights',
    description: 'Every version, oldest first (a short list: not paginated).',
    list: ScoringConfigurationList,
    problems: [],
    run: ({ db }) => configurations.listScoringConfigurations(db),
  })

  readUnversionedRoute(app, {
    path: '/v1/reintegration-scoring-configurations/:version',
    tags: SELECTION_TAGS,
    roles: STAFF_ROLES,
    operationId: 'getReintegrationScoringConfiguration',
    summary: 'Get a version of the selection weights',
    params: VersionParams,
    resource: ScoringConfiguration,
    run: ({ db, params }) => configurations.getScoringConfiguration(db, params.version),
  })

  app.get('/v1/projects/:id/reintegration-ranking', {
    config: { roles: RANKING_READERS },
    schema: {
      tags: SELECTION_TAGS,
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
