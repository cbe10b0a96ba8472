import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type, type Static } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
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
import { createRoute, deleteRoute, listRoute, readRoute, updateRoute } from '../../shared/routes.js'

export const MEMBER_ROLES = {
  read: ALL_ROLES,
  add: ['counsellor', 'integration', 'admin'],
  edit: ['counsellor', 'admin'],
  vulnerabilities: ['counsellor', 'protection', 'admin'],
} as const satisfies Record<string, readonly Role[]>

const TAGS = ['case-members']

/** The problems of every write of a member or vulnerability entry but its creation. */
const WRITE_PROBLEMS = [400, 404, 409, 412, 422, 428] as const

/** The ids of a vulnerability entry in its path. */
const vulnerabilityIds = (params: Static<typeof VulnerabilityParams>) => ({ caseId: params.id, memberId: params.member_id, vulnerabilityId: params.vulnerability_id })

const Removed = Type.Null({ description: 'Removed.' })

/** Household members of a case and their vulnerabilities. */
export default async function memberRoutes(fastify: FastifyInstance, options: { casePath: string }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const membersPath = `${options.casePath}/members`
  const memberPath = `${membersPath}/:member_id`
  const vulnerabilitiesPath = `${memberPath}/vulnerabilities`

  listRoute(app, {
    path: membersPath,
    tags: TAGS,
    roles: MEMBER_ROLES.read,
    operationId: 'listCaseMembers',
    summary: 'List the household of a case',
    description: 'Members in the order recorded, with derived ages at the departure date. Restricted vulnerability detail shows as `restricted` unless the caller may see it.',
    params: CaseIdParams,
    query: PageQuery,
    list: MemberList,
    run: ({ db, context, params, query }) => members.listMembers(db, context, params.id, query),
  })

  createRoute(app, {
    path: membersPath,
    tags: TAGS,
    roles: MEMBER_ROLES.add,
    operationId: 'addCaseMember',
    summary: 'Add a person to the household',
    description:
      'Adds the principal applicant (one per case) or a member with their relationship to the principal. An unaccompanied or separated child needs a legal guardian in the household (422). ' +
      '`possible_duplicates` lists the same person in other open cases; nothing is merged. Not on a closed case (409 `case-closed`).',
    params: CaseIdParams,
    body: MemberInput,
    resource: MemberCreated,
    run: async ({ db, context, params, body }) => {
      const { member, possibleDuplicates } = await members.addMember(db, context, params.id, body)
      return { ...member, possible_duplicates: possibleDuplicates }
    },
    location: (member) => `/v1/return-cases/${member.case_id}/members/${member.id}`,
  })

  readRoute(app, {
    path: memberPath,
    tags: TAGS,
    roles: MEMBER_ROLES.read,
    operationId: 'getCaseMember',
    summary: 'Get a household member',
    params: MemberParams,
    resource: Member,
    run: ({ db, context, params }) => members.getMember(db, context, params.id, params.member_id),
  })

  updateRoute(app, {
    path: memberPath,
    tags: TAGS,
    roles: MEMBER_ROLES.edit,
    operationId: 'updateCaseMember',
    summary: 'Edit a household member',
    description:
      'Changes the given fields; requires If-Match with the member\'s ETag. Once the case is submitted the principal applicant stays the principal. Not on a closed case (409 `case-closed`).',
    params: MemberParams,
    body: MemberUpdate,
    resource: Member,
    run: ({ db, context, params, expectedVersion, body }) => members.updateMember(db, context, params.id, params.member_id, expectedVersion, body),
  })

  deleteRoute(app, {
    path: memberPath,
    tags: TAGS,
    roles: MEMBER_ROLES.edit,
    operationId: 'removeCaseMember',
    summary: 'Remove a person from the household',
    description:
      'Removes the person and their vulnerability entries; requires If-Match. The principal can be removed only from a draft; a legal guardian only when no unaccompanied child depends on them (409). ' +
      'A person with restricted entries the caller may not see cannot be removed by them (403). ' +
      'A person named by travel documents, tickets, excess baggage, cash grants, reintegration requests, surveys or sustainability assessments cannot be removed (409 `conflict` naming them).',
    params: MemberParams,
    removed: Removed,
    problems: [403, ...WRITE_PROBLEMS],
    run: ({ db, context, params, expectedVersion }) => members.removeMember(db, context, params.id, params.member_id, expectedVersion),
  })

  createRoute(app, {
    path: vulnerabilitiesPath,
    tags: TAGS,
    roles: MEMBER_ROLES.vulnerabilities,
    operationId: 'recordMemberVulnerability',
    summary: 'Record a vulnerability',
    description:
      'Records a coded vulnerability with notes. `victim_of_trafficking` entries are visible only to `protection` staff and to whoever recorded them. ' +
      'An unaccompanied or separated child must be under 18 and needs a legal guardian in the household (422). Not on a closed case.',
    params: MemberParams,
    body: VulnerabilityInput,
    resource: Vulnerability,
    run: ({ db, context, params, body }) => members.addVulnerability(db, context, params.id, params.member_id, body),
    location: (entry, params) => `/v1/return-cases/${params.id}/members/${entry.member_id}/vulnerabilities/${entry.id}`,
  })

  updateRoute(app, {
    path: `${vulnerabilitiesPath}/:vulnerability_id`,
    tags: TAGS,
    roles: MEMBER_ROLES.vulnerabilities,
    operationId: 'updateMemberVulnerability',
    summary: 'Edit a vulnerability entry',
    description: 'Changes the notes or the escort flag; requires If-Match. A restricted entry can be changed only by `protection` staff or whoever recorded it (403).',
    params: VulnerabilityParams,
    body: VulnerabilityUpdate,
    resource: Vulnerability,
    problems: [403, ...WRITE_PROBLEMS],
    run: ({ db, context, params, expectedVersion, body }) => members.updateVulnerability(db, context, vulnerabilityIds(params), expectedVersion, body),
  })

  deleteRoute(app, {
    path: `${vulnerabilitiesPath}/:vulnerability_id`,
    tags: TAGS,
    roles: MEMBER_ROLES.vulnerabilities,
    operationId: 'removeMemberVulnerability',
    summary: 'Remove a vulnerability entry',
    description: 'Requires If-Match. A restricted entry can be removed only by `protection` staff or whoever recorded it (403).',
    params: VulnerabilityParams,
    removed: Removed,
    problems: [403, ...WRITE_PROBLEMS],
    run: ({ db, context, params, expectedVersion }) => members.removeVulnerability(db, context, vulnerabilityIds(params), expectedVersion),
  })
}
