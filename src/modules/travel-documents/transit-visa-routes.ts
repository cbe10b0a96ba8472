import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { documentRoutes } from './document-routes.js'
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

export default async function transitVisasModule(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  for (const schema of transitVisaSchemas) app.addSchema(schema)

  documentRoutes(app, {
    tag: 'transit-visas',
    collection: 'transit-visas',
    itemParam: 'visa_id',
    schemas: {
      params: TransitVisaParams,
      query: TransitVisaListQuery,
      create: RequestTransitVisa,
      issue: IssueTransitVisa,
      refuse: RefuseTransitVisa,
      resource: TransitVisa,
      list: TransitVisaList,
    },
    operations: {
      create: {
        operationId: 'requestTransitVisa',
        summary: 'Record a transit visa requested for a traveller',
        description:
          'For a household member of this case (422 otherwise) and one transit country: the embassy or consulate and the request date. ' +
          'It is then issued (number and validity) or refused. Ticketing refuses a route whose transit point needs a visa the traveller does ' +
          'not hold, issued and valid on the transit dates (409 `transit-visa-required`). Possible until the case has departed.',
      },
      list: {
        operationId: 'listTransitVisas',
        summary: 'List the transit visas of a case',
        description: 'In the order requested. A partner office sees only the cases referred to it (404 otherwise).',
      },
      get: { operationId: 'getTransitVisa', summary: 'Get a transit visa' },
      issue: {
        operationId: 'issueTransitVisa',
        summary: 'Record that a transit visa was issued',
        description: '`requested` → `issued`, with the visa number, issue date and validity (from, until). 409 `invalid-transition` from any other status. If-Match is optional.',
      },
      refuse: {
        operationId: 'refuseTransitVisa',
        summary: 'Record that a transit visa was refused',
        description: '`requested` → `refused`, with the reason and date: the traveller cannot be ticketed through that country on it. If-Match is optional.',
      },
    },
    service: { create: service.requestTransitVisa, list: service.listTransitVisas, get: service.getTransitVisa, issue: service.issueTransitVisa, refuse: service.refuseTransitVisa },
  })
}
