import { createHash } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely'
import type { DB } from './schema.js'
import type { RequestContext } from '../shared/context.js'
import { idempotencyReplays } from '../shared/metrics.js'
import { ProblemError } from '../shared/problems.js'
import { PREPARED } from './prepared.js'

export interface WriteResult {
  status: number
  body: unknown
  headers?: Record<string, string>
  /**
   * The work stored this response in its claim itself (see storeResponse), in the statement that made the
   * effect: the unit of work then sends no statement of its own for it.
   */
  stored?: boolean
}

/** The Idempotency-Key a write claimed, for work that stores its response itself (storeResponse). */
export interface IdempotencyClaim {
  caller: string
  key: string
}

/**
 * The work of a write: it runs inside the unit of work's transaction, which is the only `db` it may use.
 * `claim` is the request's claimed Idempotency-Key, if it sent one.
 */
export type WriteWork = (db: Transaction<DB>, context: RequestContext, claim: IdempotencyClaim | undefined) => Promise<WriteResult>

const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/

/** Canonical JSON: object keys sorted, so the same body hashes the same whatever its key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(',')}}`
  }
  return JSON.stringify(value ?? null)
}

function requestHash(request: FastifyRequest): string {
  return createHash('sha256').update(`${request.method} ${request.url}\n${canonical(request.body)}`).digest('hex')
}

function idempotencyKeyOf(request: FastifyRequest): string | undefined {
  const header = request.headers['idempotency-key']
  if (header === undefined) return undefined
  if (typeof header !== 'string' || !IDEMPOTENCY_KEY_PATTERN.test(header)) {
    throw new ProblemError('validation-error', 'Idempotency-Key must be 1-255 visible ASCII characters', {
      errors: [{ pointer: '/headers/idempotency-key', detail: 'must be 1-255 visible ASCII characters' }],
    })
  }
  return header
}

/**
 * Runs a write as one transaction. With an Idempotency-Key, the key is claimed in that same
 * transaction before the work runs: a concurrent request with the same key waits on the
 * claim's unique index and, once the first commits, replays its stored response. The effect
 * and the record of it commit together, so a retry can never double the effect. A failed
 * request rolls back its claim too, and may simply be retried.
 */
export async function runWrite(request: FastifyRequest, reply: FastifyReply, work: WriteWork): Promise<FastifyReply> {
  const key = idempotencyKeyOf(request)
  const context = request.context
  const ttlHours = request.server.config.IDEMPOTENCY_TTL_HOURS
  const hash = key ? requestHash(request) : ''

  const outcome = await request.server.db.transaction().execute(async (trx) => {
    if (key) {
      // One statement claims the key: a new key is inserted; an expired one is taken over; a live
      // one returns no row (after waiting for its transaction, if that is still running).
      const claimed = await trx
        .insertInto('idempotency_keys')
        .values({
          caller: context.actor.sub,
          key,
          request_hash: hash,
          method: request.method,
          path: request.url,
          expires_at: sql<Date>`now() + make_interval(hours => ${ttlHours})`,
        })
        .onConflict((conflict) =>
          conflict
            .columns(['caller', 'key'])
            .doUpdateSet((eb) => ({
              request_hash: eb.ref('excluded.request_hash'),
              method: eb.ref('excluded.method'),
              path: eb.ref('excluded.path'),
              response_status: null,
              response_body: null,
              response_headers: null,
              created_at: sql<Date>`now()`,
              expires_at: eb.ref('excluded.expires_at'),
            }))
            .where('idempotency_keys.expires_at', '<', sql<Date>`now()`),
        )
        .returning('key')
        .modifyEnd(PREPARED)
        .executeTakeFirst()
      if (!claimed) {
        const stored = await trx
          .selectFrom('idempotency_keys')
          .selectAll()
          .where('caller', '=', context.actor.sub)
          .where('key', '=', key)
          .executeTakeFirstOrThrow()
        if (stored.request_hash !== hash) {
          throw new ProblemError('idempotency-key-reused', `Idempotency-Key ${key} was first used for ${stored.method} ${stored.path} with another body`)
        }
        return {
          replayed: true,
          status: stored.response_status ?? 200,
          body: stored.response_body === null ? null : (JSON.parse(stored.response_body) as unknown),
          headers: stored.response_headers ?? {},
        }
      }
    }
    const result = await work(trx, context, key ? { caller: context.actor.sub, key } : undefined)
    if (key && !result.stored) {
      await trx
        .updateTable('idempotency_keys')
        .set({
          response_status: result.status,
          response_body: result.body === undefined ? null : JSON.stringify(result.body),
          response_headers: JSON.stringify(result.headers ?? {}),
        })
        .where('caller', '=', context.actor.sub)
        .where('key', '=', key)
        .modifyEnd(PREPARED)
        .execute()
    }
    return { replayed: false, status: result.status, body: result.body, headers: result.headers ?? {} }
  })

  void reply.code(outcome.status).headers(outcome.headers)
  if (outcome.replayed) {
    idempotencyReplays.inc()
    void reply.header('idempotent-replayed', 'true')
  }
  return outcome.body === undefined || outcome.body === null ? reply.send() : reply.send(outcome.body)
}

/**
 * The part of a statement that stores a claimed key's response (`update idempotency_keys …`), for work
 * whose effect holds a hot row lock until its transaction ends: storing the response in the same
 * statement as the effect saves a round trip through Node while the lock is held. `body` is SQL yielding
 * the response body as JSON text, exactly what the work then returns (the headers stored are none); the
 * work returns `stored: true`. Stores nothing when `when` (SQL, true by default) is false.
 */
export function storeResponse(claim: IdempotencyClaim, status: number, body: RawBuilder<unknown>, when: RawBuilder<unknown> = sql`true`): RawBuilder<unknown> {
  return sql`update idempotency_keys set response_status = ${status}::int, response_body = ${body}, response_headers = '{}'::jsonb
     where caller = ${claim.caller}::text and key = ${claim.key}::text and ${when}`
}

/** Deletes keys past their retention; the server runs it periodically. */
export async function purgeExpiredIdempotencyKeys(db: Kysely<DB>): Promise<number> {
  const result = await db.deleteFrom('idempotency_keys').where('expires_at', '<', sql<Date>`now()`).executeTakeFirst()
  return Number(result.numDeletedRows)
}
