import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { PROBLEM_RESPONSES, problemResponses } from '../../shared/problems.js'
import { ALL_ROLES } from '../../shared/roles.js'
import { IdParams } from '../../shared/schemas.js'
import { IdempotencyKeyHeader, IfMatchHeader } from '../../shared/headers.js'
import * as repository from './repository.js'
import { CreateOffice, Office, OfficeList, OfficeListQuery, UpdateOffice } from './schemas.js'
import * as service from './service.js'
import { versionedRead, versionedWrite } from '../../shared/routes.js'

export default async function officesModule(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  for (const schema of [Office, CreateOffice, UpdateOffice, OfficeList]) app.addSchema(schema)

  app.post('/v1/offices', {
    config: { roles: ['admin'] },
    schema: {
      tags: ['offices'],
      operationId: 'createOffice',
      summary: 'Register an office',
      description: 'Registers the country office or a partner office. Office codes are unique and appear in case references.',
      headers: IdempotencyKeyHeader,
      body: Type.Ref(CreateOffice),
      response: { 201: Type.Ref(Office), ...problemResponses(400, 409, 422) },
    },
    handler: (request, reply) =>
      versionedWrite(request, reply, (db, context) => service.createOffice(db, context, request.body), { ifMatch: 'none', status: 201, location: (office) => `/v1/offices/${office.id}` }),
  })

  app.get('/v1/offices', {
    config: { roles: ALL_ROLES },
    schema: {
      tags: ['offices'],
      operationId: 'listOffices',
      summary: 'List offices',
      description: 'Offices ordered by creation, optionally filtered by kind and country.',
      querystring: OfficeListQuery,
      response: { 200: Type.Ref(OfficeList), 400: PROBLEM_RESPONSES[400] },
    },
    handler: (request) => repository.listOffices(app.db, request.query),
  })

  app.get('/v1/offices/:id', {
    config: { roles: ALL_ROLES },
    schema: {
      tags: ['offices'],
      operationId: 'getOffice',
      summary: 'Get an office',
      params: IdParams,
      response: { 200: Type.Ref(Office), ...problemResponses(400, 404) },
    },
    handler: (request, reply) => versionedRead(reply, service.getOffice(app.db, request.params.id)),
  })

  app.patch('/v1/offices/:id', {
    config: { roles: ['admin'] },
    schema: {
      tags: ['offices'],
      operationId: 'updateOffice',
      summary: 'Edit an office',
      description: 'Changes the given fields. Requires If-Match with the ETag of the last read.',
      params: IdParams,
      headers: IfMatchHeader,
      body: Type.Ref(UpdateOffice),
      response: {
        200: Type.Ref(Office),
        ...problemResponses(400, 404, 409, 412, 422, 428),
      },
    },
    handler: (request, reply) => versionedWrite(request, reply, (db, context, expected) => service.updateOffice(db, context, request.params.id, expected, request.body), { ifMatch: 'required' }),
  })
}
