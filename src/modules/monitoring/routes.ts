import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
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
import { createUnversionedRoute, listRoute, readUnversionedRoute } from '../../shared/routes.js'

/** Partner offices monitor the cases referred to them; country-office counsellors may record too; everyone reads (partners their own cases). */
export const MONITORING_ROLES = {
  read: ALL_ROLES,
  write: ['partner', 'counsellor'],
} as const satisfies Record<string, readonly Role[]>

const CASE_PATH = '/v1/return-cases/:id(^[0-9a-f-]{36})'
const VISIT_TAGS = ['monitoring-visits']
const SURVEY_TAGS = ['satisfaction-surveys']
const SUSTAINABILITY_TAGS = ['sustainability']
const AFTER_RETURN =
  'Recorded after return (case `arrived` or `in_reintegration`; 409 otherwise, `case-closed` once closed). A partner office records only for ' +
  'the cases referred to it (404 otherwise).'

/** Monitoring after return: visits, satisfaction surveys and sustainability assessments, records not edited once made (so without an ETag). */
export default async function monitoringModule(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  for (const schema of [
    CreateMonitoringVisit, MonitoringVisit, MonitoringVisitList, CreateSatisfactionSurvey, SatisfactionSurvey, SatisfactionSurveyList,
    InstrumentDefinition, SustainabilityInstrument, CreateSustainabilityInstrument, SustainabilityInstrumentList,
    CreateSustainabilityAssessment, SustainabilityAssessment, SustainabilityAssessmentList,
  ]) {
    app.addSchema(schema)
  }

  // ---------------------------------------------------------------- monitoring visits

  createUnversionedRoute(app, {
    path: `${CASE_PATH}/monitoring-visits`,
    tags: VISIT_TAGS,
    roles: MONITORING_ROLES.write,
    operationId: 'recordMonitoringVisit',
    summary: 'Record a monitoring visit',
    description: `A visit after return: date, who, mode, findings and, when it follows up a reintegration plan, whether the activity is running. ${AFTER_RETURN}`,
    params: CaseParams,
    body: CreateMonitoringVisit,
    resource: MonitoringVisit,
    run: ({ db, context, params, body }) => service.createVisit(db, context, params.id, body),
    location: (visit) => `/v1/return-cases/${visit.case_id}/monitoring-visits/${visit.id}`,
  })

  listRoute(app, {
    path: `${CASE_PATH}/monitoring-visits`,
    tags: VISIT_TAGS,
    roles: MONITORING_ROLES.read,
    operationId: 'listMonitoringVisits',
    summary: 'List the monitoring visits of a case',
    params: CaseParams,
    query: PageQuery,
    list: MonitoringVisitList,
    run: ({ db, context, params, query }) => service.listVisits(db, context.actor, params.id, query),
  })

  readUnversionedRoute(app, {
    path: `${CASE_PATH}/monitoring-visits/:visit_id`,
    tags: VISIT_TAGS,
    roles: MONITORING_ROLES.read,
    operationId: 'getMonitoringVisit',
    summary: 'Get a monitoring visit',
    params: VisitParams,
    resource: MonitoringVisit,
    run: ({ db, context, params }) => service.getVisit(db, context.actor, params.id, params.visit_id),
  })

  // ---------------------------------------------------------------- satisfaction surveys

  createUnversionedRoute(app, {
    path: `${CASE_PATH}/satisfaction-surveys`,
    tags: SURVEY_TAGS,
    roles: MONITORING_ROLES.write,
    operationId: 'recordSatisfactionSurvey',
    summary: 'Record a satisfaction survey',
    description:
      'A returnee\'s satisfaction with counselling, travel arrangements and reintegration assistance (1-5 each; reintegration null when none ' +
      `was received), with comments. One per returnee (409 \`duplicate-resource\`). ${AFTER_RETURN}`,
    params: CaseParams,
    body: CreateSatisfactionSurvey,
    resource: SatisfactionSurvey,
    run: ({ db, context, params, body }) => service.createSurvey(db, context, params.id, body),
  })

  listRoute(app, {
    path: `${CASE_PATH}/satisfaction-surveys`,
    tags: SURVEY_TAGS,
    roles: MONITORING_ROLES.read,
    operationId: 'listSatisfactionSurveys',
    summary: 'List the satisfaction surveys of a case',
    params: CaseParams,
    query: PageQuery,
    list: SatisfactionSurveyList,
    run: ({ db, context, params, query }) => service.listSurveys(db, context.actor, params.id, query),
  })

  // ---------------------------------------------------------------- sustainability

  createUnversionedRoute(app, {
    path: '/v1/sustainability-instruments',
    tags: SUSTAINABILITY_TAGS,
    roles: ['admin'],
    operationId: 'createSustainabilityInstrument',
    summary: 'Add a version of the sustainability instrument',
    description:
      'Adds a version: answer scales, and for each of the economic, social and psychosocial dimensions its weight (the three sum to 100) and ' +
      'indicators with their scale and weight (422 when inconsistent). Versions never change; a new one applies from `valid_from` (today or ' +
      'later). The first version, `sustainability-2026-01`, applies from 2000-01-01.',
    body: CreateSustainabilityInstrument,
    resource: SustainabilityInstrument,
    run: ({ db, context, body }) => service.createInstrument(db, context, body),
    location: (instrument) => `/v1/sustainability-instruments/${instrument.version}`,
  })

  listRoute(app, {
    path: '/v1/sustainability-instruments',
    tags: SUSTAINABILITY_TAGS,
    roles: ALL_ROLES,
    operationId: 'listSustainabilityInstruments',
    summary: 'List the versions of the sustainability instrument',
    description: 'Every version, oldest first (a short list: not paginated).',
    list: SustainabilityInstrumentList,
    problems: [],
    run: ({ db }) => service.listInstruments(db),
  })

  readUnversionedRoute(app, {
    path: '/v1/sustainability-instruments/:version',
    tags: SUSTAINABILITY_TAGS,
    roles: ALL_ROLES,
    operationId: 'getSustainabilityInstrument',
    summary: 'Get a version of the sustainability instrument',
    params: VersionParams,
    resource: SustainabilityInstrument,
    run: ({ db, params }) => service.getInstrument(db, params.version),
  })

  createUnversionedRoute(app, {
    path: `${CASE_PATH}/sustainability-assessments`,
    tags: SUSTAINABILITY_TAGS,
    roles: MONITORING_ROLES.write,
    operationId: 'recordSustainabilityAssessment',
    summary: 'Record a sustainability assessment',
    description:
      'Scores a returnee\'s answers (every indicator of the instrument, a value of its scale; 422 otherwise) with the instrument given or the ' +
      'one in force on the date: each dimension 0-100 and the weighted composite. The returnee\'s first assessment is the baseline; a ' +
      'follow-up (not dated before the previous one) carries `change_from_baseline`. ' +
      AFTER_RETURN,
    params: CaseParams,
    body: CreateSustainabilityAssessment,
    resource: SustainabilityAssessment,
    run: ({ db, context, params, body }) => service.createAssessment(db, context, params.id, body),
    location: (assessment) => `/v1/return-cases/${assessment.case_id}/sustainability-assessments/${assessment.id}`,
  })

  listRoute(app, {
    path: `${CASE_PATH}/sustainability-assessments`,
    tags: SUSTAINABILITY_TAGS,
    roles: MONITORING_ROLES.read,
    operationId: 'listSustainabilityAssessments',
    summary: 'List the sustainability assessments of a case',
    description: 'In the order recorded, optionally of one returnee; follow-ups carry their change from the returnee\'s baseline.',
    params: CaseParams,
    query: SustainabilityAssessmentListQuery,
    list: SustainabilityAssessmentList,
    run: ({ db, context, params, query }) => service.listAssessments(db, context.actor, params.id, query),
  })

  readUnversionedRoute(app, {
    path: `${CASE_PATH}/sustainability-assessments/:assessment_id`,
    tags: SUSTAINABILITY_TAGS,
    roles: MONITORING_ROLES.read,
    operationId: 'getSustainabilityAssessment',
    summary: 'Get a sustainability assessment',
    params: AssessmentParams,
    resource: SustainabilityAssessment,
    run: ({ db, context, params }) => service.getAssessment(db, context.actor, params.id, params.assessment_id),
  })
}
