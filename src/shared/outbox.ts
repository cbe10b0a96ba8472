import { sql, type Kysely, type RawBuilder } from 'kysely'
import { newId } from './ids.js'
import type { DB } from '../db/schema.js'
import { PREPARED } from '../db/prepared.js'

export interface DomainEvent {
  type: string
  entityType: string
  entityId: string
  caseId?: string | null
  payload: Record<string, unknown>
}

/** The columns of an outbox event: emitEvent writes them, and so does a statement that appends its events itself (outboxInsert). */
export const OUTBOX_COLUMNS = ['id', 'event_type', 'entity_type', 'entity_id', 'case_id', 'payload'] as const

/**
 * Writes a domain event to the outbox in the caller's transaction, so the event exists
 * exactly when the change does; a publisher relays rows in `sequence` order.
 */
export async function emitEvent(db: Kysely<DB>, event: DomainEvent): Promise<void> {
  await eventInsert(db, event).modifyEnd(PREPARED).execute()
}

/** The insert of an event, not yet run: for a statement that writes it together with other writes (as a CTE). */
export function eventInsert(db: Kysely<DB>, event: DomainEvent) {
  return db.insertInto('outbox_events').values({
    id: newId(),
    event_type: event.type,
    entity_type: event.entityType,
    entity_id: event.entityId,
    case_id: event.caseId ?? null,
    payload: JSON.stringify(event.payload),
  } satisfies Record<(typeof OUTBOX_COLUMNS)[number], unknown>)
}

/** `insert into outbox_events (OUTBOX_COLUMNS) <select>`, for a statement that appends its events itself; `select` yields the columns in that order. */
export function outboxInsert(select: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`insert into outbox_events (${sql.join(OUTBOX_COLUMNS.map((column) => sql.ref(column)))}) ${select}`
}

/** A position in the events feed: the writing transaction's id (xid8, as text), then the sequence. */
export interface OutboxPosition {
  xact: string
  sequence: number
}

/**
 * Deletes up to `batch` of the oldest outbox events at or before `through` (feed order), and
 * returns how many it deleted; the events feed calls it until nothing is left to purge.
 */
export async function purgeOutboxThrough(db: Kysely<DB>, through: OutboxPosition, batch: number): Promise<number> {
  const result = await db
    .deleteFrom('outbox_events')
    .where('sequence', 'in', (eb) =>
      eb
        .selectFrom('outbox_events')
        .select('sequence')
        .where(sql<boolean>`(xact_id, sequence) <= (${through.xact}::xid8, ${through.sequence})`)
        .orderBy('xact_id')
        .orderBy('sequence')
        .limit(batch),
    )
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}
