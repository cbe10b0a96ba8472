import t from 'tap'
import { ROLES, type Role } from '../../src/shared/roles.js'
import { buildTestApp } from '../helpers/app.js'

const SAMPLE_ID = '01900000-0000-7000-8000-000000000000'

/** A concrete URL for a route pattern: every parameter becomes a well-formed id. */
function concreteUrl(pattern: string): string {
  return pattern.replace(/(?<!:):([a-z_]+)(\([^)]*\))?/g, SAMPLE_ID).replace(/::/g, ':')
}

t.test('every route lets exactly its declared roles through', async (t) => {
  const { app, token } = await buildTestApp(t)
  t.ok(app.routeCatalog.length >= 5, 'the catalog holds the application routes')
  for (const route of app.routeCatalog) {
    const url = concreteUrl(route.url)
    const payload = ['POST', 'PUT', 'PATCH'].includes(route.method) ? {} : undefined
    const anonymous = await app.inject({ method: route.method as 'GET', url, payload })
    t.equal(anonymous.statusCode, 401, `${route.method} ${route.url} without a token is 401`)
    for (const role of ROLES) {
      const response = await app.inject({
        method: route.method as 'GET',
        url,
        payload,
        headers: { authorization: `Bearer ${token(`user-${role}`, [role as Role], role === 'partner' ? SAMPLE_ID : undefined)}` },
      })
      const refusedForRole = response.statusCode === 403 && response.json().type === '/problems/forbidden'
      if (route.roles.includes(role)) {
        t.notOk(refusedForRole || response.statusCode === 401, `${role} may call ${route.method} ${route.url} (got ${response.statusCode})`)
      } else {
        t.ok(refusedForRole, `${role} may not call ${route.method} ${route.url} (got ${response.statusCode})`)
      }
    }
  }
})

t.test('the spec documents each route\'s roles and security requirement', async (t) => {
  const { app } = await buildTestApp(t)
  const spec = app.swagger() as { paths: Record<string, Record<string, { description?: string; security?: unknown[] }>> }
  for (const route of app.routeCatalog) {
    const path = route.url.replace(/(?<!:):([a-z_]+)(\([^)]*\))?/g, '{$1}').replace(/::/g, ':')
    const operation = spec.paths[path]?.[route.method.toLowerCase()]
    t.ok(operation, `${route.method} ${path} is in the spec`)
    t.same(operation?.security, [{ bearerAuth: [] }], `${route.method} ${path} requires a bearer token`)
    for (const role of route.roles) t.match(operation?.description ?? '', `\`${role}\``, `${route.method} ${path} names role ${role}`)
  }
})

t.test('tokens: a partner needs an office, unknown roles grant nothing, tampered or expired tokens are 401', async (t) => {
  const { app, token } = await buildTestApp(t)
  const partnerWithoutOffice = await app.inject({ method: 'GET', url: '/v1/offices', headers: { authorization: `Bearer ${token('p', ['partner'])}` } })
  t.equal(partnerWithoutOffice.statusCode, 403)
  const unknownRole = await app.inject({ method: 'GET', url: '/v1/offices', headers: { authorization: `Bearer ${app.jwt.sign({ sub: 'x', roles: ['superuser'] })}` } })
  t.equal(unknownRole.statusCode, 403)
  const valid = token('ada', ['admin'])
  const tampered = valid.slice(0, -3) + (valid.endsWith('AAA') ? 'BBB' : 'AAA')
  const forged = await app.inject({ method: 'GET', url: '/v1/offices', headers: { authorization: `Bearer ${tampered}` } })
  t.equal(forged.statusCode, 401)
  t.equal(forged.json().type, '/problems/unauthenticated')
  const expired = app.jwt.sign({ sub: 'ada', roles: ['admin'] }, { expiresIn: -10 })
  t.equal((await app.inject({ method: 'GET', url: '/v1/offices', headers: { authorization: `Bearer ${expired}` } })).statusCode, 401)
  const wrongIssuer = app.jwt.sign({ sub: 'ada', roles: ['admin'] }, { iss: 'someone-else' })
  t.equal((await app.inject({ method: 'GET', url: '/v1/offices', headers: { authorization: `Bearer ${wrongIssuer}` } })).statusCode, 401)
  const noSubject = app.jwt.sign({ roles: ['admin'] } as never)
  t.equal((await app.inject({ method: 'GET', url: '/v1/offices', headers: { authorization: `Bearer ${noSubject}` } })).statusCode, 401)
})

t.test('health and docs need no token', async (t) => {
  const { app } = await buildTestApp(t)
  t.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200)
  const ready = await app.inject({ method: 'GET', url: '/readyz' })
  t.equal(ready.statusCode, 200)
  t.equal(ready.json().status, 'ok')
  const docs = await app.inject({ method: 'GET', url: '/docs/' })
  t.equal(docs.statusCode, 200)
  t.match(docs.headers['content-type'], /html/)
  t.equal((await app.inject({ method: 'GET', url: '/docs/json' })).statusCode, 200)
})
