import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import { runWrite } from '../../db/unit-of-work.js'
import { etagOf } from '../../shared/etag.js'
import { IdempotencyKeyHeader, IfMatchHeader } from '../../shared/headers.js'
import type { Role } from '../../shared/roles.js'
import * as counselling from './counselling.js'
import { CaseIdParams, CounsellingSession, CounsellingSessionInput, CounsellingSessionList, CounsellingSessionUpdate, PageQuery, SessionParams } from './schemas.js'
import { problemResponses } from '../../shared/problems.js'
import { versionedRead, versionedWrite } from '../../shared/routes.js'

/** Counselling content is shared with those who decide, protect, audit, and the partner office that continues the plan. */
export const SESSION_ROLES = {
  read: ['counsellor', 'approver', 'protection', 'auditor', 'admin', 'partner'],
  write: ['counsellor', 'admin'],
} as const satisfies Record<string, readonly Role[]>

const TAG = 'counselling-sessions'

/** Pre-departure counselling sessions of a case. */
export default async function counsellingRoutes(fastify: FastifyInstance, options: { casePath: string }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const sessionsPath = `${options.casePath}/counselling-sessions`

  app.get(sessionsPath, {
    config: { roles: SESSION_ROLES.read },
    schema: {
      tags: [TAG],
      operationId: 'listCounsellingSessions',
      summary: 'List the counselling sessions of a case',
      description: 'Sessions in the order recorded.',
      params: CaseIdParams,
      querystring: PageQuery,
      response: { 200: Type.Ref(CounsellingSessionList), ...problemResponses(400, 404) },
    },
    handler: (request) => counselling.listSessions(app.db, request.context, request.params.id, request.query),
  })

  app.post(sessionsPath, {
    config: { roles: SESSION_ROLES.write },
    schema: {
      tags: [TAG],
      operationId: 'recordCounsellingSession',
      summary: 'Record a counselling session',
      description: 'A dated session with mode, topics, outcome and next steps; the counsellor defaults to the caller. Not on a closed case (409 `case-closed`).',
      params: CaseIdParams,
      headers: IdempotencyKeyHeader,
      body: Type.Ref(CounsellingSessionInput),
      response: { 201: Type.Ref(CounsellingSession), ...problemResponses(400, 404, 409, 422) },
    },
    handler: (request, reply) =>
      runWrite(request, reply, async (db, context) => {
        const session = await counselling.createSession(db, context, request.params.id, request.body)
        return {
          status: 201,
          body: session,
          headers: { etag: etagOf(session.version), location: `/v1/return-cases/${session.case_id}/counselling-sessions/${session.id}` },
        }
      }),
  })

  app.get(`${sessionsPath}/:session_id`, {
    config: { roles: SESSION_ROLES.read },
    schema: {
      tags: [TAG],
      operationId: 'getCounsellingSession',
      summary: 'Get a counselling session',
      params: SessionParams,
      response: { 200: Type.Ref(CounsellingSession), ...problemResponses(400, 404) },
    },
    handler: (request, reply) => versionedRead(reply, counselling.getSession(app.db, request.context, request.params.id, request.params.session_id)),
  })

  app.patch(`${sessionsPath}/:session_id`, {
    config: { roles: SESSION_ROLES.write },
    schema: {
      tags: [TAG],
      operationId: 'updateCounsellingSession',
      summary: 'Edit a counselling session',
      description: 'Changes the given fields; requires If-Match. Not on a closed case (409 `case-closed`).',
      params: SessionParams,
      headers: IfMatchHeader,
      body: Type.Ref(CounsellingSessionUpdate),
      response: {
        200: Type.Ref(CounsellingSession),
        ...problemResponses(400, 404, 409, 412, 422, 428),
      },
    },
    handler: (request, reply) => {
      const { id: caseId, session_id: sessionId } = request.params
      return versionedWrite(request, reply, (db, context, expected) => counselling.updateSession(db, context, { caseId, sessionId }, expected, request.body), { ifMatch: 'required' })
    },
  })
}
