import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import type { Role } from '../../shared/roles.js'
import { createRoute, deleteRoute, listRoute, readRoute, updateRoute } from '../../shared/routes.js'
import {
  ConsultationParams,
  CreateMicConsultation,
  CreateMicEnquirer,
  EnquirerIdParams,
  MicConsent,
  MicConsentRecord,
  MicConsultation,
  MicConsultationList,
  MicConsultationListQuery,
  MicContact,
  MicContactRecord,
  MicEnquirer,
  MicEnquirerList,
  MicEnquirerListQuery,
  MicFollowUp,
  MicFollowUpList,
  MicFollowUpQuery,
  MicHouseholdMember,
  MicHouseholdMemberRecord,
  MicReferral,
  UpdateMicConsultation,
  UpdateMicEnquirer,
} from './schemas.js'
import * as service from './service.js'

/** The centre's counsellors and administrators keep its records; auditors read them. Nobody else sees the centre's clients. */
export const MIC_ROLES = {
  read: ['counsellor', 'admin', 'auditor'],
  write: ['counsellor', 'admin'],
} as const satisfies Record<string, readonly Role[]>

const TAGS = ['mic']
const ENQUIRERS = '/v1/mic/enquirers'
const ENQUIRER = `${ENQUIRERS}/:id`
const CONSULTATIONS = `${ENQUIRER}/consultations`
const CONSULTATION = `${CONSULTATIONS}/:consultation_id`

const Erased = Type.Null({ description: 'Erased.' })

