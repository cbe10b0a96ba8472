import type { LightMyRequestResponse } from 'fastify'
import t, { type Test } from 'tap'
import { buildTestApp } from '../helpers/app.js'

interface Spec {
  paths: Record<string, Record<string, { parameters?: Array<{ in: string; name: string; required?: boolean }>; responses: Record<string, { headers?: Record<string, unknown> }> }>>
}

/** Headers whose presence the spec promises or a client relies on. */
const CONVENTION_HEADERS = ['etag', 'location', 'idempotent-replayed', 'retry-after', 'x-request-id', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset']

/** The headers the spec declares for an operation's response are the convention headers the response carries. */
function checkHeaders(t: Test, spec: Spec, method: string, path: string, response: LightMyRequestResponse, also: string[] = []): void {
  const declared = Object.keys(spec.paths[path]?.[method]?.responses[String(response.statusCode)]?.headers ?? {}).map((name) => name.toLowerCase())
  const sent = CONVENTION_HEADERS.filter((name) => response.headers[name] !== undefined)
  // Idempotent-Replayed is declared on every 2xx of an idempotent write but sent only on a replay.
  const expected = declared.filter((name) => name !== 'idempotent-replayed' || also.includes(name))
  t.same([...sent].sort(), [...expected].sort(), `${method.toUpperCase()} ${path} ${response.statusCode}: sent ${sent.join(', ')}; declared ${declared.join(', ')}`)
}

t.test('the headers the spec declares are the headers the service sends', async (t) => {
  const { app, as, token } = await buildTestApp(t)
  const spec = app.swagger() as unknown as Spec
  const admin = as('ada', ['admin'])

  const createBody = { code: 'VNO', name: 'IOM Vilnius', country: 'LT', kind: 'country_office' }
  const created = await admin({ method: 'POST', url: '/v1/offices', headers: { 'idempotency-key': 'spec-contract-1' }, payload: createBody })
  t.equal(created.statusCode, 201)
  checkHeaders(t, spec, 'post', '/v1/offices', created)
  const replayed = await admin({ method: 'POST', url: '/v1/offices', headers: { 'idempotency-key': 'spec-contract-1' }, payload: createBody })
  t.equal(replayed.headers['idempotent-replayed'], 'true')
  checkHeaders(t, spec, 'post', '/v1/offices', replayed, ['idempotent-replayed'])

  const id = created.json().id as string
  const read = await admin({ method: 'GET', url: `/v1/offices/${id}` })
  checkHeaders(t, spec, 'get', '/v1/offices/{id}', read)
  const list = await admin({ method: 'GET', url: '/v1/offices' })
  checkHeaders(t, spec, 'get', '/v1/offices', list)
  t.notOk(list.headers.etag, 'a list has no version')

  const withoutIfMatch = await admin({ method: 'PATCH', url: `/v1/offices/${id}`, payload: { name: 'IOM Lithuania' } })
  t.equal(withoutIfMatch.statusCode, 428)
  checkHeaders(t, spec, 'patch', '/v1/offices/{id}', withoutIfMatch)
  const updated = await admin({ method: 'PATCH', url: `/v1/offices/${id}`, headers: { 'if-match': read.headers.etag as string }, payload: { name: 'IOM Lithuania' } })
  t.equal(updated.statusCode, 200)
  checkHeaders(t, spec, 'patch', '/v1/offices/{id}', updated)

  const unauthenticated = await app.inject({ method: 'GET', url: `/v1/offices/${id}` })
  t.equal(unauthenticated.statusCode, 401)
  checkHeaders(t, spec, 'get', '/v1/offices/{id}', unauthenticated)
  const health = await app.inject({ method: 'GET', url: '/healthz' })
  checkHeaders(t, spec, 'get', '/healthz', health)

  const limited = await buildTestApp(t, { RATE_LIMIT_MAX: '1' })
  const authorization = `Bearer ${token('ada', ['admin'])}`
  await limited.app.inject({ method: 'GET', url: '/v1/offices', headers: { authorization } })
  const tooMany = await limited.app.inject({ method: 'GET', url: '/v1/offices', headers: { authorization } })
  t.equal(tooMany.statusCode, 429)
  checkHeaders(t, spec, 'get', '/v1/offices', tooMany)
})

t.test('If-Match is required in the spec exactly where the service answers 428 without it', async (t) => {
  const { app } = await buildTestApp(t)
  const spec = app.swagger() as unknown as Spec
  let checked = 0
  for (const [path, operations] of Object.entries(spec.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const ifMatch = operation.parameters?.find((parameter) => parameter.in === 'header' && parameter.name === 'if-match')
      if ('428' in operation.responses) {
        checked += 1
        t.equal(ifMatch?.required, true, `${method.toUpperCase()} ${path} answers 428, so If-Match is required`)
      } else if (ifMatch) {
        t.notOk(ifMatch.required, `${method.toUpperCase()} ${path} never answers 428, so If-Match stays optional`)
      }
    }
  }
  t.ok(checked > 10, `${checked} operations require If-Match`)
})
