import { Type, type Static, type TSchema } from '@sinclair/typebox'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Kysely, Transaction } from 'kysely'
import type { DB } from '../db/schema.js'
import { runWrite } from '../db/unit-of-work.js'
import type { RequestContext } from './context.js'
import { etagOf, expectedVersion, setEtag } from './etag.js'
import { IdempotencyKeyHeader, IfMatchHeader } from './headers.js'
import type { Page } from './pagination.js'
import { problemResponses, type PROBLEM_RESPONSES } from './problems.js'
import type { Role } from './roles.js'

/**
 * The mechanics of the route shapes most routes have, so a handler says only what it reads or
 * writes: the versioned read (the resource's version as its ETag), the versioned write (If-Match
 * checked, the work in one unit of work, the new version as the ETag) and the custom method
 * (`POST /things/{id}:verb`, a versioned write whose body may be left out). The route builders
 * (listRoute, readRoute, createRoute, updateRoute, deleteRoute) register a whole operation of one of
 * these shapes from its path, spec text, roles, schemas and work, with the problem responses the
 * shape has unless the route names its own.
 */

/** A resource whose version is its ETag (an entry shown without one is at its first version). */
interface Versioned {
  version: number | null
}

/** A GET of a versioned resource: the representation, its version as the ETag. */
export async function versionedRead<Resource extends Versioned>(reply: FastifyReply, read: Promise<Resource>): Promise<Resource> {
  const resource = await read
  setEtag(reply, resource.version ?? 1)
  return resource
}

export interface WriteOptions<Resource> {
  /** `required` for updates that can race (428 without it), `optional` for custom methods, `none` for creates. */
  ifMatch: 'required' | 'optional' | 'none'
  /** 200 unless given (201 for a create). */
  status?: number
  /** The Location of a created resource. */
  location?: (resource: Resource) => string
  /** The body sent, when it is more than the resource itself. */
  body?: (resource: Resource) => unknown
}

/**
 * A write of a versioned resource: If-Match read and checked first, the work in one unit of work
 * (`runWrite`: one transaction, Idempotency-Key replay), the new version as the ETag.
 */
export async function versionedWrite<Resource extends Versioned>(
  request: FastifyRequest,
  reply: FastifyReply,
  write: (db: Transaction<DB>, context: RequestContext, expectedVersion: number | undefined) => Promise<Resource>,
  options: WriteOptions<Resource>,
): Promise<FastifyReply> {
  const expected = options.ifMatch === 'none' ? undefined : expectedVersion(request, { required: options.ifMatch === 'required' })
  return runWrite(request, reply, async (db, context) => {
    const resource = await write(db, context, expected)
    const headers: Record<string, string> = { etag: etagOf(resource.version ?? 1) }
    if (options.location) headers.location = options.location(resource)
    return { status: options.status ?? 200, body: options.body ? options.body(resource) : resource, headers }
  })
}

/** The If-Match of a custom method is optional: the state guard (409) applies either way. */
export function customMethod<Resource extends Versioned>(
  request: FastifyRequest,
  reply: FastifyReply,
  write: (db: Transaction<DB>, context: RequestContext, expectedVersion: number | undefined) => Promise<Resource>,
): Promise<FastifyReply> {
  return versionedWrite(request, reply, write, { ifMatch: 'optional' })
}

/** For a custom method's `preValidation`: its body is optional, and no body is the same as `{}`. */
export async function emptyBodyAsObject(request: FastifyRequest): Promise<void> {
  if (request.body === undefined || request.body === null) request.body = {}
}

/** What a custom method's work is given as its body: nothing for a method without one. */
type BodyOf<Body extends TSchema | undefined> = Body extends TSchema ? Static<Body> : undefined

/** One custom method of a family: `POST {family.path}:{verb}`, a row of the family's table. */
export interface CustomMethod<Params, Resource extends Versioned, Body extends TSchema | undefined = TSchema | undefined> {
  verb: string
  roles: readonly Role[]
  operationId: string
  summary: string
  /** What it does; the family's `note` follows it. */
  description: string
  /** The body's schema (sent as a `$ref`); `undefined` for a method that takes no body. */
  body?: Body
  /** The body may be left out: no body is the same as `{}`. */
  optionalBody?: boolean
  /** The responses, where they are not the family's. */
  response?: Record<number, unknown>
  /** The work, in the unit of work, with the path's parameters, the If-Match version (if sent) and the body. */
  run: (db: Transaction<DB>, context: RequestContext, params: Params, expectedVersion: number | undefined, body: BodyOf<Body>) => Promise<Resource>
}

