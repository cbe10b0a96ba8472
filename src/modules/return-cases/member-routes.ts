import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import { runWrite } from '../../db/unit-of-work.js'
import { etagOf, expectedVersion } from '../../shared/etag.js'
import { IdempotencyKeyHeader, IfMatchHeader } from '../../shared/headers.js'
import { ALL_ROLES, type Role } from '../../shared/roles.js'
import * as members from './members.js'
import {
  CaseIdParams,
  Member,
  MemberCreated,
  MemberInput,
  MemberList,
  MemberParams,
  MemberUpdate,
  PageQuery,
  Vulnerability,
  VulnerabilityInput,
  VulnerabilityParams,
  VulnerabilityUpdate,
} from './schemas.js'
import { PROBLEM_RESPONSES, problemResponses } from '../../shared/problems.js'
import { versionedRead, versionedWrite } from '../../shared/routes.js'

export const MEMBER_ROLES = {
  read: ALL_ROLES,
  add: ['counsellor', 'integration', 'admin'],
  edit: ['counsellor', 'admin'],
  vulnerabilities: ['counsellor', 'protection', 'admin'],
} as const satisfies Record<string, readonly Role[]>

const TAG = 'case-members'

const WRITE_PROBLEMS = {
  ...problemResponses(400, 404, 409, 412, 422, 428),
}

const Removed = Type.Null({ description: 'Removed.' })

