import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { listAuditEvents } from './repository.js'
import { AuditEvent, AuditEventList, AuditEventQuery } from './schemas.js'
import { PROBLEM_RESPONSES } from '../../shared/problems.js'

export default async function auditModule(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  app.addSchema(AuditEvent)
  app.addSchema(AuditEventList)

  app.get('/v1/audit-events', {
    config: { roles: ['auditor', 'admin'] },
    schema: {
      tags: ['audit'],
      operationId: 'listAuditEvents',
      summary: 'Search the audit trail',
      description: 'Every change made through the API, newest first, filtered by entity, case, actor, action and time.',
      querystring: AuditEventQuery,
      response: { 200: Type.Ref(AuditEventList), 400: PROBLEM_RESPONSES[400] },
    },
    handler: (request) => listAuditEvents(app.db, request.query),
  })
}
