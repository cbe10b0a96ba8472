import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type, type TSchema } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import type { Kysely, Transaction } from 'kysely'
import type { DB } from '../../db/schema.js'
import type { RequestContext } from '../../shared/context.js'
import type { Page } from '../../shared/pagination.js'
import type { Actor } from '../../shared/roles.js'
import { problemResponses } from '../../shared/problems.js'
import { caseRecordRoutes, registerCustomMethods, type OperationText } from '../../shared/routes.js'
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

const PAID_LIKE_BAGGAGE =
  'Creates its own payment request on the budget line its cost kind is charged to (the project\'s line of that category, else the ' +
  'fallback its `cost_routing` names; 409 `no-budget-line-for-cost` when there is neither): someone other than the requester approves it ' +
  '(maker-checker), which commits the cost. Needs an approved (or travel-booked) case.'

type Operation = OperationText

interface Arrangement {
  id: string
  case_id: string
  version: number
}

/** One kind of arrangement (a traveller's cost paid as its own payment request): its paths, schemas, texts and service. */
interface ArrangementRoutes<Input, Filter, Resource extends Arrangement> {
  tag: string
  /** Below the case: `travel-insurance`, `accommodation`. */
  collection: string
  /** The item's id parameter. */
  itemParam: string
  schemas: { params: TSchema; query: TSchema; body: TSchema; resource: TSchema; list: TSchema }
  operations: { request: Operation; list: Operation; get: Operation; cancel: Required<Operation> }
  service: {
    request(db: Transaction<DB>, context: RequestContext, caseId: string, input: Input): Promise<Resource>
    list(db: Kysely<DB>, actor: Actor, caseId: string, filter: Filter): Promise<Page<Resource>>
    get(db: Kysely<DB>, actor: Actor, caseId: string, id: string): Promise<Resource>
    cancel(db: Transaction<DB>, context: RequestContext, caseId: string, id: string, expectedVersion: number | undefined, reason: string): Promise<Resource>
  }
}

/** Request, list, get and cancel one kind of arrangement of a case. */
function arrangementRoutes<Input, Filter, Resource extends Arrangement>(app: FastifyInstance, kind: ArrangementRoutes<Input, Filter, Resource>): void {
  const { item, ids } = caseRecordRoutes<Input, Filter, Resource>(app, {
    tag: kind.tag,
    collection: kind.collection,
    itemParam: kind.itemParam,
    roles: { read: TRAVEL_ROLES.read, write: TRAVEL_ROLES.arrange },
    schemas: { ...kind.schemas, caseParams: CaseParams, create: kind.schemas.body },
    operations: { create: kind.operations.request, list: kind.operations.list, get: kind.operations.get },
    service: { create: kind.service.request, list: kind.service.list, get: kind.service.get },
  })
  registerCustomMethods(app, { path: item, tags: [kind.tag], params: kind.schemas.params, response: { 200: Type.Ref(kind.schemas.resource), ...problemResponses(400, 404, 409, 412, 422) } }, [
    {
      verb: 'cancel',
      roles: TRAVEL_ROLES.arrange,
      ...kind.operations.cancel,
      body: ReasonBody,
      run: (db, context, params, expected, body) => kind.service.cancel(db, context, ids(params).caseId, ids(params).id, expected, body.reason),
    },
  ])
}

export default async function travelArrangementsModule(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  // The travel schema this module refers to is registered again in its own (encapsulated) context.
  for (const schema of [ReasonBody, ...travelArrangementSchemas]) app.addSchema(schema)

  arrangementRoutes(app, {
    tag: 'travel-insurance',
    collection: 'travel-insurance',
    itemParam: 'insurance_id',
    schemas: { params: TravelInsuranceParams, query: TravelInsuranceListQuery, body: RequestTravelInsurance, resource: TravelInsurance, list: TravelInsuranceList },
    operations: {
      request: {
        operationId: 'requestTravelInsurance',
        summary: 'Record a traveller\'s travel insurance',
        description:
          'Insurer, policy number, cover dates and premium for a household member of this case (422 otherwise). Required before ticketing ' +
          'for a traveller with medical needs or an escort on the booking: the policy must cover the journey from its first departure to its ' +
          `last arrival (409 \`travel-insurance-required\` otherwise); optional for others. ${PAID_LIKE_BAGGAGE}`,
      },
      list: { operationId: 'listTravelInsurance', summary: 'List the travel insurance of a case', description: 'A partner office sees only the cases referred to it (404 otherwise).' },
      get: { operationId: 'getTravelInsurance', summary: 'Get a travel insurance policy' },
      cancel: {
        operationId: 'cancelTravelInsurance',
        summary: 'Cancel a travel insurance policy not yet paid',
        description: 'With a reason: its payment request is cancelled and what its approval committed is released. A cancelled policy covers nothing. If-Match is optional.',
      },
    },
    service: { request: service.requestTravelInsurance, list: service.listTravelInsurances, get: service.getTravelInsurance, cancel: service.cancelTravelInsurance },
  })

  arrangementRoutes(app, {
    tag: 'accommodation',
    collection: 'accommodation',
    itemParam: 'accommodation_id',
    schemas: { params: AccommodationParams, query: AccommodationListQuery, body: RequestAccommodation, resource: Accommodation, list: AccommodationList },
    operations: {
      request: {
        operationId: 'requestAccommodation',
        summary: 'Record accommodation before departure',
        description: `Dated nights (check-in to check-out, at least one night) at a named place, the number of guests and the cost. ${PAID_LIKE_BAGGAGE}`,
      },
      list: { operationId: 'listAccommodation', summary: 'List the accommodation of a case', description: 'A partner office sees only the cases referred to it (404 otherwise).' },
      get: { operationId: 'getAccommodation', summary: 'Get an accommodation stay' },
      cancel: {
        operationId: 'cancelAccommodation',
        summary: 'Cancel an accommodation stay not yet paid',
        description: 'With a reason: its payment request is cancelled and what its approval committed is released. If-Match is optional.',
      },
    },
    service: { request: service.requestAccommodation, list: service.listAccommodations, get: service.getAccommodation, cancel: service.cancelAccommodation },
  })
}
