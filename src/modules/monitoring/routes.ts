import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import { runWrite } from '../../db/unit-of-work.js'
import { IdempotencyKeyHeader } from '../../shared/headers.js'
import { ALL_ROLES, type Role } from '../../shared/roles.js'
import {
  AssessmentParams,
  CaseParams,
  CreateMonitoringVisit,
  CreateSatisfactionSurvey,
  CreateSustainabilityAssessment,
  CreateSustainabilityInstrument,
  InstrumentDefinition,
  MonitoringVisit,
  MonitoringVisitList,
  PageQuery,
  SatisfactionSurvey,
  SatisfactionSurveyList,
  SustainabilityAssessment,
  SustainabilityAssessmentList,
  SustainabilityAssessmentListQuery,
  SustainabilityInstrument,
  SustainabilityInstrumentList,
  VersionParams,
  VisitParams,
} from './schemas.js'
import * as service from './service.js'
import { problemResponses } from '../../shared/problems.js'

/** Partner offices monitor the cases referred to them; country-office counsellors may record too; everyone reads (partners their own cases). */
export const MONITORING_ROLES = {
  read: ALL_ROLES,
  write: ['partner', 'counsellor'],
} as const satisfies Record<string, readonly Role[]>

const CASE_PATH = '/v1/return-cases/:id(^[0-9a-f-]{36})'
const WRITE_RESPONSES = { ...problemResponses(400, 404, 409, 422) }
const AFTER_RETURN =
  'Recorded after return (case `arrived` or `in_reintegration`; 409 otherwise, `case-closed` once closed). A partner office records only for ' +
  'the cases referred to it (404 otherwise).'

