import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import { ALL_ROLES } from '../../shared/roles.js'
import { IdParams } from '../../shared/schemas.js'
import {
  CreateSupplier,
  Supplier,
  SupplierBankDetails,
  SupplierContact,
  SupplierDeactivation,
  SupplierList,
  SupplierListQuery,
  UpdateSupplier,
} from './schemas.js'
import * as service from './service.js'
import { problemResponses } from '../../shared/problems.js'
import { createRoute, listRoute, readRoute, registerCustomMethods, updateRoute } from '../../shared/routes.js'

const TAGS = ['suppliers']
/** Who may deactivate and reactivate suppliers: the registering partner office (checked in the service), finance, admin. */
const SUPPLIER_STEWARDS = ['partner', 'finance', 'admin'] as const
const BANK_NOTE =
  'Bank details are shown only to `finance` and to the partner office that registered the supplier; every other caller gets ' +
  '`bank_details: null` with `bank_details_visible: false` (and the audit trail records only that they changed).'

/** Suppliers of in-kind reintegration: registered by partner offices, paid through disbursements. */
export default async function suppliersModule(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  for (const schema of [SupplierContact, SupplierBankDetails, Supplier, CreateSupplier, UpdateSupplier, SupplierList, SupplierDeactivation]) app.addSchema(schema)

  createRoute(app, {
    path: '/v1/suppliers',
    tags: TAGS,
    roles: ['partner'],
    operationId: 'registerSupplier',
    summary: 'Register a supplier',
    description:
      'A partner office registers a supplier in its own country (the country is the office\'s). Registration numbers are unique per ' +
      'country (409 `duplicate-resource`). ' +
      BANK_NOTE,
    body: CreateSupplier,
    resource: Supplier,
    run: ({ db, context, body }) => service.createSupplier(db, context, body),
    location: (supplier) => `/v1/suppliers/${supplier.id}`,
  })

  listRoute(app, {
    path: '/v1/suppliers',
    tags: TAGS,
    roles: ALL_ROLES,
    operationId: 'listSuppliers',
    summary: 'List suppliers',
    description: 'Suppliers in registration order, optionally of one country or partner office. A partner office sees only its own suppliers. ' + BANK_NOTE,
    query: SupplierListQuery,
    list: SupplierList,
    run: ({ db, context, query }) => service.listSuppliers(db, context.actor, query),
  })

  readRoute(app, {
    path: '/v1/suppliers/:id',
    tags: TAGS,
    roles: ALL_ROLES,
    operationId: 'getSupplier',
    summary: 'Get a supplier',
    description: 'A partner office sees only its own suppliers (404 otherwise). ' + BANK_NOTE,
    params: IdParams,
    resource: Supplier,
    run: ({ db, context, params }) => service.getSupplier(db, context.actor, params.id),
  })

  updateRoute(app, {
    path: '/v1/suppliers/:id',
    tags: TAGS,
    roles: ['partner'],
    operationId: 'updateSupplier',
    summary: 'Change a supplier',
    description: 'The registering partner office changes the given fields; requires If-Match. ' + BANK_NOTE,
    params: IdParams,
    body: UpdateSupplier,
    resource: Supplier,
    run: ({ db, context, params, expectedVersion, body }) => service.updateSupplier(db, context, params.id, expectedVersion, body),
  })

  // Deactivation and reactivation: the same callers, checks and answer.
  registerCustomMethods(app, { path: '/v1/suppliers/:id(^[0-9a-f-]{36})', tags: TAGS, params: IdParams, response: { 200: Type.Ref(Supplier), ...problemResponses(400, 404, 409, 412, 422) } }, [
    {
      verb: 'deactivate',
      roles: SUPPLIER_STEWARDS,
      operationId: 'deactivateSupplier',
      summary: 'Deactivate a supplier',
      description:
        'Stops new disbursements to the supplier (422 when one is requested), with a reason; its past disbursements stay as they are. The ' +
        'registering partner office may deactivate its own suppliers (403 for another office\'s), finance and admin any. 409 if already ' +
        'deactivated. If-Match is optional.',
      body: SupplierDeactivation,
      run: (db, context, params, expected, body) => service.setSupplierActive(db, context, params.id, expected, { active: false, reason: body.reason }),
    },
    {
      verb: 'reactivate',
      roles: SUPPLIER_STEWARDS,
      operationId: 'reactivateSupplier',
      summary: 'Reactivate a supplier',
      description: 'Lets new disbursements pay a deactivated supplier again. Same callers as deactivation; 409 if it is active. If-Match is optional.',
      body: undefined,
      run: (db, context, params, expected) => service.setSupplierActive(db, context, params.id, expected, { active: true }),
    },
  ])
}
