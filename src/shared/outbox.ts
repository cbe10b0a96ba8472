import type { Kysely } from 'kysely'
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

/**
 * Writes a domain event to the outbox in the caller's transaction, so the event exists
 * exactly when the change does; a publisher relays rows in `sequence` order.
 */
export async function emitEvent(db: Kysely<DB>, event: DomainEvent): Promise<void> {
  await db
    .insertInto('outbox_events')
    .values({
      id: newId(),
      event_type: event.type,
      entity_type: event.entityType,
      entity_id: event.entityId,
      case_id: event.caseId ?? null,
      payload: JSON.stringify(event.payload),
    })
    .modifyEnd(PREPARED)
    .execute()
}