/** What the custom methods of one resource share. */
export interface CustomMethodFamily<ParamsSchema extends TSchema, Resource extends Versioned> {
  /** The resource's path; each method is `${path}::${verb}` (the id's pattern keeps the verb out of it). */
  path: string
  tags: string[]
  params: ParamsSchema
  /** The responses of every method (the resource, and its problems). */
  response: Record<number, unknown>
  /** Said after every method's description (what If-Match does). */
  note?: string
  /** Every method's body may be left out (as `optionalBody` on each). */
  optionalBody?: boolean
  /** The body sent, when it is not the resource itself. */
  present?: (resource: Resource) => unknown
}

/**
 * Registers a family of custom methods declared as a table, in its order: each a `POST` with the
 * roles, the spec and one call to `run` in a unit of work (If-Match optional, the new version as
 * the ETag).
 */
export function registerCustomMethods<ParamsSchema extends TSchema, Resource extends Versioned, const Bodies extends readonly (TSchema | undefined)[]>(
  app: FastifyInstance,
  family: CustomMethodFamily<ParamsSchema, Resource>,
  methods: { [K in keyof Bodies]: CustomMethod<Static<ParamsSchema>, Resource, Bodies[K]> },
): void {
  for (const method of methods as readonly CustomMethod<Static<ParamsSchema>, Resource>[]) {
    app.post(`${family.path}::${method.verb}`, {
      config: { roles: method.roles },
      ...((method.optionalBody ?? family.optionalBody) ? { preValidation: emptyBodyAsObject } : {}),
      schema: {
        tags: family.tags,
        operationId: method.operationId,
        summary: method.summary,
        description: family.note ? `${method.description} ${family.note}` : method.description,
        params: family.params,
        headers: IfMatchHeader,
        ...(method.body ? { body: Type.Ref(method.body) } : {}),
        response: method.response ?? family.response,
      },
      handler: (request, reply) =>
        versionedWrite(request, reply, (db, context, expected) => method.run(db, context, request.params as Static<ParamsSchema>, expected, request.body as BodyOf<TSchema | undefined>), {
          ifMatch: 'optional',
          ...(family.present ? { body: family.present } : {}),
        }),
    })
  }
}

/** What the spec says of one operation. */
export interface OperationText {
  operationId: string
  summary: string
  description?: string
}

type ProblemStatus = keyof typeof PROBLEM_RESPONSES

/** What every route builder is given: where the operation is, what the spec says of it and who may call it. */
export interface Route extends OperationText {
  path: string
  tags: string[]
  roles: readonly Role[]
  /** The problem responses, where they are not the ones the builder lists. */
  problems?: readonly ProblemStatus[]
}

/** What a read's work is given: the database, the caller, and the path's parameters and query, as their schemas say. */
export interface ReadInput<Params, Query> {
  db: Kysely<DB>
  context: RequestContext
  params: Params
  query: Query
}

/** What a write's work is given: the unit of work's transaction, the caller, the path's parameters, the body and the If-Match version (if sent). */
export interface WriteInput<Params, Body> {
  db: Transaction<DB>
  context: RequestContext
  params: Params
  body: Body
  expectedVersion: number | undefined
}

/** The parts of an operation's schema that differ from route to route; a part left undefined is not in the spec. */
interface SchemaParts {
  params?: TSchema | undefined
  querystring?: TSchema | undefined
  headers?: TSchema
  body?: TSchema | undefined
  response: Record<number, unknown>
}

/** Registers one operation: its roles, its spec (the parts in the order the spec is written) and its handler. */
function registerRoute(
  app: FastifyInstance,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  route: Route,
  parts: SchemaParts,
  handler: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>,
): void {
  const present = Object.entries(parts).filter(([, part]) => part !== undefined)
  app.route({
    method,
    url: route.path,
    config: { roles: route.roles },
    schema: {
      tags: route.tags,
      operationId: route.operationId,
      summary: route.summary,
      ...(route.description === undefined ? {} : { description: route.description }),
      ...Object.fromEntries(present),
    },
    handler,
  })
}

/** The problem responses of a route: the builder's usual ones unless the route names its own. */
function problemsOf(route: Route, usual: readonly ProblemStatus[]): Record<number, unknown> {
  return problemResponses(...(route.problems ?? usual))
}

/**
 * The request's parts as its schemas validated them, for a route's work; each builder's signature gives
 * them their static types (`Static` of the schemas it was given).
 */
function readInput(app: FastifyInstance, request: FastifyRequest): ReadInput<never, never> {
  return { db: app.db, context: request.context, params: request.params as never, query: request.query as never }
}

function writeInput(request: FastifyRequest, db: Transaction<DB>, context: RequestContext, expected: number | undefined): WriteInput<never, never> {
  return { db, context, params: request.params as never, body: request.body as never, expectedVersion: expected }
}