/** Monitoring after return: visits, satisfaction surveys and sustainability assessments. */
export default async function monitoringModule(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  for (const schema of [
    CreateMonitoringVisit,
    MonitoringVisit,
    MonitoringVisitList,
    CreateSatisfactionSurvey,
    SatisfactionSurvey,
    SatisfactionSurveyList,
    InstrumentDefinition,
    SustainabilityInstrument,
    CreateSustainabilityInstrument,
    SustainabilityInstrumentList,
    CreateSustainabilityAssessment,
    SustainabilityAssessment,
    SustainabilityAssessmentList,
  ]) {
    app.addSchema(schema)
  }

  // ---------------------------------------------------------------- monitoring visits

  app.post(`${CASE_PATH}/monitoring-visits`, {
    config: { roles: MONITORING_ROLES.write },
    schema: {
      tags: ['monitoring-visits'],
      operationId: 'recordMonitoringVisit',
      summary: 'Record a monitoring visit',
      description: `A visit after return: date, who, mode, findings and, when it follows up a reintegration plan, whether the activity is running. ${AFTER_RETURN}`,
      params: CaseParams,
      headers: IdempotencyKeyHeader,
      body: Type.Ref(CreateMonitoringVisit),
      response: { 201: Type.Ref(MonitoringVisit), ...WRITE_RESPONSES },
    },
    handler: (request, reply) =>
      runWrite(request, reply, async (db, context) => {
        const visit = await service.createVisit(db, context, request.params.id, request.body)
        return { status: 201, body: visit, headers: { location: `/v1/return-cases/${visit.case_id}/monitoring-visits/${visit.id}` } }
      }),
  })

  app.get(`${CASE_PATH}/monitoring-visits`, {
    config: { roles: MONITORING_ROLES.read },
    schema: {
      tags: ['monitoring-visits'],
      operationId: 'listMonitoringVisits',
      summary: 'List the monitoring visits of a case',
      params: CaseParams,
      querystring: PageQuery,
      response: { 200: Type.Ref(MonitoringVisitList), ...problemResponses(400, 404) },
    },
    handler: (request) => service.listVisits(app.db, request.context.actor, request.params.id, request.query),
  })

  app.get(`${CASE_PATH}/monitoring-visits/:visit_id`, {
    config: { roles: MONITORING_ROLES.read },
    schema: {
      tags: ['monitoring-visits'],
      operationId: 'getMonitoringVisit',
      summary: 'Get a monitoring visit',
      params: VisitParams,
      response: { 200: Type.Ref(MonitoringVisit), ...problemResponses(400, 404) },
    },
    handler: (request) => service.getVisit(app.db, request.context.actor, request.params.id, request.params.visit_id),
  })

  // ---------------------------------------------------------------- satisfaction surveys

  app.post(`${CASE_PATH}/satisfaction-surveys`, {
    config: { roles: MONITORING_ROLES.write },
    schema: {
      tags: ['satisfaction-surveys'],
      operationId: 'recordSatisfactionSurvey',
      summary: 'Record a satisfaction survey',
      description:
        'A returnee\'s satisfaction with counselling, travel arrangements and reintegration assistance (1-5 each; reintegration null when none ' +
        `was received), with comments. One per returnee (409 \`duplicate-resource\`). ${AFTER_RETURN}`,
      params: CaseParams,
      headers: IdempotencyKeyHeader,
      body: Type.Ref(CreateSatisfactionSurvey),
      response: { 201: Type.Ref(SatisfactionSurvey), ...WRITE_RESPONSES },
    },
    handler: (request, reply) =>
      runWrite(request, reply, async (db, context) => {
        const survey = await service.createSurvey(db, context, request.params.id, request.body)
        return { status: 201, body: survey }
      }),
  })

  app.get(`${CASE_PATH}/satisfaction-surveys`, {
    config: { roles: MONITORING_ROLES.read },
    schema: {
      tags: ['satisfaction-surveys'],
      operationId: 'listSatisfactionSurveys',
      summary: 'List the satisfaction surveys of a case',
      params: CaseParams,
      querystring: PageQuery,
      response: { 200: Type.Ref(SatisfactionSurveyList), ...problemResponses(400, 404) },
    },
    handler: (request) => service.listSurveys(app.db, request.context.actor, request.params.id, request.query),
  })

  // ---------------------------------------------------------------- sustainability

  app.post('/v1/sustainability-instruments', {
    config: { roles: ['admin'] },
    schema: {
      tags: ['sustainability'],
      operationId: 'createSustainabilityInstrument',
      summary: 'Add a version of the sustainability instrument',
      description:
        'Adds a version: answer scales, and for each of the economic, social and psychosocial dimensions its weight (the three sum to 100) and ' +
        'indicators with their scale and weight (422 when inconsistent). Versions never change; a new one applies from `valid_from` (today or ' +
        'later). The first version, `sustainability-2026-01`, applies from 2000-01-01.',
      headers: IdempotencyKeyHeader,
      body: Type.Ref(CreateSustainabilityInstrument),
      response: { 201: Type.Ref(SustainabilityInstrument), ...problemResponses(400, 409, 422) },
    },
    handler: (request, reply) =>
      runWrite(request, reply, async (db, context) => {
        const instrument = await service.createInstrument(db, context, request.body)
        return { status: 201, body: instrument, headers: { location: `/v1/sustainability-instruments/${instrument.version}` } }
      }),
  })

  app.get('/v1/sustainability-instruments', {
    config: { roles: ALL_ROLES },
    schema: {
      tags: ['sustainability'],
      operationId: 'listSustainabilityInstruments',
      summary: 'List the versions of the sustainability instrument',
      description: 'Every version, oldest first (a short list: not paginated).',
      response: { 200: Type.Ref(SustainabilityInstrumentList) },
    },
    handler: () => service.listInstruments(app.db),
  })

  app.get('/v1/sustainability-instruments/:version', {
    config: { roles: ALL_ROLES },
    schema: {
      tags: ['sustainability'],
      operationId: 'getSustainabilityInstrument',
      summary: 'Get a version of the sustainability instrument',
      params: VersionParams,
      response: { 200: Type.Ref(SustainabilityInstrument), ...problemResponses(400, 404) },
    },
    handler: (request) => service.getInstrument(app.db, request.params.version),
  })

  app.post(`${CASE_PATH}/sustainability-assessments`, {
    config: { roles: MONITORING_ROLES.write },
    schema: {
      tags: ['sustainability'],
      operationId: 'recordSustainabilityAssessment',
      summary: 'Record a sustainability assessment',
      description:
        'Scores a returnee\'s answers (every indicator of the instrument, a value of its scale; 422 otherwise) with the instrument given or the ' +
        'one in force on the date: each dimension 0-100 and the weighted composite. The returnee\'s first assessment is the baseline; a ' +
        'follow-up (not dated before the previous one) carries `change_from_baseline`. ' +
        AFTER_RETURN,
      params: CaseParams,
      headers: IdempotencyKeyHeader,
      body: Type.Ref(CreateSustainabilityAssessment),
      response: { 201: Type.Ref(SustainabilityAssessment), ...WRITE_RESPONSES },
    },
    handler: (request, reply) =>
      runWrite(request, reply, async (db, context) => {
        const assessment = await service.createAssessment(db, context, request.params.id, request.body)
        return { status: 201, body: assessment, headers: { location: `/v1/return-cases/${assessment.case_id}/sustainability-assessments/${assessment.id}` } }
      }),
  })

  app.get(`${CASE_PATH}/sustainability-assessments`, {
    config: { roles: MONITORING_ROLES.read },
    schema: {
      tags: ['sustainability'],
      operationId: 'listSustainabilityAssessments',
      summary: 'List the sustainability assessments of a case',
      description: 'In the order recorded, optionally of one returnee; follow-ups carry their change from the returnee\'s baseline.',
      params: CaseParams,
      querystring: SustainabilityAssessmentListQuery,
      response: { 200: Type.Ref(SustainabilityAssessmentList), ...problemResponses(400, 404) },
    },
    handler: (request) => service.listAssessments(app.db, request.context.actor, request.params.id, request.query),
  })

  app.get(`${CASE_PATH}/sustainability-assessments/:assessment_id`, {
    config: { roles: MONITORING_ROLES.read },
    schema: {
      tags: ['sustainability'],
      operationId: 'getSustainabilityAssessment',
      summary: 'Get a sustainability assessment',
      params: AssessmentParams,
      response: { 200: Type.Ref(SustainabilityAssessment), ...problemResponses(400, 404) },
    },
    handler: (request) => service.getAssessment(app.db, request.context.actor, request.params.id, request.params.assessment_id),
  })
}
