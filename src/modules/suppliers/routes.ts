import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import { PROBLEM_RESPONSES } from '../../plugins/auth.js'
import { runWrite } from '../../plugins/write.js'
import { etagOf, expectedVersion, setEtag } from '../../shared/etag.js'
import { IdempotencyKeyHeader, IfMatchHeader } from '../../shared/headers.js'
import { ALL_ROLES } from '../../shared/roles.js'
import { IdParams } from '../../shared/schemas.js'
import * as repository from './repository.js'
import { CreateSupplier, Supplier, SupplierBankDetails, SupplierContact, SupplierList, SupplierListQuery, UpdateSupplier } from './schemas.js'
import * as service from './service.js'

const TAG = 'suppliers'
const BANK_NOTE =
  'Bank details are shown only to `finance` and to the partner office that registered the supplier; every other caller gets ' +
  '`bank_details: null` with `bank_details_visible: false` (and the audit trail records only that they changed).'

/** Suppliers of in-kind reintegration: registered by partner offices, paid through disbursements. */
export default async function suppliersModule(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  for (const schema of [SupplierContact, SupplierBankDetails, Supplier, CreateSupplier, UpdateSupplier, SupplierList]) app.addSchema(schema)

  app.post('/v1/suppliers', {
    config: { roles: ['partner'] },
    schema: {
      tags: [TAG],
      operationId: 'registerSupplier',
      summary: 'Register a supplier',
      description:
        'A partner office registers a supplier in its own country (the country is the office\'s). Registration numbers are unique per ' +
        'country (409 `duplicate-resource`). ' +
        BANK_NOTE,
      headers: IdempotencyKeyHeader,
      body: Type.Ref(CreateSupplier),
      response: { 201: Type.Ref(Supplier), 400: PROBLEM_RESPONSES[400], 409: PROBLEM_RESPONSES[409], 422: PROBLEM_RESPONSES[422] },
    },
    handler: (request, reply) =>
      runWrite(request, reply, async (db, context) => {
        const supplier = await service.createSupplier(db, context, request.body)
        return { status: 201, body: supplier, headers: { etag: etagOf(supplier.version), location: `/v1/suppliers/${supplier.id}` } }
      }),
  })

  app.get('/v1/suppliers', {
    config: { roles: ALL_ROLES },
    schema: {
      tags: [TAG],
      operationId: 'listSuppliers',
      summary: 'List suppliers',
      description: 'Suppliers in registration order, optionally of one country or partner office. A partner office sees only its own suppliers. ' + BANK_NOTE,
      querystring: SupplierListQuery,
      response: { 200: Type.Ref(SupplierList), 400: PROBLEM_RESPONSES[400] },
    },
    handler: (request) => repository.listSuppliers(app.db, request.context.actor, request.query),
  })

  app.get('/v1/suppliers/:id', {
    config: { roles: ALL_ROLES },
    schema: {
      tags: [TAG],
      operationId: 'getSupplier',
      summary: 'Get a supplier',
      description: 'A partner office sees only its own suppliers (404 otherwise). ' + BANK_NOTE,
      params: IdParams,
      response: { 200: Type.Ref(Supplier), 400: PROBLEM_RESPONSES[400], 404: PROBLEM_RESPONSES[404] },
    },
    handler: async (request, reply) => {
      const supplier = await service.getSupplier(app.db, request.context.actor, request.params.id)
      setEtag(reply, supplier.version)
      return supplier
    },
  })

  app.patch('/v1/suppliers/:id', {
    config: { roles: ['partner'] },
    schema: {
      tags: [TAG],
      operationId: 'updateSupplier',
      summary: 'Change a supplier',
      description: 'The registering partner office changes the given fields; requires If-Match. ' + BANK_NOTE,
      params: IdParams,
      headers: IfMatchHeader,
      body: Type.Ref(UpdateSupplier),
      response: {
        200: Type.Ref(Supplier),
        400: PROBLEM_RESPONSES[400],
        404: PROBLEM_RESPONSES[404],
        409: PROBLEM_RESPONSES[409],
        412: PROBLEM_RESPONSES[412],
        422: PROBLEM_RESPONSES[422],
        428: PROBLEM_RESPONSES[428],
      },
    },
    handler: async (request, reply) => {
      const expected = expectedVersion(request, { required: true })
      return runWrite(request, reply, async (db, context) => {
        const supplier = await service.updateSupplier(db, context, request.params.id, expected, request.body)
        return { status: 200, body: supplier, headers: { etag: etagOf(supplier.version) } }
      })
    },
  })
}