/** Household members of a case and their vulnerabilities. */
export default async function memberRoutes(fastify: FastifyInstance, options: { casePath: string }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const membersPath = `${options.casePath}/members`
  const memberPath = `${membersPath}/:member_id`
  const vulnerabilitiesPath = `${memberPath}/vulnerabilities`

  app.get(membersPath, {
    config: { roles: MEMBER_ROLES.read },
    schema: {
      tags: [TAG],
      operationId: 'listCaseMembers',
      summary: 'List the household of a case',
      description: 'Members in the order recorded, with derived ages at the departure date. Restricted vulnerability detail shows as `restricted` unless the caller may see it.',
      params: CaseIdParams,
      querystring: PageQuery,
      response: { 200: Type.Ref(MemberList), ...problemResponses(400, 404) },
    },
    handler: (request) => members.listMembers(app.db, request.context, request.params.id, request.query),
  })

  app.post(membersPath, {
    config: { roles: MEMBER_ROLES.add },
    schema: {
      tags: [TAG],
      operationId: 'addCaseMember',
      summary: 'Add a person to the household',
      description:
        'Adds the principal applicant (one per case) or a member with their relationship to the principal. An unaccompanied or separated child needs a legal guardian in the household (422). ' +
        '`possible_duplicates` lists the same person in other open cases; nothing is merged. Not on a closed case (409 `case-closed`).',
      params: CaseIdParams,
      headers: IdempotencyKeyHeader,
      body: Type.Ref(MemberInput),
      response: { 201: Type.Ref(MemberCreated), ...problemResponses(400, 404, 409, 422) },
    },
    handler: (request, reply) =>
      runWrite(request, reply, async (db, context) => {
        const { member, possibleDuplicates } = await members.addMember(db, context, request.params.id, request.body)
        return {
          status: 201,
          body: { ...member, possible_duplicates: possibleDuplicates },
          headers: { etag: etagOf(member.version), location: `/v1/return-cases/${member.case_id}/members/${member.id}` },
        }
      }),
  })

  app.get(memberPath, {
    config: { roles: MEMBER_ROLES.read },
    schema: {
      tags: [TAG],
      operationId: 'getCaseMember',
      summary: 'Get a household member',
      params: MemberParams,
      response: { 200: Type.Ref(Member), ...problemResponses(400, 404) },
    },
    handler: (request, reply) => versionedRead(reply, members.getMember(app.db, request.context, request.params.id, request.params.member_id)),
  })

  app.patch(memberPath, {
    config: { roles: MEMBER_ROLES.edit },
    schema: {
      tags: [TAG],
      operationId: 'updateCaseMember',
      summary: 'Edit a household member',
      description:
        'Changes the given fields; requires If-Match with the member\'s ETag. Once the case is submitted the principal applicant stays the principal. Not on a closed case (409 `case-closed`).',
      params: MemberParams,
      headers: IfMatchHeader,
      body: Type.Ref(MemberUpdate),
      response: { 200: Type.Ref(Member), ...WRITE_PROBLEMS },
    },
    handler: (request, reply) => versionedWrite(request, reply, (db, context, expected) => members.updateMember(db, context, request.params.id, request.params.member_id, expected, request.body), { ifMatch: 'required' }),
  })

  app.delete(memberPath, {
    config: { roles: MEMBER_ROLES.edit },
    schema: {
      tags: [TAG],
      operationId: 'removeCaseMember',
      summary: 'Remove a person from the household',
      description:
        'Removes the person and their vulnerability entries; requires If-Match. The principal can be removed only from a draft; a legal guardian only when no unaccompanied child depends on them (409). ' +
        'A person with restricted entries the caller may not see cannot be removed by them (403). ' +
        'A person named by travel documents, tickets, excess baggage, cash grants, reintegration requests, surveys or sustainability assessments cannot be removed (409 `conflict` naming them).',
      params: MemberParams,
      headers: IfMatchHeader,
      response: { 204: Removed, 403: PROBLEM_RESPONSES[403], ...WRITE_PROBLEMS },
    },
    handler: async (request, reply) => {
      const expected = expectedVersion(request, { required: true })
      return runWrite(request, reply, async (db, context) => {
        await members.removeMember(db, context, request.params.id, request.params.member_id, expected)
        return { status: 204, body: undefined }
      })
    },
  })

  app.post(vulnerabilitiesPath, {
    config: { roles: MEMBER_ROLES.vulnerabilities },
    schema: {
      tags: [TAG],
      operationId: 'recordMemberVulnerability',
      summary: 'Record a vulnerability',
      description:
        'Records a coded vulnerability with notes. `victim_of_trafficking` entries are visible only to `protection` staff and to whoever recorded them. ' +
        'An unaccompanied or separated child must be under 18 and needs a legal guardian in the household (422). Not on a closed case.',
      params: MemberParams,
      headers: IdempotencyKeyHeader,
      body: Type.Ref(VulnerabilityInput),
      response: { 201: Type.Ref(Vulnerability), ...problemResponses(400, 404, 409, 422) },
    },
    handler: (request, reply) =>
      runWrite(request, reply, async (db, context) => {
        const entry = await members.addVulnerability(db, context, request.params.id, request.params.member_id, request.body)
        return {
          status: 201,
          body: entry,
          headers: { etag: etagOf(entry.version ?? 1), location: `/v1/return-cases/${request.params.id}/members/${entry.member_id}/vulnerabilities/${entry.id}` },
        }
      }),
  })

  app.patch(`${vulnerabilitiesPath}/:vulnerability_id`, {
    config: { roles: MEMBER_ROLES.vulnerabilities },
    schema: {
      tags: [TAG],
      operationId: 'updateMemberVulnerability',
      summary: 'Edit a vulnerability entry',
      description: 'Changes the notes or the escort flag; requires If-Match. A restricted entry can be changed only by `protection` staff or whoever recorded it (403).',
      params: VulnerabilityParams,
      headers: IfMatchHeader,
      body: Type.Ref(VulnerabilityUpdate),
      response: { 200: Type.Ref(Vulnerability), 403: PROBLEM_RESPONSES[403], ...WRITE_PROBLEMS },
    },
    handler: (request, reply) => {
      const { id: caseId, member_id: memberId, vulnerability_id: vulnerabilityId } = request.params
      return versionedWrite(request, reply, (db, context, expected) => members.updateVulnerability(db, context, { caseId, memberId, vulnerabilityId }, expected, request.body), { ifMatch: 'required' })
    },
  })

  app.delete(`${vulnerabilitiesPath}/:vulnerability_id`, {
    config: { roles: MEMBER_ROLES.vulnerabilities },
    schema: {
      tags: [TAG],
      operationId: 'removeMemberVulnerability',
      summary: 'Remove a vulnerability entry',
      description: 'Requires If-Match. A restricted entry can be removed only by `protection` staff or whoever recorded it (403).',
      params: VulnerabilityParams,
      headers: IfMatchHeader,
      response: { 204: Removed, 403: PROBLEM_RESPONSES[403], ...WRITE_PROBLEMS },
    },
    handler: async (request, reply) => {
      const expected = expectedVersion(request, { required: true })
      const { id: caseId, member_id: memberId, vulnerability_id: vulnerabilityId } = request.params
      return runWrite(request, reply, async (db, context) => {
        await members.removeVulnerability(db, context, { caseId, memberId, vulnerabilityId }, expected)
        return { status: 204, body: undefined }
      })
    },
  })
}
