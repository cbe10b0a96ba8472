import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import { IdempotencyKeyHeader, IfMatchHeader } from '../../shared/headers.js'
import { problemResponses } from '../../shared/problems.js'
import { customMethod, versionedRead, versionedWrite } from '../../shared/routes.js'
import { TRAVEL_DOCUMENT_ROLES } from './routes.js'
import { CaseParams } from './schemas.js'
import {
  IssueTransitVisa,
  RefuseTransitVisa,
  RequestTransitVisa,
  TransitVisa,
  TransitVisaList,
  TransitVisaListQuery,
  TransitVisaParams,
  transitVisaSchemas,
} from './transit-visa-schemas.js'
import * as service from './transit-visas.js'

const TAG = 'transit-visas'
const COLLECTION = '/v1/return-cases/:id(^[0-9a-f-]{36})/transit-visas'
const ITEM = `${COLLECTION}/:visa_id(^[0-9a-f-]{36})`
const TRANSITION_RESPONSES = { 200: Type.Ref(TransitVisa), ...problemResponses(400, 404, 409, 412, 422) }

export default async function transitVisasModule(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  for (const schema of transitVisaSchemas) app.addSchema(schema)

  app.post(COLLECTION, {
    config: { roles: TRAVEL_DOCUMENT_ROLES.write },
    schema: {
      tags: [TAG],
      operationId: 'requestTransitVisa',
      summary: 'Record a transit visa requested for a traveller',
      description:
        'For a household member of this case (422 otherwise) and one transit country: the embassy or consulate and the request date. ' +
        'It is then issued (number and validity) or refused. Ticketing refuses a route whose transit point needs a visa the traveller does ' +
        'not hold, issued and valid on the transit dates (409 `transit-visa-required`). Possible until the case has departed.',
      params: CaseParams,
      headers: IdempotencyKeyHeader,
      body: Type.Ref(RequestTransitVisa),
      response: { 201: Type.Ref(TransitVisa), ...problemResponses(400, 404, 409, 422) },
    },
    handler: (request, reply) =>
      versionedWrite(request, reply, (db, context) => service.requestTransitVisa(db, context, request.params.id, request.body), {
        ifMatch: 'none',
        status: 201,
        location: (visa) => `/v1/return-cases/${visa.case_id}/transit-visas/${visa.id}`,
      }),
  })

  app.get(COLLECTION, {
    config: { roles: TRAVEL_DOCUMENT_ROLES.read },
    schema: {
      tags: [TAG],
      operationId: 'listTransitVisas',
      summary: 'List the transit visas of a case',
      description: 'In the order requested. A partner office sees only the cases referred to it (404 otherwise).',
      params: CaseParams,
      querystring: TransitVisaListQuery,
      response: { 200: Type.Ref(TransitVisaList), ...problemResponses(400, 404) },
    },
    handler: (request) => service.listTransitVisas(app.db, request.context.actor, request.params.id, request.query),
  })

  app.get(ITEM, {
    config: { roles: TRAVEL_DOCUMENT_ROLES.read },
    schema: {
      tags: [TAG],
      operationId: 'getTransitVisa',
      summary: 'Get a transit visa',
      params: TransitVisaParams,
      response: { 200: Type.Ref(TransitVisa), ...problemResponses(400, 404) },
    },
    handler: (request, reply) => versionedRead(reply, service.getTransitVisa(app.db, request.context.actor, request.params.id, request.params.visa_id)),
  })

  app.post(`${ITEM}::issue`, {
    config: { roles: TRAVEL_DOCUMENT_ROLES.write },
    schema: {
      tags: [TAG],
      operationId: 'issueTransitVisa',
      summary: 'Record that a transit visa was issued',
      description: '`requested` → `issued`, with the visa number, issue date and validity (from, until). 409 `invalid-transition` from any other status. If-Match is optional.',
      params: TransitVisaParams,
      headers: IfMatchHeader,
      body: Type.Ref(IssueTransitVisa),
      response: TRANSITION_RESPONSES,
    },
    handler: (request, reply) => customMethod(request, reply, (db, context, expected) => service.issueTransitVisa(db, context, request.params.id, request.params.visa_id, expected, request.body)),
  })

  app.post(`${ITEM}::refuse`, {
    config: { roles: TRAVEL_DOCUMENT_ROLES.write },
    schema: {
      tags: [TAG],
      operationId: 'refuseTransitVisa',
      summary: 'Record that a transit visa was refused',
      description: '`requested` → `refused`, with the reason and date: the traveller cannot be ticketed through that country on it. If-Match is optional.',
      params: TransitVisaParams,
      headers: IfMatchHeader,
      body: Type.Ref(RefuseTransitVisa),
      response: TRANSITION_RESPONSES,
    },
    handler: (request, reply) => customMethod(request, reply, (db, context, expected) => service.refuseTransitVisa(db, context, request.params.id, request.params.visa_id, expected, request.body)),
  })
}
