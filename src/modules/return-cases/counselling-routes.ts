import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import type { Role } from '../../shared/roles.js'
import * as counselling from './counselling.js'
import { CaseIdParams, CounsellingSession, CounsellingSessionInput, CounsellingSessionList, CounsellingSessionUpdate, PageQuery, SessionParams } from './schemas.js'
import { createRoute, listRoute, readRoute, updateRoute } from '../../shared/routes.js'

/** Counselling content is shared with those who decide, protect, audit, and the partner office that continues the plan. */
export const SESSION_ROLES = {
  read: ['counsellor', 'approver', 'protection', 'auditor', 'admin', 'partner'],
  write: ['counsellor', 'admin'],
} as const satisfies Record<string, readonly Role[]>

const TAGS = ['counselling-sessions']

/** Pre-departure counselling sessions of a case. */
export default async function counsellingRoutes(fastify: FastifyInstance, options: { casePath: string }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const sessionsPath = `${options.casePath}/counselling-sessions`

  listRoute(app, {
    path: sessionsPath,
    tags: TAGS,
    roles: SESSION_ROLES.read,
    operationId: 'listCounsellingSessions',
    summary: 'List the counselling sessions of a case',
    description: 'Sessions in the order recorded.',
    params: CaseIdParams,
    query: PageQuery,
    list: CounsellingSessionList,
    run: ({ db, context, params, query }) => counselling.listSessions(db, context, params.id, query),
  })

  createRoute(app, {
    path: sessionsPath,
    tags: TAGS,
    roles: SESSION_ROLES.write,
    operationId: 'recordCounsellingSession',
    summary: 'Record a counselling session',
    description: 'A dated session with mode, topics, outcome and next steps; the counsellor defaults to the caller. Not on a closed case (409 `case-closed`).',
    params: CaseIdParams,
    body: CounsellingSessionInput,
    resource: CounsellingSession,
    run: ({ db, context, params, body }) => counselling.createSession(db, context, params.id, body),
    location: (session) => `/v1/return-cases/${session.case_id}/counselling-sessions/${session.id}`,
  })

  readRoute(app, {
    path: `${sessionsPath}/:session_id`,
    tags: TAGS,
    roles: SESSION_ROLES.read,
    operationId: 'getCounsellingSession',
    summary: 'Get a counselling session',
    params: SessionParams,
    resource: CounsellingSession,
    run: ({ db, context, params }) => counselling.getSession(db, context, params.id, params.session_id),
  })

  updateRoute(app, {
    path: `${sessionsPath}/:session_id`,
    tags: TAGS,
    roles: SESSION_ROLES.write,
    operationId: 'updateCounsellingSession',
    summary: 'Edit a counselling session',
    description: 'Changes the given fields; requires If-Match. Not on a closed case (409 `case-closed`).',
    params: SessionParams,
    body: CounsellingSessionUpdate,
    resource: CounsellingSession,
    run: ({ db, context, params, expectedVersion, body }) =>
      counselling.updateSession(db, context, { caseId: params.id, sessionId: params.session_id }, expectedVersion, body),
  })
}
