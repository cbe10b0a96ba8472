import { v7 as uuidv7 } from 'uuid'

/** Time-ordered ids (UUIDv7): keyset pagination by id is creation order, and inserts stay index-friendly. */
export function newId(): string {
  return uuidv7()
}
