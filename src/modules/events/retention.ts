import type { FastifyBaseLogger } from 'fastify'
import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'
import { purgeOutboxThrough } from '../../shared/outbox.js'
import * as repository from './repository.js'

/** Outbox rows deleted per statement, so a purge never holds one long delete. */
const PURGE_BATCH = 10_000

/**
 * Purges the events older than `retentionDays` and the finished deliveries as old. Events go as a
 * prefix of the feed (everything up to the last settled event before the cutoff), and the horizon
 * is moved there first: a cursor before it gets 410 `cursor-expired`, a cursor after it misses nothing.
 */
export async function purgeExpiredEvents(db: Kysely<DB>, retentionDays: number, log?: FastifyBaseLogger): Promise<{ events: number; deliveries: number }> {
  const cutoff = new Date(Date.now() - retentionDays * 86_400_000)
  const through = await repository.lastSettledEventBefore(db, cutoff)
  let events = 0
  if (through) {
    await repository.advanceHorizon(db, through)
    for (let deleted = PURGE_BATCH; deleted === PURGE_BATCH; events += deleted) deleted = await purgeOutboxThrough(db, through, PURGE_BATCH)
  }
  const deliveries = await repository.purgeFinishedDeliveries(db, cutoff)
  if (events + deliveries > 0) log?.info({ events, deliveries }, 'expired events purged')
  return { events, deliveries }
}
