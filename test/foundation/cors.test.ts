import t from 'tap'
import { ConfigError, loadConfig } from '../../src/config.js'
import { buildTestApp } from '../helpers/app.js'

const PARTNER_TOOL = 'https://partner-tool.example.org'
const OTHER_TOOL = 'http://127.0.0.1:5173'
const preflight = (origin: string, method = 'PATCH') => ({
  method: 'OPTIONS' as const,
  url: '/v1/offices/01900000-0000-7000-8000-000000000001',
  headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'authorization,if-match,idempotency-key,content-type' },
})

t.test('CORS: no origin is allowed by default, so a browser on another site cannot read a response', async (t) => {
  const { app, as } = await buildTestApp(t)
  const response = await app.inject(preflight(PARTNER_TOOL))
  t.notOk(response.headers['access-control-allow-origin'], 'the preflight allows no origin')
  const read = await as('ada', ['admin'])({ method: 'GET', url: '/v1/offices', headers: { origin: PARTNER_TOOL } })
  t.equal(read.statusCode, 200)
  t.notOk(read.headers['access-control-allow-origin'], 'a response carries no CORS headers')
})

t.test('CORS: a configured origin passes the preflight and reads responses; any other is refused', async (t) => {
  const { app, as } = await buildTestApp(t, { CORS_ORIGINS: ` ${PARTNER_TOOL}, ${OTHER_TOOL} ` })
  const allowed = await app.inject(preflight(PARTNER_TOOL))
  t.equal(allowed.statusCode, 204)
  t.equal(allowed.headers['access-control-allow-origin'], PARTNER_TOOL)
  t.match(allowed.headers['access-control-allow-methods'], /PATCH/)
  t.match(allowed.headers['access-control-allow-headers'], /if-match/, 'If-Match may be sent')
  t.match(allowed.headers['access-control-allow-headers'], /idempotency-key/, 'Idempotency-Key may be sent')
  t.equal(allowed.headers['access-control-max-age'], '600')
  t.notOk(allowed.headers['access-control-allow-credentials'], 'no cookies: tokens are sent explicitly')
  t.equal((await app.inject(preflight(OTHER_TOOL, 'POST'))).headers['access-control-allow-origin'], OTHER_TOOL, 'every listed origin is allowed')

  const refused = await app.inject(preflight('https://elsewhere.example.com'))
  t.notOk(refused.headers['access-control-allow-origin'], 'an origin not listed is not allowed')
  t.notOk((await app.inject(preflight(`${PARTNER_TOOL}.evil.example`))).headers['access-control-allow-origin'], 'origins match exactly, not by prefix')

  const read = await as('ada', ['admin'])({ method: 'POST', url: '/v1/offices', headers: { origin: PARTNER_TOOL }, payload: { code: 'TBS', name: 'IOM Tbilisi', country: 'GE', kind: 'partner_office' } })
  t.equal(read.statusCode, 201)
  t.equal(read.headers['access-control-allow-origin'], PARTNER_TOOL)
  t.match(read.headers['access-control-expose-headers'], /etag/, 'the tool can read the ETag it needs for If-Match')
  t.match(read.headers['access-control-expose-headers'], /location/)
  t.match(read.headers['access-control-expose-headers'], /(^|, )ratelimit-limit, ratelimit-remaining, ratelimit-reset(, |$)/, 'the tool can read the rate-limit headers the service sends')
  const unauthenticated = await app.inject({ method: 'GET', url: '/v1/offices', headers: { origin: PARTNER_TOOL } })
  t.equal(unauthenticated.statusCode, 401)
  t.equal(unauthenticated.headers['access-control-allow-origin'], PARTNER_TOOL, 'the tool can read the problem of a refused call')
})

t.test('CORS_ORIGINS takes origins only: scheme, host and port', async (t) => {
  for (const value of ['partner-tool.example.org', 'https://partner-tool.example.org/app', '*', 'https://a.example.org;https://b.example.org']) {
    t.throws(() => loadConfig({ CORS_ORIGINS: value }), ConfigError, `${value} is refused`)
  }
  t.doesNotThrow(() => loadConfig({ CORS_ORIGINS: 'https://a.example.org,http://localhost:8080' }))
})
