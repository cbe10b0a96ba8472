import { Type, type TSchema } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import type { Kysely, Transaction } from 'kysely'
import type { DB } from '../../db/schema.js'
import type { RequestContext } from '../../shared/context.js'
import type { Page } from '../../shared/pagination.js'
import { problemResponses } from '../../shared/problems.js'
import type { Role } from '../../shared/roles.js'
import { caseRecordRoutes, registerCustomMethods, type OperationText } from '../../shared/routes.js'
import { CaseParams } from './schemas.js'

/** Who may do what (see README "Travel"): the same for travel documents and transit visas. */
export const TRAVEL_DOCUMENT_ROLES = {
  read: ['counsellor', 'operations', 'finance', 'approver', 'protection', 'auditor', 'admin', 'partner'],
  write: ['operations', 'counsellor'],
  queue: ['operations', 'counsellor', 'admin', 'auditor'],
} as const satisfies Record<string, readonly Role[]>

type Operation = OperationText

interface DocumentResource {
  id: string
  case_id: string
  version: number
}

type Decision<Input, Resource> = (db: Transaction<DB>, context: RequestContext, caseId: string, id: string, expectedVersion: number | undefined, input: Input) => Promise<Resource>

/** One kind of the document workflow (document-workflow.ts): its paths, schemas, texts and service. */
export interface DocumentRoutes<Create, Filter, Issue, Refuse, Resource extends DocumentResource> {
  tag: string
  /** Below the case: `travel-documents`, `transit-visas`. */
  collection: string
  /** The item's id parameter. */
  itemParam: string
  schemas: { params: TSchema; query: TSchema; create: TSchema; issue: TSchema; refuse: TSchema; resource: TSchema; list: TSchema }
  operations: { create: Operation; list: Operation; get: Operation; issue: Required<Operation>; refuse: Required<Operation> }
  service: {
    create(db: Transaction<DB>, context: RequestContext, caseId: string, input: Create): Promise<Resource>
    list(db: Kysely<DB>, actor: RequestContext['actor'], caseId: string, filter: Filter): Promise<Page<Resource>>
    get(db: Kysely<DB>, actor: RequestContext['actor'], caseId: string, id: string): Promise<Resource>
    issue: Decision<Issue, Resource>
    refuse: Decision<Refuse, Resource>
  }
}

export function documentPaths(collection: string, itemParam: string): { collection: string; item: string } {
  const path = `/v1/return-cases/:id(^[0-9a-f-]{36})/${collection}`
  return { collection: path, item: `${path}/:${itemParam}(^[0-9a-f-]{36})` }
}

/** Record, list, get, issue and refuse one kind of the document workflow on a case. */
export function documentRoutes<Create, Filter, Issue, Refuse, Resource extends DocumentResource>(
  app: FastifyInstance,
  kind: DocumentRoutes<Create, Filter, Issue, Refuse, Resource>,
  between?: () => void,
): void {
  const { item, ids } = caseRecordRoutes<Create, Filter, Resource>(app, {
    ...kind,
    roles: TRAVEL_DOCUMENT_ROLES,
    schemas: { ...kind.schemas, caseParams: CaseParams },
  })
  const response = { 200: Type.Ref(kind.schemas.resource), ...problemResponses(400, 404, 409, 412, 422) }

  between?.()

  registerCustomMethods(app, { path: item, tags: [kind.tag], params: kind.schemas.params, response }, [
    {
      verb: 'issue',
      roles: TRAVEL_DOCUMENT_ROLES.write,
      ...kind.operations.issue,
      body: kind.schemas.issue,
      run: (db, context, params, expected, body) => kind.service.issue(db, context, ids(params).caseId, ids(params).id, expected, body as Issue),
    },
    {
      verb: 'refuse',
      roles: TRAVEL_DOCUMENT_ROLES.write,
      ...kind.operations.refuse,
      body: kind.schemas.refuse,
      run: (db, context, params, expected, body) => kind.service.refuse(db, context, ids(params).caseId, ids(params).id, expected, body as Refuse),
    },
  ])
}
