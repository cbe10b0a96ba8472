import { sql, type SelectQueryBuilder } from 'kysely'
import { isUuid } from './ids.js'
import { invalidField, ProblemError } from './problems.js'

export interface Page<T> {
  items: T[]
  next_cursor: string | null
}

/** What a list request asks for: `limit` (default 20) rows after the opaque `cursor`. */
export interface PageRequest {
  limit?: number
  cursor?: string
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
 * Keyset positions read back from a cursor, checked before they reach SQL: a cursor that
 * decodes but holds the wrong kind of key is a 400, never a database error.
 */
export function afterId(cursor: string | undefined): string | undefined {
  const key = decodeCursor(cursor, 1)
  if (key === undefined) return undefined
  if (!isUuid(key[0])) throw invalidField('/query/cursor', 'malformed cursor')
  return key[0]
}

export function afterSequence(cursor: string | undefined): number | undefined {
  const key = decodeCursor(cursor, 1)
  if (key === undefined) return undefined
  if (typeof key[0] !== 'number' || !Number.isSafeInteger(key[0])) throw invalidField('/query/cursor', 'malformed cursor')
  return key[0]
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

export interface KeysetOrder {
  /** The unique column the page is ordered by (default `id`), qualified by its table's alias when the query joins or aliases (`pr.id`). */
  column?: string
  direction?: 'asc' | 'desc'
  /** What the column holds: a UUIDv7 id (creation order) or an integer sequence. */
  key?: 'uuid' | 'sequence'
}

/**
 * One page of a list ordered by a unique key: reads `limit + 1` rows after the cursor's position
 * (the extra row tells whether there is a next page, so no count query is needed), then presents
 * the rows of the page, in one batch. The query carries the list's filters; paging is added here.
 */
export async function paginate<Tables, TB extends keyof Tables, Row extends { id: string | number }, Item = Row>(
  query: SelectQueryBuilder<Tables, TB, Row>,
  page: PageRequest,
  present: (rows: Row[]) => Item[] | Promise<Item[]> = (rows) => rows as unknown as Item[],
  order: KeysetOrder = {},
): Promise<Page<Item>> {
  const limit = page.limit ?? DEFAULT_PAGE_SIZE
  const column = sql.ref(order.column ?? 'id')
  const direction = order.direction ?? 'asc'
  const after = order.key === 'sequence' ? afterSequence(page.cursor) : afterId(page.cursor)
  let keyset = query.orderBy(column, direction).limit(limit + 1)
  if (after !== undefined) keyset = keyset.where(column, direction === 'asc' ? '>' : '<', after)
  const rows = await keyset.execute()
  const shown = rows.slice(0, limit)
  const last = shown.at(-1)
  return { items: await present(shown), next_cursor: rows.length > limit && last !== undefined ? encodeCursor([last.id]) : null }
}

/** The same page with each item presented. */
export function mapPage<Row, Item>(page: Page<Row>, present: (row: Row) => Item): Page<Item> {
  return { items: page.items.map(present), next_cursor: page.next_cursor }
}
