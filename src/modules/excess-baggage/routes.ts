import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import { IdempotencyKeyHeader, IfMatchHeader } from '../../shared/headers.js'
import { CaseParams, ReasonBody, TravelPayee, TRAVEL_ROLES } from '../travel/index.js'
import { ExcessBaggage, ExcessBaggageList, ExcessBaggageListQuery, ExcessBaggageParams, excessBaggageSchemas, RequestExcessBaggage } from './schemas.js'
import * as service from './service.js'
import { problemResponses } from '../../shared/problems.js'
import { versionedRead, versionedWrite, customMethod } from '../../shared/routes.js'

const TAG = 'excess-baggage'
const COLLECTION = '/v1/return-cases/:id(^[0-9a-f-]{36})/excess-baggage'
const ITEM = `${COLLECTION}/:baggage_id(^[0-9a-f-]{36})`

export default async function excessBaggageModule(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  // The travel schemas this module refers to are registered again in its own (encapsulated) context.
  for (const schema of [TravelPayee, ReasonBody, ...excessBaggageSchemas]) app.addSchema(schema)

  app.post(COLLECTION, {
    config: { roles: TRAVEL_ROLES.arrange },
    schema: {
      tags: [TAG],
      operationId: 'requestExcessBaggage',
      summary: 'Request excess baggage for a traveller or ticket',
      description:
        'Kilograms, cost (project currency) and reason, for a household member of this case or on one of its live tickets (422 otherwise). ' +
        'Creates its own payment request (kind `excess_baggage`) on the project\'s excess-baggage line (else the fallback its `cost_routing` ' +
        'names; 409 `no-budget-line-for-cost` with neither), paid separately from the ticket: ' +
        'someone other than the requester approves it (maker-checker), which commits the cost. Needs an approved (or travel-booked) case.',
      params: CaseParams,
      headers: IdempotencyKeyHeader,
      body: Type.Ref(RequestExcessBaggage),
      response: { 201: Type.Ref(ExcessBaggage), ...problemResponses(400, 404, 409, 422) },
    },
    handler: (request, reply) =>
      versionedWrite(request, reply, (db, context) => service.requestExcessBaggage(db, context, request.params.id, request.body), { ifMatch: 'none', status: 201, location: (baggage) => `/v1/return-cases/${baggage.case_id}/excess-baggage/${baggage.id}` }),
  })

  app.get(COLLECTION, {
    config: { roles: TRAVEL_ROLES.read },
    schema: {
      tags: [TAG],
      operationId: 'listExcessBaggage',
      summary: 'List the excess baggage of a case',
      description: 'A partner office sees only the cases referred to it (404 otherwise).',
      params: CaseParams,
      querystring: ExcessBaggageListQuery,
      response: { 200: Type.Ref(ExcessBaggageList), ...problemResponses(400, 404) },
    },
    handler: (request) => service.listExcessBaggage(app.db, request.context.actor, request.params.id, request.query),
  })

  app.get(ITEM, {
    config: { roles: TRAVEL_ROLES.read },
    schema: {
      tags: [TAG],
      operationId: 'getExcessBaggage',
      summary: 'Get an excess-baggage charge',
      params: ExcessBaggageParams,
      response: { 200: Type.Ref(ExcessBaggage), ...problemResponses(400, 404) },
    },
    handler: (request, reply) => versionedRead(reply, service.getExcessBaggage(app.db, request.context.actor, request.params.id, request.params.baggage_id)),
  })

  app.post(`${ITEM}::cancel`, {
    config: { roles: TRAVEL_ROLES.arrange },
    schema: {
      tags: [TAG],
      operationId: 'cancelExcessBaggage',
      summary: 'Cancel an excess-baggage charge',
      description: 'Cancels a charge not yet paid, with a reason: its payment request is cancelled and what its approval committed is released. If-Match is optional.',
      params: ExcessBaggageParams,
      headers: IfMatchHeader,
      body: Type.Ref(ReasonBody),
      response: {
        200: Type.Ref(ExcessBaggage),
        ...problemResponses(400, 404, 409, 412, 422),
      },
    },
    handler: (request, reply) => customMethod(request, reply, (db, context, expected) => service.cancelExcessBaggage(db, context, request.params.id, request.params.baggage_id, expected, request.body.reason)),
  })
}
