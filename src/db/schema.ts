import type { ColumnType, Generated } from 'kysely'

/** A timestamptz column: written as a Date or ISO string (or left to its default), read as a Date. */
export type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>
export type Json<T = unknown> = ColumnType<T, string, string>

export interface OfficesTable {
  id: string
  code: string
  name: string
  country: string
  kind: 'country_office' | 'partner_office'
  version: Generated<number>
  created_at: Timestamp
  updated_at: Timestamp
}

export interface AuditEventsTable {
  id: Generated<number>
  occurred_at: Timestamp
  actor_sub: string
  actor_roles: string[]
  actor_office_id: string | null
  request_id: string | null
  action: string
  entity_type: string
  entity_id: string
  case_id: string | null
  changes: Json<Record<string, { before?: unknown; after?: unknown }>>
}

export interface OutboxEventsTable {
  sequence: Generated<number>
  id: string
  occurred_at: Timestamp
  event_type: string
  entity_type: string
  entity_id: string
  case_id: string | null
  payload: Json<Record<string, unknown>>
  published_at: Timestamp | null
}

export interface IdempotencyKeysTable {
  caller: string
  key: string
  request_hash: string
  method: string
  path: string
  response_status: number | null
  response_body: string | null
  response_headers: Json<Record<string, string>> | null
  created_at: Timestamp
  expires_at: Timestamp
}

export interface FoundationTables {
  offices: OfficesTable
  audit_events: AuditEventsTable
  outbox_events: OutboxEventsTable
  idempotency_keys: IdempotencyKeysTable
}

/** Every module contributes its tables here. */
export interface DB extends FoundationTables {}
