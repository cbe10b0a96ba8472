import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import { runWrite } from '../../db/unit-of-work.js'
import { expectedVersion } from '../../shared/etag.js'
import { IdempotencyKeyHeader, IfMatchHeader } from '../../shared/headers.js'
import { problemResponses } from '../../shared/problems.js'
import type { Role } from '../../shared/roles.js'
import { versionedRead, versionedWrite } from '../../shared/routes.js'
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

const TAG = 'mic'
const ENQUIRERS = '/v1/mic/enquirers'
const ENQUIRER = `${ENQUIRERS}/:id`
const CONSULTATIONS = `${ENQUIRER}/consultations`
const CONSULTATION = `${CONSULTATIONS}/:consultation_id`

const Erased = Type.Null({ description: 'Erased.' })

/** The Migration Information Centre: enquirers, their consultations, and the follow-ups due. */
export default async function micRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  for (const schema of [
    MicConsent,
    MicConsentRecord,
    MicContact,
    MicContactRecord,
    MicHouseholdMember,
    MicHouseholdMemberRecord,
    CreateMicEnquirer,
    UpdateMicEnquirer,
    MicEnquirer,
    MicEnquirerList,
    MicReferral,
    CreateMicConsultation,
    UpdateMicConsultation,
    MicConsultation,
    MicConsultationList,
    MicFollowUp,
    MicFollowUpList,
  ]) {
    app.addSchema(schema)
  }

  app.post(ENQUIRERS, {
    config: { roles: MIC_ROLES.write },
    schema: {
      tags: [TAG],
      operationId: 'createMicEnquirer',
      summary: 'Register an enquirer',
      description:
        'A national who returns home or thinks about it: name, contact (at least one of e-mail, phone, address; phones in international form, stored as E.164), country of residence, ' +
        'planned return date, household members who are not nationals, and consent to data processing (required; must cover `information_and_advice`).',
      headers: IdempotencyKeyHeader,
      body: Type.Ref(CreateMicEnquirer),
      response: { 201: Type.Ref(MicEnquirer), ...problemResponses(400, 422) },
    },
    handler: (request, reply) =>
      versionedWrite(request, reply, (db, context) => service.createEnquirer(db, context, request.body), { ifMatch: 'none', status: 201, location: (enquirer) => `${ENQUIRERS}/${enquirer.id}` }),
  })

  app.get(ENQUIRERS, {
    config: { roles: MIC_ROLES.read },
    schema: {
      tags: [TAG],
      operationId: 'listMicEnquirers',
      summary: 'List and search enquirers',
      description: 'Enquirers in the order registered; `q` matches the start of words of the name (case- and accent-insensitive); filters by country of residence, household nationality and planned return date.',
      querystring: MicEnquirerListQuery,
      response: { 200: Type.Ref(MicEnquirerList), ...problemResponses(400) },
    },
    handler: (request) => service.listEnquirers(app.db, request.query),
  })

  app.get(ENQUIRER, {
    config: { roles: MIC_ROLES.read },
    schema: {
      tags: [TAG],
      operationId: 'getMicEnquirer',
      summary: 'Get an enquirer',
      params: EnquirerIdParams,
      response: { 200: Type.Ref(MicEnquirer), ...problemResponses(400, 404) },
    },
    handler: (request, reply) => versionedRead(reply, service.getEnquirer(app.db, request.params.id)),
  })

  app.patch(ENQUIRER, {
    config: { roles: MIC_ROLES.write },
    schema: {
      tags: [TAG],
      operationId: 'updateMicEnquirer',
      summary: 'Edit an enquirer',
      description:
        'Changes the given fields; requires If-Match. The person must stay reachable (400). A new consent replaces the recorded one; ' +
        'one without `follow_up_contact` while follow-ups are open is 409.',
      params: EnquirerIdParams,
      headers: IfMatchHeader,
      body: Type.Ref(UpdateMicEnquirer),
      response: { 200: Type.Ref(MicEnquirer), ...problemResponses(400, 404, 409, 412, 422, 428) },
    },
    handler: (request, reply) => versionedWrite(request, reply, (db, context, expected) => service.updateEnquirer(db, context, request.params.id, expected, request.body), { ifMatch: 'required' }),
  })

  app.delete(ENQUIRER, {
    config: { roles: MIC_ROLES.write },
    schema: {
      tags: [TAG],
      operationId: 'deleteMicEnquirer',
      summary: 'Erase an enquirer',
      description: 'Erases the enquirer and their consultations (consent withdrawn); requires If-Match. The audit trail keeps that they were erased and by whom, without their data.',
      params: EnquirerIdParams,
      headers: IfMatchHeader,
      response: { 204: Erased, ...problemResponses(400, 404, 412, 422, 428) },
    },
    handler: async (request, reply) => {
      const expected = expectedVersion(request, { required: true })
      return runWrite(request, reply, async (db, context) => {
        await service.deleteEnquirer(db, context, request.params.id, expected)
        return { status: 204, body: undefined }
      })
    },
  })

  app.post(CONSULTATIONS, {
    config: { roles: MIC_ROLES.write },
    schema: {
      tags: [TAG],
      operationId: 'recordMicConsultation',
      summary: 'Record a consultation',
      description:
        'A dated consultation (not in the future) with channel, topics, the question, the information given, referrals to institutions (not before the consultation) and a follow-up date ' +
        '(not before the consultation; needs the enquirer\'s consent to `follow_up_contact`, 422 otherwise). The counsellor defaults to the caller.',
      params: EnquirerIdParams,
      headers: IdempotencyKeyHeader,
      body: Type.Ref(CreateMicConsultation),
      response: { 201: Type.Ref(MicConsultation), ...problemResponses(400, 404, 422) },
    },
    handler: (request, reply) =>
      versionedWrite(request, reply, (db, context) => service.createConsultation(db, context, request.params.id, request.body), {
        ifMatch: 'none',
        status: 201,
        location: (consultation) => `${ENQUIRERS}/${consultation.enquirer_id}/consultations/${consultation.id}`,
      }),
  })

  app.get(CONSULTATIONS, {
    config: { roles: MIC_ROLES.read },
    schema: {
      tags: [TAG],
      operationId: 'listMicConsultations',
      summary: 'List the consultations of an enquirer',
      description: 'Consultations in the order recorded, filtered by topic, channel and date.',
      params: EnquirerIdParams,
      querystring: MicConsultationListQuery,
      response: { 200: Type.Ref(MicConsultationList), ...problemResponses(400, 404) },
    },
    handler: (request) => service.listConsultations(app.db, request.params.id, request.query),
  })

  app.get(CONSULTATION, {
    config: { roles: MIC_ROLES.read },
    schema: {
      tags: [TAG],
      operationId: 'getMicConsultation',
      summary: 'Get a consultation',
      params: ConsultationParams,
      response: { 200: Type.Ref(MicConsultation), ...problemResponses(400, 404) },
    },
    handler: (request, reply) => versionedRead(reply, service.getConsultation(app.db, request.params.id, request.params.consultation_id)),
  })

  app.patch(CONSULTATION, {
    config: { roles: MIC_ROLES.write },
    schema: {
      tags: [TAG],
      operationId: 'updateMicConsultation',
      summary: 'Edit a consultation',
      description: 'Changes the given fields; requires If-Match. `follow_up_done_on` marks the follow-up done and takes it off the queue; clearing `follow_up_on` clears it too.',
      params: ConsultationParams,
      headers: IfMatchHeader,
      body: Type.Ref(UpdateMicConsultation),
      response: { 200: Type.Ref(MicConsultation), ...problemResponses(400, 404, 412, 422, 428) },
    },
    handler: (request, reply) => {
      const { id: enquirerId, consultation_id: consultationId } = request.params
      return versionedWrite(request, reply, (db, context, expected) => service.updateConsultation(db, context, { enquirerId, consultationId }, expected, request.body), { ifMatch: 'required' })
    },
  })

  app.get('/v1/mic/follow-ups', {
    config: { roles: MIC_ROLES.read },
    schema: {
      tags: [TAG],
      operationId: 'listMicFollowUpsDue',
      summary: 'Follow-ups due',
      description: 'The work queue: follow-ups not yet done that are overdue or due within `due_within` days (default 7), the earliest due first.',
      querystring: MicFollowUpQuery,
      response: { 200: Type.Ref(MicFollowUpList), ...problemResponses(400) },
    },
    handler: (request) => service.followUpsDue(app.db, request.query),
  })
}
