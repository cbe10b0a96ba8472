import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import { IdempotencyKeyHeader, IfMatchHeader } from '../../shared/headers.js'
import { problemResponses } from '../../shared/problems.js'
import { customMethod, versionedRead, versionedWrite } from '../../shared/routes.js'
import { CaseParams, ReasonBody, TRAVEL_ROLES } from '../travel/index.js'
import {
  Accommodation,
  AccommodationList,
  AccommodationListQuery,
  AccommodationParams,
  RequestAccommodation,
  RequestTravelInsurance,
  TravelInsurance,
  TravelInsuranceList,
  TravelInsuranceListQuery,
  TravelInsuranceParams,
  travelArrangementSchemas,
} from './schemas.js'
import * as service from './service.js'

const CASE = '/v1/return-cases/:id(^[0-9a-f-]{36})'
const INSURANCES = `${CASE}/travel-insurance`
const INSURANCE = `${INSURANCES}/:insurance_id(^[0-9a-f-]{36})`
const ACCOMMODATIONS = `${CASE}/accommodation`
const ACCOMMODATION = `${ACCOMMODATIONS}/:accommodation_id(^[0-9a-f-]{36})`

const PAID_LIKE_BAGGAGE =
  'Creates its own payment request on the budget line its cost kind is charged to (the project\'s line of that category, else the ' +
  'fallback its `cost_routing` names; 409 `no-budget-line-for-cost` when there is neither): someone other than the requester approves it ' +
  '(maker-checker), which commits the cost. Needs an approved (or travel-booked) case.'

