import type { Insertable, Kysely, Selectable, Updateable } from 'kysely'
import type { DB } from '../db/schema.js'

/** The tables whose rows carry an `id`, a `version` for optimistic concurrency and an `updated_at`. */
export type VersionedTable = { [T in keyof DB]: DB[T] extends { id: unknown; version: unknown; updated_at: unknown } ? T : never }[keyof DB]

/** The columns every versioned row has, which is all this module needs to know of a table. */
type VersionedColumns = { id: string; version: number; updated_at: Date }

/**
 * Applies changes to the row with this id, bumps its version and stamps `updated_at`, and returns
 * the row as it now is. The row must exist (the caller read it, usually locked, in the same transaction).
 */
export async function updateVersioned<T extends VersionedTable>(db: Kysely<DB>, table: T, id: string, changes: Updateable<DB[T]>): Promise<Selectable<DB[T]>> {
  const versioned = db as unknown as Kysely<Record<string, VersionedColumns>>
  const row = await versioned
    .updateTable(table as string)
    .set((eb) => ({ ...(changes as object), version: eb('version', '+', 1), updated_at: new Date() }))
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow()
  return row as unknown as Selectable<DB[T]>
}

/** The row of `table` whose columns hold the given values (its key, and the parent it must belong to), locked with `forUpdate`. */
export async function findRow<T extends keyof DB>(
  db: Kysely<DB>,
  table: T,
  match: Partial<Record<keyof DB[T] & string, string>>,
  options: { forUpdate?: boolean } = {},
): Promise<Selectable<DB[T]> | undefined> {
  const rows = db as unknown as Kysely<Record<string, Record<string, unknown>>>
  let query = rows.selectFrom(table as string).selectAll()
  for (const [column, value] of Object.entries(match)) query = query.where(column, '=', value)
  if (options.forUpdate) query = query.forUpdate()
  return (await query.executeTakeFirst()) as Selectable<DB[T]> | undefined
}

/** Inserts one row and returns it as stored (defaults and generated columns filled in). */
export async function insertRow<T extends keyof DB>(db: Kysely<DB>, table: T, values: Insertable<DB[T]>): Promise<Selectable<DB[T]>> {
  const rows = db as unknown as Kysely<Record<string, Record<string, unknown>>>
  return (await rows.insertInto(table as string).values(values as Record<string, unknown>).returningAll().executeTakeFirstOrThrow()) as Selectable<DB[T]>
}
