import { decodeCursor } from '../../shared/pagination.js'
import { invalidField } from '../../shared/problems.js'
import { UUID_PATTERN } from '../../shared/ids.js'

/**
 * Keyset positions read back from a cursor, checked before they reach SQL: a cursor that
 * decodes but holds the wrong kind of key is a 400, never a database error.
 */
export function afterId(cursor: string | undefined): string | undefined {
  const key = decodeCursor(cursor, 1)
  if (key === undefined) return undefined
  if (typeof key[0] !== 'string' || !UUID_PATTERN.test(key[0])) throw invalidField('/query/cursor', 'malformed cursor')
  return key[0]
}

export function afterSequence(cursor: string | undefined): number | undefined {
  const key = decodeCursor(cursor, 1)
  if (key === undefined) return undefined
  if (typeof key[0] !== 'number' || !Number.isSafeInteger(key[0])) throw invalidField('/query/cursor', 'malformed cursor')
  return key[0]
}
