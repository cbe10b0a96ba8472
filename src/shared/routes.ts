import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Transaction } from 'kysely'
import type { DB } from '../db/schema.js'
import { runWrite } from '../db/unit-of-work.js'
import type { RequestContext } from './context.js'
import { etagOf, expectedVersion, setEtag } from './etag.js'

/**
 * The mechanics of the route shapes most routes have, so a handler says only what it reads or
 * writes: the versioned read (the resource's version as its ETag), the versioned write (If-Match
 * checked, the work in one unit of work, the new version as the ETag) and the custom method
 * (`POST /things/{id}:verb`, a versioned write whose body may be left out).
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
