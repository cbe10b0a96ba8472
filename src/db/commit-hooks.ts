import { AsyncLocalStorage } from 'node:async_hooks'
import type { CompiledQuery, DatabaseConnection, Dialect, Driver, TransactionSettings } from 'kysely'

/**
 * Statements run at the end of every read-write transaction, just before its COMMIT, on the
 * transaction's own connection: what must change with the data it derives from, in the same
 * transaction (the statistics read model, ADR 0059). The database layer knows no module: the
 * composition root registers the statements (`src/modules/index.ts`, `wireModules`).
 *
 * They run for every transaction opened through Kysely (`db.transaction()`: the unit of work,
 * jobs, the seed, tests), not for single statements outside a transaction, and not for
 * read-only transactions. A failing statement fails the commit: the transaction rolls back.
 */
export interface CommitStatement {
  /** For errors and docs. */
  name: string
  statement: () => CompiledQuery
}

const statements = new Map<string, CommitStatement>()
const suspended = new AsyncLocalStorage<boolean>()

/** Registers (or replaces, by name) a statement run before every commit. */
export function registerCommitStatement(statement: CommitStatement): void {
  statements.set(statement.name, statement)
}

/** Runs `work` without the commit statements: the migrations, whose schema may not have their tables yet. */
export function withoutCommitStatements<T>(work: () => Promise<T>): Promise<T> {
  return suspended.run(true, work)
}

class CommitHookDriver implements Driver {
  readonly #readOnly = new WeakSet<DatabaseConnection>()

  constructor(private readonly inner: Driver) {
    if (inner.savepoint) this.savepoint = inner.savepoint.bind(inner)
    if (inner.rollbackToSavepoint) this.rollbackToSavepoint = inner.rollbackToSavepoint.bind(inner)
    if (inner.releaseSavepoint) this.releaseSavepoint = inner.releaseSavepoint.bind(inner)
  }

  savepoint?: Driver['savepoint']
  rollbackToSavepoint?: Driver['rollbackToSavepoint']
  releaseSavepoint?: Driver['releaseSavepoint']

  init(): Promise<void> {
    return this.inner.init()
  }

  acquireConnection(): Promise<DatabaseConnection> {
    return this.inner.acquireConnection()
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    if (settings.accessMode === 'read only') this.#readOnly.add(connection)
    else this.#readOnly.delete(connection)
    return this.inner.beginTransaction(connection, settings)
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    if (!this.#readOnly.has(connection) && suspended.getStore() !== true) {
      for (const statement of statements.values()) await connection.executeQuery(statement.statement())
    }
    return this.inner.commitTransaction(connection)
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.rollbackTransaction(connection)
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection(connection)
  }

  destroy(): Promise<void> {
    return this.inner.destroy()
  }
}

/** The dialect with the commit statements run before each commit of its transactions. */
export function withCommitStatements(dialect: Dialect): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createDriver: () => new CommitHookDriver(dialect.createDriver()),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createQueryCompiler: () => dialect.createQueryCompiler(),
  }
}
