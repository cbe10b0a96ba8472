import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { ALL_ROLES } from '../../shared/roles.js'
import { IdParams } from '../../shared/schemas.js'
import * as repository from './repository.js'
import { CreateOffice, Office, OfficeList, OfficeListQuery, UpdateOffice } from './schemas.js'
import * as service from './service.js'
import { createRoute, listRoute, readRoute, updateRoute } from '../../shared/routes.js'

const TAGS = ['offices']

export default async function officesModule(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  for (const schema of [Office, CreateOffice, UpdateOffice, OfficeList]) app.addSchema(schema)

  createRoute(app, {
    path: '/v1/offices',
    tags: TAGS,
    roles: ['admin'],
    operationId: 'createOffice',
    summary: 'Register an office',
    description: 'Registers the country office or a partner office. Office codes are unique and appear in case references.',
    body: CreateOffice,
    resource: Office,
    run: ({ db, context, body }) => service.createOffice(db, context, body),
    location: (office) => `/v1/offices/${office.id}`,
  })

  listRoute(app, {
    path: '/v1/offices',
    tags: TAGS,
    roles: ALL_ROLES,
    operationId: 'listOffices',
    summary: 'List offices',
    description: 'Offices ordered by creation, optionally filtered by kind and country.',
    query: OfficeListQuery,
    list: OfficeList,
    run: ({ db, query }) => repository.listOffices(db, query),
  })

  readRoute(app, {
    path: '/v1/offices/:id',
    tags: TAGS,
    roles: ALL_ROLES,
    operationId: 'getOffice',
    summary: 'Get an office',
    params: IdParams,
    resource: Office,
    run: ({ db, params }) => service.getOffice(db, params.id),
  })

  updateRoute(app, {
    path: '/v1/offices/:id',
    tags: TAGS,
    roles: ['admin'],
    operationId: 'updateOffice',
    summary: 'Edit an office',
    description: 'Changes the given fields. Requires If-Match with the ETag of the last read.',
    params: IdParams,
    body: UpdateOffice,
    resource: Office,
    run: ({ db, context, params, expectedVersion, body }) => service.updateOffice(db, context, params.id, expectedVersion, body),
  })
}
