import { ProblemError } from './problems.js'

export interface Page<T> {
  items: T[]
  next_cursor: string | null
}

export const DEFAULT_PAGE_SIZE = 20

/** Cursors are opaque to clients: base64url of the sort key of the last row returned. */
export function encodeCursor(key: readonly unknown[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url')
}

export function decodeCursor(cursor: string | undefined, arity: number): unknown[] | undefined {
  if (cursor === undefined) return undefined
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    if (Array.isArray(key) && key.length === arity && key.every((part) => typeof part === 'string' || typeof part === 'number' || part === null)) {
      return key
    }
  } catch {
    // fall through to the problem below
  }
  throw new ProblemError('validation-error', 'The cursor is not one this API issued', {
    errors: [{ pointer: '/query/cursor', detail: 'malformed cursor' }],
  })
}

/**
 * Builds a page from `limit + 1` fetched rows: the extra row only tells whether there is
 * a next page, so no count query is ever needed.
 */
export function toPage<Row, Item>(rows: Row[], limit: number, keyOf: (row: Row) => unknown[], map: (row: Row) => Item): Page<Item> {
  const hasMore = rows.length > limit
  const pageRows = hasMore ? rows.slice(0, limit) : rows
  const last = pageRows.at(-1)
  return { items: pageRows.map(map), next_cursor: hasMore && last !== undefined ? encodeCursor(keyOf(last)) : null }
}
