import type { LightMyRequestResponse } from 'fastify'
import t, { type Test } from 'tap'
import { PROBLEM_TYPES } from '../../src/shared/problems.js'
import { buildTestApp } from '../helpers/app.js'

interface Spec {
  paths: Record<string, Record<string, { parameters?: Array<{ in: string; name: string; required?: boolean }>; responses: Record<string, { headers?: Record<string, unknown> }> }>>
}

/** Headers whose presence the spec promises or a client relies on. */
const CONVENTION_HEADERS = ['etag', 'location', 'idempotent-replayed', 'retry-after', 'x-request-id', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset']

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

t.test('rate limits are told in the IETF draft headers, sent and declared; the X-RateLimit-* ones are gone', async (t) => {
  const { app, token } = await buildTestApp(t, { RATE_LIMIT_MAX: '2' })
  const spec = app.swagger() as unknown as Spec & { components: { headers: Record<string, unknown> } }
  const authorization = `Bearer ${token('ada', ['admin'])}`
  const first = await app.inject({ method: 'GET', url: '/v1/offices', headers: { authorization } })
  t.equal(first.statusCode, 200)
  t.match(first.headers, { 'ratelimit-limit': '2', 'ratelimit-remaining': '1', 'ratelimit-reset': /^\d+$/ })
  await app.inject({ method: 'GET', url: '/v1/offices', headers: { authorization } })
  const tooMany = await app.inject({ method: 'GET', url: '/v1/offices', headers: { authorization } })
  t.equal(tooMany.statusCode, 429)
  t.match(tooMany.headers, { 'ratelimit-limit': '2', 'ratelimit-remaining': '0', 'ratelimit-reset': /^\d+$/, 'retry-after': /^\d+$/ })
  for (const response of [first, tooMany]) {
    t.notOk(Object.keys(response.headers).some((name) => name.startsWith('x-ratelimit-')), 'no X-RateLimit-* header')
  }
  const declared = (status: string) => Object.keys(spec.paths['/v1/offices']?.get?.responses[status]?.headers ?? {})
  t.same(declared('200').filter((name) => name.startsWith('RateLimit-')), ['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset'])
  t.ok(declared('429').includes('Retry-After'), 'the 429 declares Retry-After')
  t.notOk(Object.keys(spec.components.headers).some((name) => name.startsWith('X-RateLimit')), 'the spec names no X-RateLimit-* header')
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

t.test('every problem type URI resolves to a short page (HTML for a person, JSON for a program)', async (t) => {
  const { app, as } = await buildTestApp(t)
  const index = await app.inject({ method: 'GET', url: '/problems' })
  const types = index.json() as Array<{ type: string; title: string; status: number; description: string }>
  t.same(types.map((problem) => problem.type).sort(), Object.keys(PROBLEM_TYPES).map((slug) => `/problems/${slug}`).sort(), 'every type is listed')
  for (const [slug, problem] of Object.entries(PROBLEM_TYPES)) {
    const json = await app.inject({ method: 'GET', url: `/problems/${slug}`, headers: { accept: 'application/json' } })
    t.equal(json.statusCode, 200, slug)
    t.match(json.json(), { type: `/problems/${slug}`, title: problem.title, status: problem.status, description: /\w{3}/ })
    const html = await app.inject({ method: 'GET', url: `/problems/${slug}`, headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } })
    t.equal(html.headers['content-type'], 'text/html; charset=utf-8', `${slug} as HTML`)
    t.match(html.body, /^<!doctype html>/)
    t.ok(html.body.includes(`<h1>${problem.title.replace(/'/g, '&#39;')}</h1>`), `${slug}: the page names the problem`)
  }
  // A problem a client really gets resolves: follow its `type`.
  const missing = await as('ada', ['admin'])({ method: 'PATCH', url: '/v1/offices/01900000-0000-7000-8000-000000000001', payload: { name: 'x' } })
  const followed = await app.inject({ method: 'GET', url: missing.json().type })
  t.equal(followed.statusCode, 200)
  t.equal(followed.json().title, missing.json().title)
  const unknown = await app.inject({ method: 'GET', url: '/problems/no-such-problem' })
  t.equal(unknown.statusCode, 404)
  t.equal(unknown.json().type, '/problems/not-found')
  t.equal((await app.inject({ method: 'GET', url: '/problems/%3Cscript%3E' })).statusCode, 400, 'slugs are validated')
})
