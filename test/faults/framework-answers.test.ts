import { connect } from 'node:net'
import pg from 'pg'
import t from 'tap'
import { buildTestApp } from '../helpers/app.js'
import { sleep } from './cluster.js'

// What the framework and Node answer on their own (405, 414, 431, 503 during shutdown) is
// problem+json like everything else, over real HTTP; and a cold start does not shed.

const PROBLEM_JSON = 'application/problem+json; charset=utf-8'

async function listen(t: Parameters<typeof buildTestApp>[0], env: Record<string, string> = {}) {
  const testApp = await buildTestApp(t, env)
  const base = await testApp.app.listen({ host: '127.0.0.1', port: 0 })
  return { ...testApp, base, authorization: `Bearer ${testApp.token('ada', ['admin'])}` }
}

/** Writes raw HTTP on one connection and collects everything the server sends back until it closes. */
function rawExchange(base: string, requests: string): { sendMore(text: string): void; done: Promise<string> } {
  const url = new URL(base)
  const socket = connect(Number(url.port), url.hostname)
  let received = ''
  socket.on('data', (chunk) => (received += chunk.toString()))
  socket.write(requests)
  return {
    sendMore: (text) => socket.write(text),
    done: new Promise((resolve) => {
      socket.on('close', () => resolve(received))
      socket.on('error', () => resolve(received))
    }),
  }
}

t.test('405, 414 and 431 are problem+json over real HTTP', async (t) => {
  const { base, authorization } = await listen(t)
  const notAllowed = await fetch(`${base}/v1/offices`, { method: 'DELETE', headers: { authorization } })
  t.equal(notAllowed.status, 405)
  t.equal(notAllowed.headers.get('content-type'), PROBLEM_JSON)
  t.equal(notAllowed.headers.get('allow'), 'GET, POST, HEAD')
  t.equal(((await notAllowed.json()) as { type: string }).type, '/problems/method-not-allowed')

  const longUrl = await fetch(`${base}/v1/offices?country=${'x'.repeat(9000)}`, { headers: { authorization } })
  t.equal(longUrl.status, 414)
  t.equal(longUrl.headers.get('content-type'), PROBLEM_JSON)
  t.equal(((await longUrl.json()) as { type: string }).type, '/problems/uri-too-long')

  const longSegment = await fetch(`${base}/v1/offices/${'a'.repeat(500)}`, { headers: { authorization } })
  t.equal(longSegment.status, 414)
  t.equal(longSegment.headers.get('content-type'), PROBLEM_JSON)

  const largeHeaders = await rawExchange(base, `GET /v1/offices HTTP/1.1\r\nHost: x\r\nX-Padding: ${'a'.repeat(20_000)}\r\n\r\n`).done
  t.match(largeHeaders, /^HTTP\/1\.1 431 /)
  t.match(largeHeaders, /content-type: application\/problem\+json/i)
  t.match(JSON.parse(largeHeaders.slice(largeHeaders.indexOf('\r\n\r\n') + 4)), { type: '/problems/headers-too-large', status: 431 })

  const malformed = await rawExchange(base, 'NOT HTTP AT ALL\r\n\r\n').done
  t.match(malformed, /^HTTP\/1\.1 400 /)
  t.match(malformed, /problems\/bad-request/)
})

t.test('a request arriving during shutdown gets a 503 problem; the one in flight completes', { skip: process.env.DATABASE_URL ? undefined : 'holds a row lock from another session: needs a PostgreSQL server (DATABASE_URL)' }, async (t) => {
  const { app, base, authorization, as, database } = await listen(t)
  const office = (await as('ada', ['admin'])({ method: 'POST', url: '/v1/offices', payload: { code: 'SHT', name: 'Shutdown', country: 'LT', kind: 'country_office' } })).json()
  const locker = new pg.Client({ connectionString: database.url })
  await locker.connect()
  t.teardown(() => locker.end())
  await locker.query('begin')
  await locker.query('select 1 from offices where id = $1 for update', [office.id])
  const body = JSON.stringify({ name: 'Renamed' })
  // On one keep-alive connection: the first request waits on the lock; the second arrives once shutdown has begun.
  const exchange = rawExchange(
    base,
    `PATCH /v1/offices/${office.id} HTTP/1.1\r\nHost: x\r\nAuthorization: ${authorization}\r\nIf-Match: "1"\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  )
  await sleep(300)
  const closed = app.close()
  await sleep(100)
  exchange.sendMore(`GET /v1/offices HTTP/1.1\r\nHost: x\r\nAuthorization: ${authorization}\r\n\r\n`)
  await sleep(300)
  await locker.query('rollback')
  const received = await exchange.done
  await closed
  const statuses = [...received.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((match) => Number(match[1]))
  t.same(statuses, [200, 503], 'the request in flight completes; the one after it is refused')
  t.match(received.slice(received.lastIndexOf('HTTP/1.1 503')), /content-type: application\/problem\+json[\s\S]*\/problems\/service-unavailable/i)
})

t.test('a cold start sheds nothing for the event-loop delay of start-up work', async (t) => {
  const { base, authorization } = await listen(t, { MAX_EVENT_LOOP_DELAY_MS: '200' })
  const blockLoop = (ms: number) => {
    const until = Date.now() + ms
    while (Date.now() < until);
  }
  // Work that blocks the loop right after start (like the last schema compilations and the first requests' JIT).
  blockLoop(1500)
  const first = await fetch(`${base}/v1/offices`, { headers: { authorization } })
  t.equal(first.status, 200, 'the first request after start is served')
  t.equal((await fetch(`${base}/readyz`)).status, 200, 'and readiness is green')
})
