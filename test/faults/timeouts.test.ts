import { sql } from 'kysely'
import pg from 'pg'
import t from 'tap'
import { openPostgres } from '../../src/db/database.js'
import { isConnectionLost, isDatabaseTimeout } from '../../src/db/faults.js'
import { buildTestApp } from '../helpers/app.js'
import { freshDatabase } from '../helpers/database.js'
import { sleep } from './cluster.js'

// Timeouts that protect the pool, and a connection lost between two statements of a transaction,
// on the PostgreSQL of DATABASE_URL (only sessions of this test are ended; the server is never restarted).

const PROBLEM_JSON = 'application/problem+json; charset=utf-8'
const noServer = process.env.DATABASE_URL ? undefined : 'needs a PostgreSQL server (DATABASE_URL): the embedded database has no statement or pool timeouts'

/** A session of its own holding a row lock on an office until released. */
async function lockOffice(url: string, officeId: string): Promise<() => Promise<void>> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  await client.query('begin')
  await client.query('select 1 from offices where id = $1 for update', [officeId])
  return async () => {
    await client.query('rollback')
    await client.end()
  }
}

t.test('a statement past statement_timeout is a 504 problem; a request past the pool acquire timeout is a 503; readiness does not wait behind the pool', { skip: noServer }, async (t) => {
  const fresh = await freshDatabase(t)
  const url = fresh.url as string
  const database = openPostgres(url, { poolSize: 1, statementTimeoutMs: 1500, acquireTimeoutMs: 300 })
  t.teardown(() => database.close())
  const { as } = await buildTestApp(t, {}, database)
  const admin = as('ada', ['admin'])
  const office = (await admin({ method: 'POST', url: '/v1/offices', payload: { code: 'TMO', name: 'Timeouts', country: 'LT', kind: 'country_office' } })).json()

  const release = await lockOffice(url, office.id)
  const blocked = admin({ method: 'PATCH', url: `/v1/offices/${office.id}`, headers: { 'if-match': '"1"' }, payload: { name: 'Renamed' } })
  await sleep(200)
  // The only pooled connection waits on the lock: another request gets no connection in time.
  const starved = await admin({ method: 'GET', url: '/v1/offices' })
  t.equal(starved.statusCode, 503, starved.body)
  t.equal(starved.headers['content-type'], PROBLEM_JSON)
  t.equal(starved.json().type, '/problems/service-unavailable')
  t.equal(starved.headers['retry-after'], '2')
  const started = Date.now()
  const ready = await as('ada', ['admin'])({ method: 'GET', url: '/readyz' })
  t.equal(ready.statusCode, 200, 'readiness answers on its own connection while the pool is exhausted')
  t.ok(Date.now() - started < 1000, 'without waiting for the pool')

  const timedOut = await blocked
  t.equal(timedOut.statusCode, 504, timedOut.body)
  t.equal(timedOut.headers['content-type'], PROBLEM_JSON)
  t.equal(timedOut.json().type, '/problems/database-timeout')
  await release()
  const after = await admin({ method: 'GET', url: `/v1/offices/${office.id}` })
  t.equal(after.json().name, 'Timeouts', 'the timed-out update was rolled back')
  const retried = await admin({ method: 'PATCH', url: `/v1/offices/${office.id}`, headers: { 'if-match': '"1"' }, payload: { name: 'Renamed' } })
  t.equal(retried.statusCode, 200, 'the pool serves again once the lock is gone')
})

t.test('a transaction left idle past idle_in_transaction_session_timeout fails alone; the pool replaces the connection', { skip: noServer }, async (t) => {
  const fresh = await freshDatabase(t)
  const database = openPostgres(fresh.url as string, { poolSize: 2, idleInTransactionTimeoutMs: 200 })
  t.teardown(() => database.close())
  const error = await database.db
    .transaction()
    .execute(async (trx) => {
      await sql`select 1`.execute(trx)
      await sleep(700)
      await sql`select 1`.execute(trx)
    })
    .then(
      () => undefined,
      (caught: unknown) => caught,
    )
  t.ok(error, 'the transaction fails')
  t.ok(isConnectionLost(error) || isDatabaseTimeout(error), `as a lost connection or a timeout (${(error as Error).message})`)
  const rows = await sql<{ one: number }>`select 1 as one`.execute(database.db)
  t.equal(rows.rows[0]?.one, 1, 'the next query gets a working connection')
})

t.test('a connection lost between two statements of a transaction fails that transaction only and is not reused', { skip: noServer }, async (t) => {
  const fresh = await freshDatabase(t)
  const database = openPostgres(fresh.url as string, { poolSize: 1 })
  t.teardown(() => database.close())
  const pids = new Set<number>()
  const error = await database.db
    .transaction()
    .execute(async (trx) => {
      const pid = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx)).rows[0]?.pid as number
      pids.add(pid)
      // Ended from another session while this client is checked out and idle between statements:
      // node-pg emits 'error' on the client, which ended the process before it had a listener.
      await fresh.db.executeQuery(sql`select pg_terminate_backend(${pid})`.compile(fresh.db))
      await sleep(300)
      await sql`select 1`.execute(trx)
    })
    .then(
      () => undefined,
      (caught: unknown) => caught,
    )
  t.ok(isConnectionLost(error), `the transaction fails as a lost connection (${(error as Error | undefined)?.message})`)
  const pid = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(database.db)).rows[0]?.pid as number
  t.notOk(pids.has(pid), 'the next query runs on a new connection')
})
