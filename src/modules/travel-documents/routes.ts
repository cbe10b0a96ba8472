import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { listRoute, updateRoute } from '../../shared/routes.js'
import { documentPaths, documentRoutes, TRAVEL_DOCUMENT_ROLES } from './document-routes.js'
import {
  CreateTravelDocument,
  DocumentParams,
  IssueTravelDocument,
  RefuseTravelDocument,
  TravelDocument,
  TravelDocumentList,
  TravelDocumentListQuery,
  TravelDocumentQueue,
  TravelDocumentQueueQuery,
  travelDocumentSchemas,
  UpdateTravelDocument,
} from './schemas.js'
import * as service from './service.js'

const TAG = 'travel-documents'
const TAGS = [TAG]
const ITEM_PARAM = 'document_id'

export default async function travelDocumentsModule(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  for (const schema of travelDocumentSchemas) app.addSchema(schema)

  // Corrections, registered after the read of the same path.
  const correction = () =>
    updateRoute(app, {
      path: documentPaths(TAG, ITEM_PARAM).item,
      tags: TAGS,
      roles: TRAVEL_DOCUMENT_ROLES.write,
      operationId: 'updateTravelDocument',
      summary: 'Correct a travel document',
      description:
        'Corrects the given fields (a mistyped number or date). Requires If-Match. The result must still be complete for the kind and status ' +
        '(422 naming each field); a refused document only takes notes.',
      params: DocumentParams,
      body: UpdateTravelDocument,
      resource: TravelDocument,
      run: ({ db, context, params, expectedVersion, body }) => service.updateDocument(db, context, params.id, params.document_id, expectedVersion, body),
    })

  documentRoutes(
    app,
    {
      tag: TAG,
      collection: 'travel-documents',
      itemParam: ITEM_PARAM,
      schemas: {
        params: DocumentParams,
        query: TravelDocumentListQuery,
        create: CreateTravelDocument,
        issue: IssueTravelDocument,
        refuse: RefuseTravelDocument,
        resource: TravelDocument,
        list: TravelDocumentList,
      },
      operations: {
        create: {
          operationId: 'recordTravelDocument',
          summary: 'Record a travel document of a traveller',
          description:
            'The traveller must be a household member of this case (422 otherwise). A national passport or other document is recorded `valid` ' +
            'with number, issuing country, issue and expiry dates. An emergency travel document (laissez-passer) is recorded `requested`, with ' +
            'the request date and the embassy or consulate, so the wait shows; it is then issued or refused. Possible until the case has departed.',
        },
        list: {
          operationId: 'listTravelDocuments',
          summary: 'List the travel documents of a case',
          description: 'In the order recorded. `status=expired` finds held documents past their expiry date. A partner office sees only the cases referred to it (404 otherwise).',
        },
        get: { operationId: 'getTravelDocument', summary: 'Get a travel document' },
        issue: {
          operationId: 'issueTravelDocument',
          summary: 'Record that an emergency travel document was issued',
          description: '`requested` → `issued`, with number, issue and expiry dates. Only emergency travel documents are requested (409 `invalid-transition` otherwise). If-Match is optional.',
        },
        refuse: {
          operationId: 'refuseTravelDocument',
          summary: 'Record that an emergency travel document was refused',
          description: '`requested` → `refused`, with the reason and date. The traveller cannot be ticketed on it. If-Match is optional.',
        },
      },
      service: { create: service.recordDocument, list: service.listDocuments, get: service.getDocument, issue: service.issueDocument, refuse: service.refuseDocument },
    },
    correction,
  )

  listRoute(app, {
    path: '/v1/travel-documents',
    tags: TAGS,
    roles: TRAVEL_DOCUMENT_ROLES.queue,
    operationId: 'listTravelDocumentsNeedingAttention',
    summary: 'Travel documents needing attention, across cases',
    description:
      'The operations queues, over cases not yet departed nor ended: `attention=waiting` lists emergency travel documents still requested, ' +
      'the longest wait first (`waiting_days`); `attention=expiring_before_travel` lists documents that expire before the travel date ' +
      '(the end of the latest active booking, else the intended departure date) of travellers with no other document valid through it, ' +
      'earliest expiry first.',
    query: TravelDocumentQueueQuery,
    list: TravelDocumentQueue,
    run: ({ db, query }) => service.documentQueue(db, query),
  })
}
