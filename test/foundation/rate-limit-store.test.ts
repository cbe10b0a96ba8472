import { randomUUID } from 'node:crypto'
import { connect } from 'node:net'
import t from 'tap'
import { ConfigError, loadConfig } from '../../src/config.js'
import { openPostgres } from '../../src/db/database.js'
import { buildTestApp, type TestApp } from '../helpers/app.js'
import { freshDatabase } from '../helpers/database.js'

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'

function redisAnswers(): Promise<boolean> {
  const url = new URL(REDIS_URL)
  return new Promise((resolve) => {
    const socket = connect({ host: url.hostname, port: Number(url.port || 6379), timeout: 1000 })
    const answer = (up: boolean) => {
      socket.destroy()
      resolve(up)
    }
    socket.once('connect', () => answer(true))
    socket.once('error', () => answer(false))
    socket.once('timeout', () => answer(false))
  })
}

const redisSkip = (await redisAnswers()) ? false : `no Redis at ${REDIS_URL} (set TEST_REDIS_URL)`
const postgresSkip = process.env.DATABASE_URL ? false : 'the postgres store needs a PostgreSQL server (run with DATABASE_URL)'

/** Each caller is new to the store (a fresh subject), so runs sharing one Redis or server never meet. */
function caller(...instances: TestApp[]) {
  const first = instances[0] as TestApp
  const authorization = `Bearer ${first.token(`rate-${randomUUID()}`, ['admin'])}`
  return (instance: TestApp) => instance.app.inject({ method: 'GET', url: '/v1/offices', headers: { authorization } })
}

async function statuses(call: (instance: TestApp) => Promise<{ statusCode: number }>, order: TestApp[]): Promise<number[]> {
  const result: number[] = []
  for (const instance of order) result.push((await call(instance)).statusCode)
  return result
}

t.test('memory store: each instance counts alone', async (t) => {
  const database = await freshDatabase(t)
  const a = await buildTestApp(t, { RATE_LIMIT_MAX: '2' }, database)
  const b = await buildTestApp(t, { RATE_LIMIT_MAX: '2' }, database)
  t.same(await statuses(caller(a, b), [a, a, a, b, b, b]), [200, 200, 429, 200, 200, 429], 'two instances allow twice the limit')
})

t.test('redis store: two instances share one limit', { skip: redisSkip }, async (t) => {
  const env = { RATE_LIMIT_MAX: '3', RATE_LIMIT_STORE: 'redis', RATE_LIMIT_REDIS_URL: REDIS_URL }
  const database = await freshDatabase(t)
  const a = await buildTestApp(t, env, database)
  const b = await buildTestApp(t, env, database)
  const call = caller(a, b)
  t.same(await statuses(call, [a, b, a, b, a]), [200, 200, 200, 429, 429], 'the fourth call is refused, whichever instance takes it')
  const limited = await call(b)
  t.equal(limited.headers['ratelimit-limit'], '3')
  t.ok(Number(limited.headers['retry-after']) > 0, 'Retry-After comes from the shared window')
})

t.test('redis store: while Redis is unreachable, requests are served, not failed', async (t) => {
  const env = { RATE_LIMIT_MAX: '1', RATE_LIMIT_STORE: 'redis', RATE_LIMIT_REDIS_URL: 'redis://127.0.0.1:1' }
  const a = await buildTestApp(t, env)
  t.same(await statuses(caller(a), [a, a, a]), [200, 200, 200])
})

t.test('postgres store: two instances share one limit, and a new window starts when the last has ended', { skip: postgresSkip }, async (t) => {
  const database = await freshDatabase(t)
  const url = database.url as string
  const env = { RATE_LIMIT_MAX: '3', RATE_LIMIT_WINDOW_MS: '1000', RATE_LIMIT_STORE: 'postgres', DATABASE_URL: url }
  const other = openPostgres(url, 2)
  t.teardown(() => other.close())
  const a = await buildTestApp(t, env, database)
  const b = await buildTestApp(t, env, other)
  const call = caller(a, b)
  t.same(await statuses(call, [a, b, a, b]), [200, 200, 200, 429], 'the fourth call is refused by the other instance')
  const limited = await call(a)
  t.equal(limited.json().type, '/problems/rate-limited')
  t.ok(Number(limited.headers['retry-after']) >= 1)
  await new Promise((resolve) => setTimeout(resolve, 1100))
  t.same(await statuses(call, [b, a]), [200, 200], 'the next window allows calls again')
  const counters = await database.db.selectFrom('rate_limit_counters').select(['key', 'hits']).execute()
  t.equal(counters.length, 1, 'one counter per caller')
  t.equal(counters[0]?.hits, 2)
})

t.test('RATE_LIMIT_STORE: redis needs its URL; postgres needs a PostgreSQL server', async (t) => {
  t.throws(() => loadConfig({ RATE_LIMIT_STORE: 'redis' }), /RATE_LIMIT_REDIS_URL/)
  t.throws(() => loadConfig({ RATE_LIMIT_STORE: 'postgres' }), /RATE_LIMIT_STORE: postgres/)
  t.throws(() => loadConfig({ RATE_LIMIT_STORE: 'disk' }), ConfigError)
  t.equal(loadConfig({}).RATE_LIMIT_STORE, 'memory', 'memory by default')
})