/** A list: `GET` with the query; 404 too when the list is below a resource (it has path parameters). */
export function listRoute<Params extends TSchema, Query extends TSchema>(
  app: FastifyInstance,
  route: Route & { params?: Params; query?: Query; list: TSchema; run: (input: ReadInput<Static<Params>, Static<Query>>) => Promise<unknown> },
): void {
  registerRoute(
    app,
    'GET',
    route,
    { params: route.params, querystring: route.query, response: { 200: Type.Ref(route.list), ...problemsOf(route, route.params ? [400, 404] : [400]) } },
    async (request) => route.run(readInput(app, request)),
  )
}

/** A read: `GET` of one resource, its version as the ETag. */
export function readRoute<Params extends TSchema, Resource extends Versioned>(app: FastifyInstance, route: ReadRoute<Params, Resource>): void {
  registerRead(app, route, (reply, read) => versionedRead(reply, read))
}

/** A read of a record that has no version (it is never changed once made), so no ETag. */
export function readUnversionedRoute<Params extends TSchema, Resource>(app: FastifyInstance, route: ReadRoute<Params, Resource>): void {
  registerRead(app, route, (_reply, read) => read)
}

interface ReadRoute<Params extends TSchema, Resource> extends Route {
  params: Params
  resource: TSchema
  run: (input: ReadInput<Static<Params>, undefined>) => Promise<Resource>
}

function registerRead<Params extends TSchema, Resource>(
  app: FastifyInstance,
  route: ReadRoute<Params, Resource>,
  answer: (reply: FastifyReply, read: Promise<Resource>) => Promise<Resource>,
): void {
  registerRoute(app, 'GET', route, { params: route.params, response: { 200: Type.Ref(route.resource), ...problemsOf(route, [400, 404]) } }, (request, reply) =>
    answer(reply, route.run(readInput(app, request))),
  )
}

interface CreateRoute<Params extends TSchema, Body extends TSchema, Resource> extends Route {
  params?: Params
  body: Body
  resource: TSchema
  run: (input: Omit<WriteInput<Static<Params>, Static<Body>>, 'expectedVersion'>) => Promise<Resource>
  /** Where the new resource is read (the path's parameters for what the resource does not say itself). */
  location: (resource: Resource, params: Static<Params>) => string
  /** The body sent, when it is not the resource itself. */
  present?: (resource: Resource) => unknown
}

/** A create: `POST` to the collection (Idempotency-Key), 201 with the Location and the ETag of the new resource. */
export function createRoute<Params extends TSchema, Body extends TSchema, Resource extends Versioned>(app: FastifyInstance, route: CreateRoute<Params, Body, Resource>): void {
  registerCreate(app, route, (request, reply, create) =>
    versionedWrite(request, reply, create, {
      ifMatch: 'none',
      status: 201,
      location: (resource) => route.location(resource, request.params as Static<Params>),
      ...(route.present ? { body: route.present } : {}),
    }),
  )
}

/**
 * The create of a record that has no version (it is never changed once made): 201 without an ETag,
 * and with the Location only where the record can be read on its own.
 */
export function createUnversionedRoute<Params extends TSchema, Body extends TSchema, Resource>(
  app: FastifyInstance,
  route: Omit<CreateRoute<Params, Body, Resource>, 'location' | 'present'> & Partial<Pick<CreateRoute<Params, Body, Resource>, 'location'>>,
): void {
  registerCreate(app, route, (request, reply, create) =>
    runWrite(request, reply, async (db, context) => {
      const resource = await create(db, context)
      return { status: 201, body: resource, ...(route.location ? { headers: { location: route.location(resource, request.params as Static<Params>) } } : {}) }
    }),
  )
}

function registerCreate<Params extends TSchema, Body extends TSchema, Resource>(
  app: FastifyInstance,
  route: Omit<CreateRoute<Params, Body, Resource>, 'location' | 'present'>,
  answer: (request: FastifyRequest, reply: FastifyReply, create: (db: Transaction<DB>, context: RequestContext) => Promise<Resource>) => Promise<FastifyReply>,
): void {
  const response = { 201: Type.Ref(route.resource), ...problemsOf(route, route.params ? [400, 404, 409, 422] : [400, 409, 422]) }
  registerRoute(app, 'POST', route, { params: route.params, headers: IdempotencyKeyHeader, body: Type.Ref(route.body), response }, (request, reply) =>
    answer(request, reply, (db, context) => route.run(writeInput(request, db, context, undefined))),
  )
}

