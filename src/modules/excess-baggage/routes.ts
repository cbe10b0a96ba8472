import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import { CaseParams, ReasonBody, TravelPayee, TRAVEL_ROLES } from '../travel/index.js'
import { ExcessBaggage, ExcessBaggageList, ExcessBaggageListQuery, ExcessBaggageParams, excessBaggageSchemas, RequestExcessBaggage } from './schemas.js'
import * as service from './service.js'
import { problemResponses } from '../../shared/problems.js'
import { createRoute, listRoute, readRoute, registerCustomMethods } from '../../shared/routes.js'

const TAGS = ['excess-baggage']
const COLLECTION = '/v1/return-cases/:id(^[0-9a-f-]{36})/excess-baggage'
const ITEM = `${COLLECTION}/:baggage_id(^[0-9a-f-]{36})`

export default async function excessBaggageModule(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  // The travel schemas this module refers to are registered again in its own (encapsulated) context.
  for (const schema of [TravelPayee, ReasonBody, ...excessBaggageSchemas]) app.addSchema(schema)

  createRoute(app, {
    path: COLLECTION,
    tags: TAGS,
    roles: TRAVEL_ROLES.arrange,
    operationId: 'requestExcessBaggage',
    summary: 'Request excess baggage for a traveller or ticket',
    description:
      'Kilograms, cost (project currency) and reason, for a household member of this case or on one of its live tickets (422 otherwise). ' +
      'Creates its own payment request (kind `excess_baggage`) on the project\'s excess-baggage line (else the fallback its `cost_routing` ' +
      'names; 409 `no-budget-line-for-cost` with neither), paid separately from the ticket: ' +
      'someone other than the requester approves it (maker-checker), which commits the cost. Needs an approved (or travel-booked) case.',
    params: CaseParams,
    body: RequestExcessBaggage,
    resource: ExcessBaggage,
    run: ({ db, context, params, body }) => service.requestExcessBaggage(db, context, params.id, body),
    location: (baggage) => `/v1/return-cases/${baggage.case_id}/excess-baggage/${baggage.id}`,
  })

  listRoute(app, {
    path: COLLECTION,
    tags: TAGS,
    roles: TRAVEL_ROLES.read,
    operationId: 'listExcessBaggage',
    summary: 'List the excess baggage of a case',
    description: 'A partner office sees only the cases referred to it (404 otherwise).',
    params: CaseParams,
    query: ExcessBaggageListQuery,
    list: ExcessBaggageList,
    run: ({ db, context, params, query }) => service.listExcessBaggage(db, context.actor, params.id, query),
  })

  readRoute(app, {
    path: ITEM,
    tags: TAGS,
    roles: TRAVEL_ROLES.read,
    operationId: 'getExcessBaggage',
    summary: 'Get an excess-baggage charge',
    params: ExcessBaggageParams,
    resource: ExcessBaggage,
    run: ({ db, context, params }) => service.getExcessBaggage(db, context.actor, params.id, params.baggage_id),
  })

  const chargeResponses = { 200: Type.Ref(ExcessBaggage), ...problemResponses(400, 404, 409, 412, 422) }
  registerCustomMethods(app, { path: ITEM, tags: TAGS, params: ExcessBaggageParams, response: chargeResponses, note: 'If-Match is optional.' }, [
    {
      verb: 'cancel',
      roles: TRAVEL_ROLES.arrange,
      operationId: 'cancelExcessBaggage',
      summary: 'Cancel an excess-baggage charge',
      description: 'Cancels a charge not yet paid, with a reason: its payment request is cancelled and what its approval committed is released.',
      body: ReasonBody,
      run: (db, context, params, expected, body) => service.cancelExcessBaggage(db, context, params.id, params.baggage_id, expected, body.reason),
    },
  ])
}
