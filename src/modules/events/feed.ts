import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'
import type { OutboxPosition } from '../../shared/outbox.js'
import { decodeCursor, encodeCursor } from '../../shared/pagination.js'
import { invalidField, ProblemError } from '../../shared/problems.js'
import { isPartnerOnly, type Actor } from '../../shared/roles.js'
import { outboxTypesOf } from './catalogue.js'
import { toCloudEvent, type CloudEvent, type OutboxEvent } from './envelope.js'
import * as repository from './repository.js'
import type { EventSignal } from './signal.js'

/** How long a reader may hold a long poll. */
export const MAX_WAIT_SECONDS = 30
/** When nothing rings (an instance without LISTEN, a commit held back by an older transaction), look again this often. */
const POLL_MS = 1000

/** The largest transaction id (xid8 is an unsigned 64-bit integer). */
const MAX_XID8 = 2n ** 64n - 1n

export function encodePosition(position: OutboxPosition): string {
  return encodeCursor([position.xact, position.sequence])
}

/** A feed cursor back to its position; a cursor this API did not issue is a 400. */
export function decodePosition(cursor: string | undefined, pointer = '/query/after'): OutboxPosition | undefined {
  if (cursor === undefined) return undefined
  const malformed = () => invalidField(pointer, 'malformed cursor')
  let key: unknown[] | undefined
  try {
    key = decodeCursor(cursor, 2)
  } catch {
    throw malformed()
  }
  const [xact, sequence] = key as [unknown, unknown]
  if (typeof xact !== 'string' || !/^\d{1,20}$/.test(xact) || BigInt(xact) > MAX_XID8) throw malformed()
  if (typeof sequence !== 'number' || !Number.isSafeInteger(sequence) || sequence < 0) throw malformed()
  return { xact, sequence }
}

export function positionOf(event: OutboxEvent): OutboxPosition {
  return { xact: event.xact_id, sequence: event.sequence }
}

export interface FeedRequest {
  type?: string[]
  case_id?: string
  after?: string
  limit?: number
  wait?: number
}

export interface EventPage {
  items: CloudEvent[]
  next_cursor: string | null
  has_more: boolean
}

/** The events the actor may read: a partner office only those of the cases referred to it. */
function scopeOf(actor: Actor): { partnerOfficeId?: string } {
  if (!isPartnerOnly(actor)) return {}
  if (actor.officeId === null) throw new ProblemError('forbidden', 'A partner token needs an office')
  return { partnerOfficeId: actor.officeId }
}

/**
 * One page of the feed after the cursor. Only settled events are shown (every transaction below
 * them has finished), so a reader who resumes from a cursor never misses an event that committed
 * late. With `wait`, an empty page is held until an event arrives or the wait is over.
 */
export async function readFeed(db: Kysely<DB>, actor: Actor, request: FeedRequest, signal: EventSignal): Promise<EventPage> {
  const after = decodePosition(request.after)
  if (after && (await repository.isBeforeHorizon(db, after))) {
    throw new ProblemError('cursor-expired', 'Events after this cursor were purged (they are kept EVENT_RETENTION_DAYS). Resynchronise from the lists, then read the feed from its start.')
  }
  const limit = request.limit ?? 100
  const filter = {
    ...scopeOf(actor),
    after,
    caseId: request.case_id,
    types: request.type?.flatMap(outboxTypesOf),
    limit: limit + 1,
  }
  const deadline = Date.now() + Math.min(request.wait ?? 0, MAX_WAIT_SECONDS) * 1000
  for (;;) {
    const rows = await repository.settledEventsAfter(db, filter)
    const remaining = deadline - Date.now()
    if (rows.length > 0 || remaining <= 0) {
      const page = rows.slice(0, limit)
      const last = page.at(-1)
      return {
        items: page.map(toCloudEvent),
        next_cursor: last ? encodePosition(positionOf(last)) : request.after ?? null,
        has_more: rows.length > limit,
      }
    }
    await signal.wait(Math.min(remaining, POLL_MS))
  }
}
