import { v7 as uuidv7 } from 'uuid'

/** Time-ordered ids (UUIDv7): keyset pagination by id is creation order, and inserts stay index-friendly. */
export function newId(): string {
  return uuidv7()
}

/**
 * A service-level option of the create services, used only by `npm run seed` to give the demo rows the
 * well-known ids the spec's request examples name (ADR 0054). Never taken from an API request: no route passes it.
 */
export interface FixedId {
  id?: string
}

/** The shape of every id this API issues (and accepts): checked before an id reaches SQL. */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID_PATTERN.test(value)
}
