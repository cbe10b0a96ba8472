import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import { runWrite } from '../../db/unit-of-work.js'
import { etagOf } from '../../shared/etag.js'
import { IdempotencyKeyHeader, IfMatchHeader } from '../../shared/headers.js'
import type { Role } from '../../shared/roles.js'
import {
  CaseParams,
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
import { PROBLEM_RESPONSES, problemResponses } from '../../shared/problems.js'
import { versionedRead, versionedWrite, customMethod } from '../../shared/routes.js'

/** Who may do what (see README "Travel"). */
export const TRAVEL_DOCUMENT_ROLES = {
  read: ['counsellor', 'operations', 'finance', 'approver', 'protection', 'auditor', 'admin', 'partner'],
  write: ['operations', 'counsellor'],
  queue: ['operations', 'counsellor', 'admin', 'auditor'],
} as const satisfies Record<string, readonly Role[]>

const TAG = 'travel-documents'
const COLLECTION = '/v1/return-cases/:id(^[0-9a-f-]{36})/travel-documents'
const ITEM = `${COLLECTION}/:document_id(^[0-9a-f-]{36})`

const WRITE_RESPONSES = {
  200: Type.Ref(TravelDocument),
  ...problemResponses(400, 404, 409, 412, 422),
}

export default async function travelDocumentsModule(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  for (const schema of travelDocumentSchemas) app.addSchema(schema)

  app.post(COLLECTION, {
    config: { roles: TRAVEL_DOCUMENT_ROLES.write },
    schema: {
      tags: [TAG],
      operationId: 'recordTravelDocument',
      summary: 'Record a travel document of a traveller',
      description:
        'The traveller must be a household member of this case (422 otherwise). A national passport or other document is recorded `valid` ' +
        'with number, issuing country, issue and expiry dates. An emergency travel document (laissez-passer) is recorded `requested`, with ' +
        'the request date and the embassy or consulate, so the wait shows; it is then issued or refused. Possible until the case has departed.',
      params: CaseParams,
      headers: IdempotencyKeyHeader,
      body: Type.Ref(CreateTravelDocument),
      response: { 201: Type.Ref(TravelDocument), ...problemResponses(400, 404, 409, 422) },
    },
    handler: (request, reply) =>
      runWrite(request, reply, async (db, context) => {
        const document = await service.recordDocument(db, context, request.params.id, request.body)
        return {
          status: 201,
          body: document,
          headers: { etag: etagOf(document.version), location: `/v1/return-cases/${document.case_id}/travel-documents/${document.id}` },
        }
      }),
  })

  app.get(COLLECTION, {
    config: { roles: TRAVEL_DOCUMENT_ROLES.read },
    schema: {
      tags: [TAG],
      operationId: 'listTravelDocuments',
      summary: 'List the travel documents of a case',
      description: 'In the order recorded. `status=expired` finds held documents past their expiry date. A partner office sees only the cases referred to it (404 otherwise).',
      params: CaseParams,
      querystring: TravelDocumentListQuery,
      response: { 200: Type.Ref(TravelDocumentList), ...problemResponses(400, 404) },
    },
    handler: (request) => service.listDocuments(app.db, request.context.actor, request.params.id, request.query),
  })

  app.get(ITEM, {
    config: { roles: TRAVEL_DOCUMENT_ROLES.read },
    schema: {
      tags: [TAG],
      operationId: 'getTravelDocument',
      summary: 'Get a travel document',
      params: DocumentParams,
      response: { 200: Type.Ref(TravelDocument), ...problemResponses(400, 404) },
    },
    handler: (request, reply) => versionedRead(reply, service.getDocument(app.db, request.context.actor, request.params.id, request.params.document_id)),
  })

  app.patch(ITEM, {
    config: { roles: TRAVEL_DOCUMENT_ROLES.write },
    schema: {
      tags: [TAG],
      operationId: 'updateTravelDocument',
      summary: 'Correct a travel document',
      description:
        'Corrects the given fields (a mistyped number or date). Requires If-Match. The result must still be complete for the kind and status ' +
        '(422 naming each field); a refused document only takes notes.',
      params: DocumentParams,
      headers: IfMatchHeader,
      body: Type.Ref(UpdateTravelDocument),
      response: { ...WRITE_RESPONSES, 428: PROBLEM_RESPONSES[428] },
    },
    handler: (request, reply) => versionedWrite(request, reply, (db, context, expected) => service.updateDocument(db, context, request.params.id, request.params.document_id, expected, request.body), { ifMatch: 'required' }),
  })

  app.post(`${ITEM}::issue`, {
    config: { roles: TRAVEL_DOCUMENT_ROLES.write },
    schema: {
      tags: [TAG],
      operationId: 'issueTravelDocument',
      summary: 'Record that an emergency travel document was issued',
      description: '`requested` → `issued`, with number, issue and expiry dates. Only emergency travel documents are requested (409 `invalid-transition` otherwise). If-Match is optional.',
      params: DocumentParams,
      headers: IfMatchHeader,
      body: Type.Ref(IssueTravelDocument),
      response: WRITE_RESPONSES,
    },
    handler: (request, reply) => customMethod(request, reply, (db, context, expected) => service.issueDocument(db, context, request.params.id, request.params.document_id, expected, request.body)),
  })

  app.post(`${ITEM}::refuse`, {
    config: { roles: TRAVEL_DOCUMENT_ROLES.write },
    schema: {
      tags: [TAG],
      operationId: 'refuseTravelDocument',
      summary: 'Record that an emergency travel document was refused',
      description: '`requested` → `refused`, with the reason and date. The traveller cannot be ticketed on it. If-Match is optional.',
      params: DocumentParams,
      headers: IfMatchHeader,
      body: Type.Ref(RefuseTravelDocument),
      response: WRITE_RESPONSES,
    },
    handler: (request, reply) => customMethod(request, reply, (db, context, expected) => service.refuseDocument(db, context, request.params.id, request.params.document_id, expected, request.body)),
  })

  app.get('/v1/travel-documents', {
    config: { roles: TRAVEL_DOCUMENT_ROLES.queue },
    schema: {
      tags: [TAG],
      operationId: 'listTravelDocumentsNeedingAttention',
      summary: 'Travel documents needing attention, across cases',
      description:
        'The operations queues, over cases not yet departed nor ended: `attention=waiting` lists emergency travel documents still requested, ' +
        'the longest wait first (`waiting_days`); `attention=expiring_before_travel` lists documents that expire before the travel date ' +
        '(the end of the latest active booking, else the intended departure date) of travellers with no other document valid through it, ' +
        'earliest expiry first.',
      querystring: TravelDocumentQueueQuery,
      response: { 200: Type.Ref(TravelDocumentQueue), 400: PROBLEM_RESPONSES[400] },
    },
    handler: (request) => service.documentQueue(app.db, request.query),
  })
}
