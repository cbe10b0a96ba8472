import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { runWrite } from '../../db/unit-of-work.js'
import { etagOf, expectedVersion } from '../../shared/etag.js'
import { IdempotencyKeyHeader, IfMatchHeader } from '../../shared/headers.js'
import { ALL_ROLES } from '../../shared/roles.js'
import { IdParams } from '../../shared/schemas.js'
import {
  CreateSupplier,
  Supplier,
  SupplierBankDetails,
  SupplierContact,
  SupplierDeactivation,
  type SupplierDeactivationInput,
  SupplierList,
  SupplierListQuery,
  UpdateSupplier,
} from './schemas.js'
import * as service from './service.js'
import { PROBLEM_RESPONSES, problemResponses } from '../../shared/problems.js'
import { versionedRead, versionedWrite } from '../../shared/routes.js'

const TAG = 'suppliers'
const SUPPLIER_CHANGE_RESPONSES = {
  200: Type.Ref(Supplier),
  ...problemResponses(400, 404, 409, 412, 422),
}
/** Who may deactivate and reactivate suppliers: the registering partner office (checked in the service), finance, admin. */
const SUPPLIER_STEWARDS = ['partner', 'finance', 'admin'] as const
const BANK_NOTE =
  'Bank details are shown only to `finance` and to the partner office that registered the supplier; every other caller gets ' +
  '`bank_details: null` with `bank_details_visible: false` (and the audit trail records only that they changed).'

/** Suppliers of in-kind reintegration: registered by partner offices, paid through disbursements. */
export default async function suppliersModule(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  for (const schema of [SupplierContact, SupplierBankDetails, Supplier, CreateSupplier, UpdateSupplier, SupplierList, SupplierDeactivation]) app.addSchema(schema)

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
      response: { 201: Type.Ref(Supplier), ...problemResponses(400, 409, 422) },
    },
    handler: (request, reply) =>
      versionedWrite(request, reply, (db, context) => service.createSupplier(db, context, request.body), { ifMatch: 'none', status: 201, location: (supplier) => `/v1/suppliers/${supplier.id}` }),
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
    handler: (request) => service.listSuppliers(app.db, request.context.actor, request.query),
  })

  app.get('/v1/suppliers/:id', {
    config: { roles: ALL_ROLES },
    schema: {
      tags: [TAG],
      operationId: 'getSupplier',
      summary: 'Get a supplier',
      description: 'A partner office sees only its own suppliers (404 otherwise). ' + BANK_NOTE,
      params: IdParams,
      response: { 200: Type.Ref(Supplier), ...problemResponses(400, 404) },
    },
    handler: (request, reply) => versionedRead(reply, service.getSupplier(app.db, request.context.actor, request.params.id)),
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
      response: { ...SUPPLIER_CHANGE_RESPONSES, 428: PROBLEM_RESPONSES[428] },
    },
    handler: (request, reply) => versionedWrite(request, reply, (db, context, expected) => service.updateSupplier(db, context, request.params.id, expected, request.body), { ifMatch: 'required' }),
  })

  /** Deactivation and reactivation: the same callers, checks and answer, in one transaction. */
  const setActive = (change: (body: unknown) => Parameters<typeof service.setSupplierActive>[4]) =>
    async (request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
      const expected = expectedVersion(request, { required: false })
      return runWrite(request, reply, async (db, context) => {
        const supplier = await service.setSupplierActive(db, context, request.params.id, expected, change(request.body))
        return { status: 200, body: supplier, headers: { etag: etagOf(supplier.version) } }
      })
    }

  app.post('/v1/suppliers/:id(^[0-9a-f-]{36})::deactivate', {
    config: { roles: SUPPLIER_STEWARDS },
    schema: {
      tags: [TAG],
      operationId: 'deactivateSupplier',
      summary: 'Deactivate a supplier',
      description:
        'Stops new disbursements to the supplier (422 when one is requested), with a reason; its past disbursements stay as they are. The ' +
        'registering partner office may deactivate its own suppliers (403 for another office\'s), finance and admin any. 409 if already ' +
        'deactivated. If-Match is optional.',
      params: IdParams,
      headers: IfMatchHeader,
      body: Type.Ref(SupplierDeactivation),
      response: SUPPLIER_CHANGE_RESPONSES,
    },
    handler: setActive((body) => ({ active: false, reason: (body as SupplierDeactivationInput).reason })),
  })

  app.post('/v1/suppliers/:id(^[0-9a-f-]{36})::reactivate', {
    config: { roles: SUPPLIER_STEWARDS },
    schema: {
      tags: [TAG],
      operationId: 'reactivateSupplier',
      summary: 'Reactivate a supplier',
      description: 'Lets new disbursements pay a deactivated supplier again. Same callers as deactivation; 409 if it is active. If-Match is optional.',
      params: IdParams,
      headers: IfMatchHeader,
      response: SUPPLIER_CHANGE_RESPONSES,
    },
    handler: setActive(() => ({ active: true })),
  })
}
