import { Writable } from 'node:stream'
import pino from 'pino'
import { sql } from 'kysely'
import t from 'tap'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { buildTestApp, TEST_ENV } from '../helpers/app.js'
import { createFreshDatabase, freshDatabase } from '../helpers/database.js'

const PROBLEM_JSON = 'application/problem+json; charset=utf-8'

t.test('unknown routes, bad JSON, wrong media type and large bodies are problem+json', async (t) => {
  const { as } = await buildTestApp(t, { BODY_LIMIT_BYTES: '2048' })
  const admin = as('ada', ['admin'])
  const unknown = await admin({ method: 'GET', url: '/v1/nothing-here' })
  t.equal(unknown.statusCode, 404)
  t.equal(unknown.headers['content-type'], PROBLEM_JSON)
  t.match(unknown.json(), { type: '/problems/not-found', status: 404, instance: '/v1/nothing-here' })
  t.ok(unknown.json().request_id, 'problems carry the request id')
  t.equal(unknown.headers['x-request-id'], unknown.json().request_id)

  const badJson = await admin({ method: 'POST', url: '/v1/offices', headers: { 'content-type': 'application/json' }, payload: '{"code":' })
  t.equal(badJson.statusCode, 400)
  t.equal(badJson.json().type, '/problems/bad-request')

  const text = await admin({ method: 'POST', url: '/v1/offices', headers: { 'content-type': 'text/plain' }, payload: 'hello' })
  t.equal(text.statusCode, 415, text.body)
  t.equal(text.json().type, '/problems/unsupported-media-type')

  const large = await admin({ method: 'POST', url: '/v1/offices', payload: { code: 'AB', name: 'x'.repeat(4000), country: 'GE', kind: 'partner_office' } })
  t.equal(large.statusCode, 413)
  t.equal(large.json().type, '/problems/payload-too-large')

  const unknownId = await admin({ method: 'GET', url: '/v1/offices/01900000-0000-7000-8000-000000000000' })
  t.equal(unknownId.statusCode, 404)
  t.equal(unknownId.json().type, '/problems/not-found')

  const malformedId = await admin({ method: 'GET', url: '/v1/offices/not-a-uuid' })
  t.equal(malformedId.statusCode, 400)
  t.same(malformedId.json().errors, [{ pointer: '/params/id', detail: 'must match format "uuid"' }])
})

t.test('rate limits answer 429 problem+json', async (t) => {
  const { app, token, as } = await buildTestApp(t, { RATE_LIMIT_MAX: '2' })
  // One token for all three calls: the limit is per credential, and tokens signed in different seconds differ.
  const authorization = `Bearer ${token('ada', ['admin'])}`
  const admin = (options: { method: 'GET'; url: string }) => app.inject({ ...options, headers: { authorization } })
  await admin({ method: 'GET', url: '/v1/offices' })
  await admin({ method: 'GET', url: '/v1/offices' })
  const limited = await admin({ method: 'GET', url: '/v1/offices' })
  t.equal(limited.statusCode, 429)
  t.equal(limited.headers['content-type'], PROBLEM_JSON)
  t.equal(limited.json().type, '/problems/rate-limited')
  t.ok(limited.headers['retry-after'])
  t.equal((await as('other', ['admin'])({ method: 'GET', url: '/v1/offices' })).statusCode, 200, 'limits are per caller')
})

t.test('rate limits apply before authentication: floods of bad tokens and wrong roles get 429', async (t) => {
  const { app, token } = await buildTestApp(t, { RATE_LIMIT_MAX: '2' })
  const badToken = { authorization: 'Bearer not-a-token' }
  const statuses = []
  for (let call = 0; call < 3; call++) statuses.push((await app.inject({ method: 'GET', url: '/v1/offices', headers: badToken })).statusCode)
  t.same(statuses, [401, 401, 429], 'the third request with the same bad token is limited, not verified')

  const noToken = []
  for (let call = 0; call < 3; call++) noToken.push((await app.inject({ method: 'GET', url: '/v1/offices' })).statusCode)
  t.same(noToken, [401, 401, 429], 'without an Authorization header the caller is its address')

  // A role that may not create offices: refused (403) twice, then limited.
  const wrongRole = { authorization: `Bearer ${token('carol', ['counsellor'])}` }
  const forbidden = []
  for (let call = 0; call < 3; call++) {
    forbidden.push((await app.inject({ method: 'POST', url: '/v1/offices', headers: wrongRole, payload: { code: 'ZZ', name: 'Z', country: 'GE', kind: 'partner_office' } })).statusCode)
  }
  t.same(forbidden, [403, 403, 429])
  t.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200, 'the probes are never limited')
})

