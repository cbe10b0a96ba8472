import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import type { Role } from '../../shared/roles.js'
import { MarkPaymentPaid, PaymentDetails } from '../payments/index.js'
import { CaseParams, CashGrant, CashGrantList, CashGrantListQuery, CashGrantParams, CreateCashGrant } from './schemas.js'
import * as service from './service.js'
import { problemResponses } from '../../shared/problems.js'
import { createRoute, listRoute, readRoute, registerCustomMethods } from '../../shared/routes.js'

const TAGS = ['cash-grants']
const READERS: readonly Role[] = ['counsellor', 'operations', 'finance', 'approver', 'auditor', 'admin', 'partner']
const COLLECTION = '/v1/return-cases/:id(^[0-9a-f-]{36})/cash-grants'
const ITEM = `${COLLECTION}/:grant_id(^[0-9a-f-]{36})`

export default async function cashGrantsModule(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  // Payment schemas are registered again in this module's (encapsulated) context, which refers to them.
  for (const schema of [PaymentDetails, MarkPaymentPaid, CashGrant, CreateCashGrant, CashGrantList]) app.addSchema(schema)

  createRoute(app, {
    path: COLLECTION,
    tags: TAGS,
    roles: ['counsellor', 'operations', 'finance'],
    operationId: 'requestCashGrant',
    summary: 'Request a cash grant on arrival',
    description:
      'Requests a grant for basic needs on arrival, for the household or one returnee. Without `amount` the project\'s rule applies: an amount ' +
      'per adult and per child (ages counted at the arrival date, else the departure date, else the intended departure date; a child is under 18), ' +
      'or a flat amount per household. A manual `amount` (project currency) needs a `justification`. Creates the payment request (kind ' +
      '`cash_grant`) on the project\'s cash-grant budget line, to be approved by someone other than the requester (maker-checker); approval ' +
      'commits it. One live grant per household or returnee: a household grant excludes per-returnee grants and the reverse (409).',
    params: CaseParams,
    body: CreateCashGrant,
    resource: CashGrant,
    run: ({ db, context, params, body }) => service.requestCashGrant(db, context, params.id, body),
    location: (grant) => `/v1/return-cases/${grant.case_id}/cash-grants/${grant.id}`,
  })

  listRoute(app, {
    path: COLLECTION,
    tags: TAGS,
    roles: READERS,
    operationId: 'listCashGrants',
    summary: 'List the cash grants of a case',
    description: 'A partner office sees only the grants of cases referred to it (404 otherwise).',
    params: CaseParams,
    query: CashGrantListQuery,
    list: CashGrantList,
    run: ({ db, context, params, query }) => service.listCashGrants(db, context.actor, params.id, query),
  })

  readRoute(app, {
    path: ITEM,
    tags: TAGS,
    roles: READERS,
    operationId: 'getCashGrant',
    summary: 'Get a cash grant',
    params: CashGrantParams,
    resource: CashGrant,
    run: ({ db, context, params }) => service.getCashGrant(db, context.actor, params.id, params.grant_id),
  })

  registerCustomMethods(app, { path: ITEM, tags: TAGS, params: CashGrantParams, response: { 200: Type.Ref(CashGrant), ...problemResponses(400, 404, 409, 412, 422) } }, [
    {
      verb: 'pay',
      roles: ['partner'],
      operationId: 'payCashGrant',
      summary: 'Record the payment of an approved cash grant (partner office)',
      description:
        'The partner office the case is referred to records that it paid the grant, once the case has arrived (`arrived` or `in_reintegration`; ' +
        '409 before): reference, date, and either the project-currency amount (default: the approved amount; less releases the rest, more is 409) ' +
        'or `local_payment` with the local amount and currency, the rate (local units per one project unit), its date and source, from which the ' +
        'project-currency amount is derived (local ÷ rate, rounded once to the nearest minor unit, an exact half up). A grant is paid once: a ' +
        'second payment is 409 and a retry with the same `Idempotency-Key` replays the first response. `If-Match` (the grant\'s ETag) is optional.',
      body: MarkPaymentPaid,
      run: (db, context, params, expected, body) => service.payCashGrant(db, context, params.id, params.grant_id, body, expected),
    },
  ])
}