export default async function travelArrangementsModule(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  // The travel schema this module refers to is registered again in its own (encapsulated) context.
  for (const schema of [ReasonBody, ...travelArrangementSchemas]) app.addSchema(schema)

  app.post(INSURANCES, {
    config: { roles: TRAVEL_ROLES.arrange },
    schema: {
      tags: ['travel-insurance'],
      operationId: 'requestTravelInsurance',
      summary: 'Record a traveller\'s travel insurance',
      description:
        'Insurer, policy number, cover dates and premium for a household member of this case (422 otherwise). Required before ticketing ' +
        'for a traveller with medical needs or an escort on the booking: the policy must cover the journey from its first departure to its ' +
        `last arrival (409 \`travel-insurance-required\` otherwise); optional for others. ${PAID_LIKE_BAGGAGE}`,
      params: CaseParams,
      headers: IdempotencyKeyHeader,
      body: Type.Ref(RequestTravelInsurance),
      response: { 201: Type.Ref(TravelInsurance), ...problemResponses(400, 404, 409, 422) },
    },
    handler: (request, reply) =>
      versionedWrite(request, reply, (db, context) => service.requestTravelInsurance(db, context, request.params.id, request.body), {
        ifMatch: 'none',
        status: 201,
        location: (insurance) => `/v1/return-cases/${insurance.case_id}/travel-insurance/${insurance.id}`,
      }),
  })

  app.get(INSURANCES, {
    config: { roles: TRAVEL_ROLES.read },
    schema: {
      tags: ['travel-insurance'],
      operationId: 'listTravelInsurance',
      summary: 'List the travel insurance of a case',
      description: 'A partner office sees only the cases referred to it (404 otherwise).',
      params: CaseParams,
      querystring: TravelInsuranceListQuery,
      response: { 200: Type.Ref(TravelInsuranceList), ...problemResponses(400, 404) },
    },
    handler: (request) => service.listTravelInsurances(app.db, request.context.actor, request.params.id, request.query),
  })

  app.get(INSURANCE, {
    config: { roles: TRAVEL_ROLES.read },
    schema: {
      tags: ['travel-insurance'],
      operationId: 'getTravelInsurance',
      summary: 'Get a travel insurance policy',
      params: TravelInsuranceParams,
      response: { 200: Type.Ref(TravelInsurance), ...problemResponses(400, 404) },
    },
    handler: (request, reply) => versionedRead(reply, service.getTravelInsurance(app.db, request.context.actor, request.params.id, request.params.insurance_id)),
  })

  app.post(`${INSURANCE}::cancel`, {
    config: { roles: TRAVEL_ROLES.arrange },
    schema: {
      tags: ['travel-insurance'],
      operationId: 'cancelTravelInsurance',
      summary: 'Cancel a travel insurance policy not yet paid',
      description: 'With a reason: its payment request is cancelled and what its approval committed is released. A cancelled policy covers nothing. If-Match is optional.',
      params: TravelInsuranceParams,
      headers: IfMatchHeader,
      body: Type.Ref(ReasonBody),
      response: { 200: Type.Ref(TravelInsurance), ...problemResponses(400, 404, 409, 412, 422) },
    },
    handler: (request, reply) =>
      customMethod(request, reply, (db, context, expected) => service.cancelTravelInsurance(db, context, request.params.id, request.params.insurance_id, expected, request.body.reason)),
  })

  app.post(ACCOMMODATIONS, {
    config: { roles: TRAVEL_ROLES.arrange },
    schema: {
      tags: ['accommodation'],
      operationId: 'requestAccommodation',
      summary: 'Record accommodation before departure',
      description: `Dated nights (check-in to check-out, at least one night) at a named place, the number of guests and the cost. ${PAID_LIKE_BAGGAGE}`,
      params: CaseParams,
      headers: IdempotencyKeyHeader,
      body: Type.Ref(RequestAccommodation),
      response: { 201: Type.Ref(Accommodation), ...problemResponses(400, 404, 409, 422) },
    },
    handler: (request, reply) =>
      versionedWrite(request, reply, (db, context) => service.requestAccommodation(db, context, request.params.id, request.body), {
        ifMatch: 'none',
        status: 201,
        location: (stay) => `/v1/return-cases/${stay.case_id}/accommodation/${stay.id}`,
      }),
  })

  app.get(ACCOMMODATIONS, {
    config: { roles: TRAVEL_ROLES.read },
    schema: {
      tags: ['accommodation'],
      operationId: 'listAccommodation',
      summary: 'List the accommodation of a case',
      description: 'A partner office sees only the cases referred to it (404 otherwise).',
      params: CaseParams,
      querystring: AccommodationListQuery,
      response: { 200: Type.Ref(AccommodationList), ...problemResponses(400, 404) },
    },
    handler: (request) => service.listAccommodations(app.db, request.context.actor, request.params.id, request.query),
  })

  app.get(ACCOMMODATION, {
    config: { roles: TRAVEL_ROLES.read },
    schema: {
      tags: ['accommodation'],
      operationId: 'getAccommodation',
      summary: 'Get an accommodation stay',
      params: AccommodationParams,
      response: { 200: Type.Ref(Accommodation), ...problemResponses(400, 404) },
    },
    handler: (request, reply) => versionedRead(reply, service.getAccommodation(app.db, request.context.actor, request.params.id, request.params.accommodation_id)),
  })

  app.post(`${ACCOMMODATION}::cancel`, {
    config: { roles: TRAVEL_ROLES.arrange },
    schema: {
      tags: ['accommodation'],
      operationId: 'cancelAccommodation',
      summary: 'Cancel an accommodation stay not yet paid',
      description: 'With a reason: its payment request is cancelled and what its approval committed is released. If-Match is optional.',
      params: AccommodationParams,
      headers: IfMatchHeader,
      body: Type.Ref(ReasonBody),
      response: { 200: Type.Ref(Accommodation), ...problemResponses(400, 404, 409, 412, 422) },
    },
    handler: (request, reply) =>
      customMethod(request, reply, (db, context, expected) => service.cancelAccommodation(db, context, request.params.id, request.params.accommodation_id, expected, request.body.reason)),
  })
}
