import t from 'tap'
import { buildTestApp } from '../helpers/app.js'
import { createProjectWithLines, EUR } from '../projects/fixtures.js'

const METRICS_TOKEN = 'scraper-token-0123456789'
const scrape = { method: 'GET' as const, url: '/metrics', headers: { authorization: `Bearer ${METRICS_TOKEN}` } }

/** The value of one series in Prometheus text (0 when absent). */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `))
  return line ? Number(line.slice(series.length + 1)) : 0
}

t.test('without METRICS_TOKEN there is no /metrics', async (t) => {
  const { app } = await buildTestApp(t)
  const response = await app.inject({ method: 'GET', url: '/metrics' })
  t.equal(response.statusCode, 404)
  t.equal(response.json().type, '/problems/not-found')
})

t.test('/metrics needs METRICS_TOKEN and is not in the spec', async (t) => {
  const { app, token } = await buildTestApp(t, { METRICS_TOKEN })
  t.equal((await app.inject({ method: 'GET', url: '/metrics' })).statusCode, 401)
  t.equal((await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer wrong' } })).statusCode, 401)
  const userToken = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${token('ada', ['admin'])}` } })
  t.equal(userToken.statusCode, 401, 'an API token is not the scraper token')
  const response = await app.inject(scrape)
  t.equal(response.statusCode, 200)
  t.match(response.headers['content-type'], /^text\/plain; version=0\.0\.4/)
  t.notOk((app.swagger() as { paths: Record<string, unknown> }).paths['/metrics'], 'operators\' endpoint, not part of the API')
})

t.test('requests are counted and timed per route pattern, never per raw id; problems by type; process and pool metrics', async (t) => {
  const { app, as, database } = await buildTestApp(t, { METRICS_TOKEN })
  const admin = as('ada', ['admin'])
  const unknownId = '01900000-0000-7000-8000-00000000abcd'
  const before = (await app.inject(scrape)).body
  const series404 = 'http_requests_total{method="GET",route="/v1/offices/:id",status_code="404"}'
  await admin({ method: 'GET', url: `/v1/offices/${unknownId}` })
  await admin({ method: 'GET', url: `/v1/offices/${unknownId}` })
  await admin({ method: 'GET', url: '/v1/offices' })
  await admin({ method: 'GET', url: `/v1/no-such-route/${unknownId}` })
  const text = (await app.inject(scrape)).body

  t.equal(sample(text, series404) - sample(before, series404), 2)
  t.ok(sample(text, 'http_requests_total{method="GET",route="/v1/offices",status_code="200"}') >= 1)
  t.ok(sample(text, 'http_request_duration_seconds_count{method="GET",route="/v1/offices",status_code="200"}') >= 1, 'latency histogram')
  t.ok(sample(text, 'http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/v1/offices/:id",status_code="404"}') >= 2)
  t.ok(sample(text, 'http_problems_total{method="GET",route="/v1/offices/:id",status_code="404",type="/problems/not-found"}') >= 2, 'errors per route and type')
  t.ok(sample(text, 'http_requests_total{method="GET",route="unmatched",status_code="404"}') >= 1, 'unknown URLs share one series')
  t.notMatch(text, unknownId, 'no raw id in any label')
  t.match(text, /nodejs_eventloop_lag_p99_seconds \d/, 'event-loop delay')
  if (database.kind === 'postgres') {
    t.ok(sample(text, 'db_pool_connections{state="max"}') >= 10, 'pool size')
    t.match(text, /db_pool_connections\{state="in_use"\} \d/)
    t.match(text, /db_pool_waiting_requests \d/)
    t.ok(sample(text, 'db_pool_acquire_seconds_count') >= 1, 'pool waits are timed')
  }
})

t.test('idempotency replays and ledger refusals are counted', async (t) => {
  const { app, as } = await buildTestApp(t, { METRICS_TOKEN })
  const finance = as('fiona', ['finance'])
  const project = await createProjectWithLines(finance, { Tickets: ['travel', 1_000] })
  const lineId = project.lines.Tickets!.id
  const url = `/v1/projects/${project.id}/budget-lines/${lineId}/ledger-entries`
  const before = (await app.inject(scrape)).body

  const write = { method: 'POST' as const, url, headers: { 'idempotency-key': 'metrics-commit-1' }, payload: { kind: 'commit', amount: EUR(600), note: 'Interpretation' } }
  t.equal((await finance(write)).statusCode, 201)
  const replay = await finance(write)
  t.equal(replay.headers['idempotent-replayed'], 'true')
  t.equal((await finance({ method: 'POST', url, payload: { kind: 'commit', amount: EUR(401), note: 'Too much' } })).statusCode, 409)
  t.equal((await finance({ method: 'POST', url, payload: { kind: 'commit', amount: { amount_minor: 5, currency: 'USD' }, note: 'Dollars' } })).statusCode, 422)
  const after = (await app.inject(scrape)).body

  const delta = (series: string) => sample(after, series) - sample(before, series)
  t.equal(delta('avrr_idempotency_replays_total'), 1, 'the replay, not the first write')
  t.equal(delta('avrr_ledger_refusals_total{reason="budget-line-exhausted"}'), 1)
  t.equal(delta('avrr_ledger_refusals_total{reason="currency-mismatch"}'), 1)
})