/** The Migration Information Centre: enquirers, their consultations, and the follow-ups due. */
export default async function micRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  for (const schema of [
    MicConsent, MicConsentRecord, MicContact, MicContactRecord, MicHouseholdMember, MicHouseholdMemberRecord, CreateMicEnquirer,
    UpdateMicEnquirer, MicEnquirer, MicEnquirerList, MicReferral, CreateMicConsultation, UpdateMicConsultation, MicConsultation,
    MicConsultationList, MicFollowUp, MicFollowUpList,
  ]) {
    app.addSchema(schema)
  }

  createRoute(app, {
    path: ENQUIRERS,
    tags: TAGS,
    roles: MIC_ROLES.write,
    operationId: 'createMicEnquirer',
    summary: 'Register an enquirer',
    description:
      'A national who returns home or thinks about it: name, contact (at least one of e-mail, phone, address; phones in international form, stored as E.164), country of residence, ' +
      'planned return date, household members who are not nationals, and consent to data processing (required; must cover `information_and_advice`).',
    body: CreateMicEnquirer,
    resource: MicEnquirer,
    problems: [400, 422],
    run: ({ db, context, body }) => service.createEnquirer(db, context, body),
    location: (enquirer) => `${ENQUIRERS}/${enquirer.id}`,
  })

  listRoute(app, {
    path: ENQUIRERS,
    tags: TAGS,
    roles: MIC_ROLES.read,
    operationId: 'listMicEnquirers',
    summary: 'List and search enquirers',
    description: 'Enquirers in the order registered; `q` matches the start of words of the name (case- and accent-insensitive); filters by country of residence, household nationality and planned return date.',
    query: MicEnquirerListQuery,
    list: MicEnquirerList,
    run: ({ db, query }) => service.listEnquirers(db, query),
  })

  readRoute(app, {
    path: ENQUIRER,
    tags: TAGS,
    roles: MIC_ROLES.read,
    operationId: 'getMicEnquirer',
    summary: 'Get an enquirer',
    params: EnquirerIdParams,
    resource: MicEnquirer,
    run: ({ db, params }) => service.getEnquirer(db, params.id),
  })

  updateRoute(app, {
    path: ENQUIRER,
    tags: TAGS,
    roles: MIC_ROLES.write,
    operationId: 'updateMicEnquirer',
    summary: 'Edit an enquirer',
    description:
      'Changes the given fields; requires If-Match. The person must stay reachable (400). A new consent replaces the recorded one; ' +
      'one without `follow_up_contact` while follow-ups are open is 409.',
    params: EnquirerIdParams,
    body: UpdateMicEnquirer,
    resource: MicEnquirer,
    run: ({ db, context, params, expectedVersion, body }) => service.updateEnquirer(db, context, params.id, expectedVersion, body),
  })

  deleteRoute(app, {
    path: ENQUIRER,
    tags: TAGS,
    roles: MIC_ROLES.write,
    operationId: 'deleteMicEnquirer',
    summary: 'Erase an enquirer',
    description: 'Erases the enquirer and their consultations (consent withdrawn); requires If-Match. The audit trail keeps that they were erased and by whom, without their data.',
    params: EnquirerIdParams,
    removed: Erased,
    problems: [400, 404, 412, 422, 428],
    run: ({ db, context, params, expectedVersion }) => service.deleteEnquirer(db, context, params.id, expectedVersion),
  })

  createRoute(app, {
    path: CONSULTATIONS,
    tags: TAGS,
    roles: MIC_ROLES.write,
    operationId: 'recordMicConsultation',
    summary: 'Record a consultation',
    description:
      'A dated consultation (not in the future) with channel, topics, the question, the information given, referrals to institutions (not before the consultation) and a follow-up date ' +
      '(not before the consultation; needs the enquirer\'s consent to `follow_up_contact`, 422 otherwise). The counsellor defaults to the caller.',
    params: EnquirerIdParams,
    body: CreateMicConsultation,
    resource: MicConsultation,
    problems: [400, 404, 422],
    run: ({ db, context, params, body }) => service.createConsultation(db, context, params.id, body),
    location: (consultation) => `${ENQUIRERS}/${consultation.enquirer_id}/consultations/${consultation.id}`,
  })

  listRoute(app, {
    path: CONSULTATIONS,
    tags: TAGS,
    roles: MIC_ROLES.read,
    operationId: 'listMicConsultations',
    summary: 'List the consultations of an enquirer',
    description: 'Consultations in the order recorded, filtered by topic, channel and date.',
    params: EnquirerIdParams,
    query: MicConsultationListQuery,
    list: MicConsultationList,
    run: ({ db, params, query }) => service.listConsultations(db, params.id, query),
  })

  readRoute(app, {
    path: CONSULTATION,
    tags: TAGS,
    roles: MIC_ROLES.read,
    operationId: 'getMicConsultation',
    summary: 'Get a consultation',
    params: ConsultationParams,
    resource: MicConsultation,
    run: ({ db, params }) => service.getConsultation(db, params.id, params.consultation_id),
  })

  updateRoute(app, {
    path: CONSULTATION,
    tags: TAGS,
    roles: MIC_ROLES.write,
    operationId: 'updateMicConsultation',
    summary: 'Edit a consultation',
    description: 'Changes the given fields; requires If-Match. `follow_up_done_on` marks the follow-up done and takes it off the queue; clearing `follow_up_on` clears it too.',
    params: ConsultationParams,
    body: UpdateMicConsultation,
    resource: MicConsultation,
    problems: [400, 404, 412, 422, 428],
    run: ({ db, context, params, expectedVersion, body }) =>
      service.updateConsultation(db, context, { enquirerId: params.id, consultationId: params.consultation_id }, expectedVersion, body),
  })

  listRoute(app, {
    path: '/v1/mic/follow-ups',
    tags: TAGS,
    roles: MIC_ROLES.read,
    operationId: 'listMicFollowUpsDue',
    summary: 'Follow-ups due',
    description: 'The work queue: follow-ups not yet done that are overdue or due within `due_within` days (default 7), the earliest due first.',
    query: MicFollowUpQuery,
    list: MicFollowUpList,
    run: ({ db, query }) => service.followUpsDue(db, query),
  })
}