/** An update: `PATCH` of one resource; If-Match is required (428 without it) so that no change is overwritten unseen. */
export function updateRoute<Params extends TSchema, Body extends TSchema, Resource extends Versioned>(
  app: FastifyInstance,
  route: Route & {
    params: Params
    body: Body
    resource: TSchema
    run: (input: WriteInput<Static<Params>, Static<Body>>) => Promise<Resource>
    /** The body sent, when it is not the resource itself. */
    present?: (resource: Resource) => unknown
  },
): void {
  const response = { 200: Type.Ref(route.resource), ...problemsOf(route, [400, 404, 409, 412, 422, 428]) }
  registerRoute(app, 'PATCH', route, { params: route.params, headers: IfMatchHeader, body: Type.Ref(route.body), response }, (request, reply) =>
    versionedWrite(request, reply, (db, context, expected) => route.run(writeInput(request, db, context, expected)), {
      ifMatch: 'required',
      ...(route.present ? { body: route.present } : {}),
    }),
  )
}

/** A removal: `DELETE` of one resource, 204; If-Match is required, as for an update. */
export function deleteRoute<Params extends TSchema>(
  app: FastifyInstance,
  route: Route & { params: Params; removed: TSchema; run: (input: Omit<WriteInput<Static<Params>, undefined>, 'body'>) => Promise<unknown> },
): void {
  const response = { 204: route.removed, ...problemsOf(route, [400, 404, 409, 412, 422, 428]) }
  registerRoute(app, 'DELETE', route, { params: route.params, headers: IfMatchHeader, response }, async (request, reply) => {
    const expected = expectedVersion(request, { required: true })
    return runWrite(request, reply, async (db, context) => {
      await route.run(writeInput(request, db, context, expected))
      return { status: 204, body: undefined }
    })
  })
}

/** A record of a case, below it: `/v1/return-cases/{id}/<collection>/{itemParam}`. */
interface CaseRecord {
  id: string
  case_id: string
  version: number
}

/** One kind of record kept below a case: its paths, roles, schemas, texts and service for create, list and get. */
export interface CaseRecordRoutes<Create, Filter, Resource extends CaseRecord> {
  tag: string
  /** Below the case, e.g. `travel-documents`. */
  collection: string
  /** The item's id parameter. */
  itemParam: string
  roles: { read: readonly Role[]; write: readonly Role[] }
  /** The body, resource and list are registered schemas (sent as `$ref`s); the parameters and query are sent as they are. */
  schemas: { caseParams: TSchema; params: TSchema; query: TSchema; create: TSchema; resource: TSchema; list: TSchema }
  operations: { create: OperationText; list: OperationText; get: OperationText }
  service: {
    create(db: Transaction<DB>, context: RequestContext, caseId: string, input: Create): Promise<Resource>
    list(db: Kysely<DB>, actor: RequestContext['actor'], caseId: string, filter: Filter): Promise<Page<Resource>>
    get(db: Kysely<DB>, actor: RequestContext['actor'], caseId: string, id: string): Promise<Resource>
  }
}

/**
 * Registers the create (201 with Location and ETag, Idempotency-Key), the list and the versioned get of
 * a kind of case record, and returns its item path and the ids in a request's path parameters, for the
 * kind's own custom methods.
 */
export function caseRecordRoutes<Create, Filter, Resource extends CaseRecord>(
  app: FastifyInstance,
  kind: CaseRecordRoutes<Create, Filter, Resource>,
): { item: string; ids(params: unknown): { caseId: string; id: string } } {
  const collection = `/v1/return-cases/:id(^[0-9a-f-]{36})/${kind.collection}`
  const item = `${collection}/:${kind.itemParam}(^[0-9a-f-]{36})`
  const idsOf = (params: unknown) => {
    const named = params as Record<string, string>
    return { caseId: named.id as string, id: named[kind.itemParam] as string }
  }
  const tags = [kind.tag]
  const { schemas, service } = kind

  createRoute(app, {
    path: collection,
    tags,
    roles: kind.roles.write,
    ...kind.operations.create,
    params: schemas.caseParams,
    body: schemas.create,
    resource: schemas.resource,
    run: ({ db, context, params, body }) => service.create(db, context, idsOf(params).caseId, body as Create),
    location: (record) => `/v1/return-cases/${record.case_id}/${kind.collection}/${record.id}`,
  })

  listRoute(app, {
    path: collection,
    tags,
    roles: kind.roles.read,
    ...kind.operations.list,
    params: schemas.caseParams,
    query: schemas.query,
    list: schemas.list,
    run: ({ db, context, params, query }) => service.list(db, context.actor, idsOf(params).caseId, query as Filter),
  })

  readRoute(app, {
    path: item,
    tags,
    roles: kind.roles.read,
    ...kind.operations.get,
    params: schemas.params,
    resource: schemas.resource,
    run: ({ db, context, params }) => service.get(db, context.actor, idsOf(params).caseId, idsOf(params).id),
  })

  return { item, ids: idsOf }
}