t.test('a 500 reveals nothing internal and is logged with the request id', async (t) => {
  const lines: string[] = []
  const stream = new Writable({ write(chunk, _encoding, done) { lines.push(chunk.toString()); done() } })
  const database = await createFreshDatabase()
  const config = loadConfig(TEST_ENV)
  const app = await buildApp({ config, db: database.db, databaseKind: database.kind, loggerInstance: pino({ level: 'error' }, stream) })
  t.teardown(async () => {
    await app.close()
    await database.dispose()
  })
  await sql`drop table offices cascade`.execute(database.db)
  const response = await app.inject({ method: 'GET', url: '/v1/offices', headers: { authorization: `Bearer ${app.jwt.sign({ sub: 'ada', roles: ['admin'] })}` } })
  t.equal(response.statusCode, 500)
  t.equal(response.headers['content-type'], PROBLEM_JSON)
  const body = response.json()
  t.equal(body.type, '/problems/internal-error')
  t.notMatch(body.detail, /offices|relation|select/i, 'no SQL or table names in the response')
  t.notMatch(response.body, /stack|\.ts:\d|node_modules/, 'no stack trace in the response')
  const logged = lines.map((line) => JSON.parse(line)).find((entry) => entry.reqId === body.request_id)
  t.ok(logged, 'the error is logged with the request id')
  t.match(logged?.err?.message ?? '', /offices/, 'the log has the detail the response hides')
})

t.test('readiness is a 503 problem when the database does not answer', async (t) => {
  const database = await freshDatabase(t)
  const { app } = await buildTestApp(t, {}, database)
  t.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200)
  // Readiness checks on the database's own health connection, so the whole database goes away.
  await database.close()
  const down = await app.inject({ method: 'GET', url: '/readyz' })
  t.equal(down.statusCode, 503)
  t.equal(down.headers['content-type'], PROBLEM_JSON)
  t.equal(down.json().type, '/problems/service-unavailable')
  t.ok(down.headers['retry-after'])
})

t.test('while the database does not answer, every request is shed with a 503 problem, logged as a warning', async (t) => {
  const lines: string[] = []
  const stream = new Writable({ write(chunk, _encoding, done) { lines.push(chunk.toString()); done() } })
  const database = await freshDatabase(t)
  const app = await buildApp({
    config: loadConfig({ ...TEST_ENV, HEALTH_CHECK_INTERVAL_MS: '100' }),
    db: database.db,
    databaseKind: database.kind,
    loggerInstance: pino({ level: 'warn' }, stream),
  })
  t.teardown(() => app.close())
  const admin = (options: { method: 'GET'; url: string }) =>
    app.inject({ ...options, headers: { authorization: `Bearer ${app.jwt.sign({ sub: 'ada', roles: ['admin'] })}` } })
  t.equal((await admin({ method: 'GET', url: '/v1/offices' })).statusCode, 200)
  await database.db.destroy()
  await new Promise((resolve) => setTimeout(resolve, 400))
  const shed = await admin({ method: 'GET', url: '/v1/offices' })
  t.equal(shed.statusCode, 503, shed.body)
  t.equal(shed.headers['content-type'], PROBLEM_JSON)
  t.equal(shed.json().type, '/problems/service-unavailable')
  t.equal(shed.headers['retry-after'], '2')
  // Shedding is the service protecting itself: a warning without a stack, not an error that pages someone.
  const logged = lines.map((line) => JSON.parse(line)).find((entry) => entry.reqId === shed.json().request_id)
  t.match(logged, { level: 40, msg: 'service unavailable', problem: '/problems/service-unavailable' })
  t.notOk(logged?.err, 'no error object or stack')
})
