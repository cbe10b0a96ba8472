import t from 'tap'
import { Cluster, faultSuiteUnavailable, freePort, postgresBinaries, sleep, startService, waitUntil } from './cluster.js'
import { checkAnswers, checkLog, checkWrites } from './checks.js'
import { createOffice, developmentToken, runWriters } from './workload.js'

// Start-up without the database, and a database away for 10 s under load.

const bin = postgresBinaries()
const PROBLEM_JSON = 'application/problem+json; charset=utf-8'

t.test('started before its database, the service waits for it, then migrates and serves; a 10 s outage under load is survived', { skip: faultSuiteUnavailable() }, async (t) => {
  if (!bin) return
  const cluster = await Cluster.create(bin)
  t.teardown(() => cluster.destroy())
  const service = startService({ DATABASE_URL: cluster.url('postgres'), DATABASE_CONNECT_TIMEOUT_S: '120', HEALTH_CHECK_INTERVAL_MS: '1000' })
  t.teardown(() => service.stop())
  const base = await service.base

  t.equal((await fetch(`${base}/healthz`)).status, 200, 'liveness is green while the database is down')
  const ready = await fetch(`${base}/readyz`)
  t.equal(ready.status, 503, 'readiness is red')
  t.equal(ready.headers.get('content-type'), PROBLEM_JSON)
  t.match(await ready.json(), { type: '/problems/service-unavailable', detail: /waiting for the database/ })
  const token = developmentToken('writer', ['counsellor', 'admin'])
  const early = await fetch(`${base}/v1/offices`, { headers: { authorization: `Bearer ${token}` } })
  t.equal(early.status, 503, 'requests are refused meanwhile')
  t.equal(early.headers.get('content-type'), PROBLEM_JSON)
  t.equal(early.headers.get('retry-after'), '2')

  await sleep(1000)
  t.ok(service.alive(), 'the service keeps waiting')
  await cluster.start()
  const readyAfter = await waitUntil('readiness once the database is up', async () => (await fetch(`${base}/readyz`)).status === 200, 30_000)
  t.comment(`ready ${readyAfter} ms after the database started`)
  t.match(service.output(), /migration/, 'the migrations ran once the database answered')
  const officeId = await createOffice(base, token, 'OUT')

  // A database away for 10 s, under 20 concurrent writers.
  const workload = runWriters({ base, token, officeId, concurrency: 20, retryPauseMs: 250 })
  await sleep(1000)
  await cluster.stop('fast')
  await sleep(10_000)
  const during = workload.result.answers.length
  await cluster.start()
  const back = Date.now()
  const recoveredAfter = await waitUntil('a write acknowledged after the outage', () => workload.result.answers.some((answer) => answer.at > back && answer.status === 201), 15_000)
  await sleep(1000)
  const result = await workload.stop()
  t.ok(service.alive(), 'the process stayed up through the outage')
  t.ok(during > 20, `requests kept being answered during the outage (${during})`)
  t.ok(recoveredAfter < 5000, `serves again within 5 s of the database (after ${recoveredAfter} ms)`)
  await checkAnswers(t, result)
  await checkWrites(t, cluster, result, 'postgres')
  await checkLog(t, service)
  t.equal((await fetch(`${base}/readyz`)).status, 200)
})

t.test('a database that never answers: the service exits after DATABASE_CONNECT_TIMEOUT_S with a clear message', { skip: faultSuiteUnavailable() }, async (t) => {
  const port = await freePort()
  const started = Date.now()
  const service = startService({ DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/avrr`, DATABASE_CONNECT_TIMEOUT_S: '3' })
  t.teardown(() => service.stop())
  const base = await service.base
  t.equal((await fetch(`${base}/healthz`)).status, 200, 'liveness answers while it waits')
  t.equal((await fetch(`${base}/readyz`)).status, 503, 'readiness does not')
  t.not(await service.exited, 0, 'then it exits with an error')
  t.ok(Date.now() - started >= 3000, 'not before the timeout')
  t.match(service.output(), /did not answer within DATABASE_CONNECT_TIMEOUT_S=3 s .*ECONNREFUSED|did not answer within DATABASE_CONNECT_TIMEOUT_S=3 s/)
  t.match(service.output(), /Check DATABASE_URL/)
})
