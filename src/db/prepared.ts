import { createHash } from 'node:crypto'
import { CompiledQuery, sql, type Compilable, type Kysely, type RawBuilder } from 'kysely'
import pg from 'pg'
import { isConnectionLost } from './faults.js'
import type { DB } from './schema.js'

/**
 * Marks a query as a named prepared statement on PostgreSQL. node-pg sends every query
 * unnamed, so PostgreSQL parses and plans it again each time; on the hottest reads that is
 * about half of what the database spends. A marked query is prepared once per connection
 * and then only bound and executed.
 *
 * Mark only queries whose text has a fixed shape (not `in (…)` lists of varying length,
 * not optional filters), and whose plan does not depend on the values (lookups by key):
 * after a few executions PostgreSQL may reuse one generic plan for every value. PGlite runs
 * in-process and ignores the mark.
 */
const PREPARED_MARKER = '/* prepared */'
export const PREPARED: RawBuilder<unknown> = sql.raw(PREPARED_MARKER)

const statementNames = new Map<string, string>()

/** A stable, short name per statement text, so every connection prepares it under the same name. */
function statementName(text: string): string {
  let name = statementNames.get(text)
  if (name === undefined) {
    name = `p_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`
    statementNames.set(text, name)
  }
  return name
}

type Query = (...args: unknown[]) => unknown

/** node-pg's client, sending queries marked PREPARED as named statements (kysely calls `query(text, values)`). */
export class PreparingClient extends pg.Client {
  /**
   * Set when this connection must not be reused: it was lost, or a rollback failed and the
   * session may still be inside the failed transaction. The pool then destroys it on release.
   */
  unfit?: Error

  // A field, not a method: pg.Client declares `query` as overloads that cannot be overridden one by one.
  override query = ((...args: unknown[]) => {
    const [text, values] = args
    const prepared = typeof text === 'string' && Array.isArray(values) && args.length === 2 && text.includes(PREPARED_MARKER)
    const result = prepared ? (super.query as Query)({ name: statementName(text), text, values }) : (super.query as Query)(...args)
    if (result instanceof Promise) {
      result.catch((error: unknown) => {
        if (isConnectionLost(error) || text === 'rollback') this.unfit = error as Error
      })
    }
    return result
  }) as pg.Client['query']
}

/**
 * Every column of a table, by name, checked complete at compile time. Prepared queries select
 * these instead of `*`: PostgreSQL refuses to run a prepared `select *` whose table gained a
 * column since it was prepared ("cached plan must not change result type"), which a
 * migration applied by a newer instance would cause on every running one.
 */
export function allColumns<Table>() {
  return <const Columns extends readonly (keyof Table & string)[]>(
    columns: Columns & ([Exclude<keyof Table, Columns[number]>] extends [never] ? unknown : { missing: Exclude<keyof Table, Columns[number]> }),
  ): Columns => columns
}

/**
 * A query built and compiled once, then run with new values: on the hottest paths, building
 * a kysely query and compiling it to SQL on every request cost more than parsing its rows.
 * `build` receives one placeholder per value and must pass each to the builder exactly where
 * that value goes; the placeholders become the statement's parameters.
 */
export class Precompiled<Row, Values extends readonly unknown[]> {
  #compiled: { sql: string; constants: readonly unknown[]; slots: readonly number[] } | undefined

  constructor(
    private readonly arity: Values['length'],
    private readonly build: (db: Kysely<DB>, ...placeholders: string[]) => Compilable<Row>,
  ) {}

  async execute(db: Kysely<DB>, ...values: Values): Promise<Row[]> {
    const compiled = (this.#compiled ??= this.compile(db))
    const parameters = compiled.slots.map((slot, index) => (slot < 0 ? compiled.constants[index] : values[slot]))
    const result = await db.executeQuery<Row>(CompiledQuery.raw(compiled.sql, parameters))
    return result.rows
  }

  private compile(db: Kysely<DB>) {
    const placeholders = Array.from({ length: this.arity }, (_, index) => `\u0000placeholder ${index}\u0000`)
    const { sql: text, parameters } = this.build(db, ...placeholders).compile()
    const slots = parameters.map((parameter) => placeholders.indexOf(parameter as string))
    for (let index = 0; index < this.arity; index += 1) {
      if (!slots.includes(index)) throw new Error(`precompiled query does not use value ${index}: ${text}`)
    }
    return { sql: text, constants: parameters, slots }
  }
}
