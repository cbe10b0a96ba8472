import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { listAuditEvents } from './repository.js'
import { AuditEvent, AuditEventList, AuditEventQuery } from './schemas.js'
import { listRoute } from '../../shared/routes.js'

export default async function auditModule(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  app.addSchema(AuditEvent)
  app.addSchema(AuditEventList)

  listRoute(app, {
    path: '/v1/audit-events',
    tags: ['audit'],
    roles: ['auditor', 'admin'],
    operationId: 'listAuditEvents',
    summary: 'Search the audit trail',
    description: 'Every change made through the API, newest first, filtered by entity, case, actor, action and time.',
    query: AuditEventQuery,
    list: AuditEventList,
    run: ({ db, query }) => listAuditEvents(db, query),
  })
}
