import fc from 'fast-check'
import { sql, type Kysely } from 'kysely'
import type { DB } from '../../src/db/schema.js'
import t from 'tap'
import type { Role } from '../../src/shared/roles.js'
import { disbursementBody, expectStatus, markArrived, planFixture, reintegrationFixture, registerSupplier, type Json } from '../reintegration/helpers.js'

// Property tests of hostile input on every write route, the deep sub-resource ones included: the
// fixture holds a case with its household, a counselling session, a project with lines, a request
// form, an approved plan with a supplier and a disbursement, so each path leads to a real resource.
// Whatever the body, the answer is never a 5xx, and a 4xx changes no row of any table.

const SAMPLE_ID = '01900000-0000-7000-8000-000000000000'
const RUNS_PER_ROUTE = Number(process.env.HOSTILE_INPUT_RUNS ?? 6)

/** Strings a database cannot store or a client should not send. */
const hostileString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.tuple(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 })).map(([a, b]) => `${a}\u0000${b}`),
  fc.tuple(fc.string({ maxLength: 10 }), fc.integer({ min: 0xd800, max: 0xdfff })).map(([a, unit]) => `${a}${String.fromCharCode(unit)}`),
  fc.constantFrom('0000-01-01', '10000-01-01', '-0001-01-01', '2026-02-30', '2026-13-01', '0000-01-01T00:00:00Z', '9999-12-31T23:59:59+18:00', '2026-12-01T25:00:00Z'),
  fc.constantFrom('100', '1e3', 'null', 'true', '', ' ', 'Ω'.repeat(3000)),
)
const hostileNumber = fc.oneof(
  fc.constantFrom(2 ** 31, -(2 ** 31) - 1, 2 ** 53, 2 ** 63, 1e300, -1, 0, 0.5, Number.MAX_SAFE_INTEGER),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.bigInt({ min: 2n ** 53n, max: 2n ** 70n }).map(Number),
)
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  { weight: 3, arbitrary: hostileNumber },
  { weight: 1, arbitrary: fc.constantFrom(null, true, [], {}, ['\u0000'], { '\u0000': 1 }) },
)

type Path = Array<string | number>

/** Every path to a leaf (or an empty container) of a JSON value. */
function leafPaths(value: unknown, prefix: Path = []): Path[] {
  if (Array.isArray(value)) return value.length === 0 ? [prefix] : value.flatMap((item, index) => leafPaths(item, [...prefix, index]))
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
    return entries.length === 0 ? [prefix] : entries.flatMap(([key, item]) => leafPaths(item, [...prefix, key]))
  }
  return [prefix]
}

function replaceAt(value: unknown, path: Path, replacement: unknown): unknown {
  if (path.length === 0) return replacement
  const [head, ...rest] = path as [string | number, ...Path]
  const copy = (Array.isArray(value) ? [...(value as unknown[])] : { ...(value as Record<string, unknown>) }) as Record<string | number, unknown>
  copy[head] = replaceAt(copy[head], rest, replacement)
  return copy
}

/** Row counts of every table, in one statement. */
async function allRowCounts(db: Kysely<DB>): Promise<string> {
  const tables = (await sql<{ name: string }>`select tablename as name from pg_tables where schemaname = current_schema() order by tablename`.execute(db)).rows
  const counts = tables.map((table) => sql`${table.name}::text || '=' || (select count(*) from ${sql.table(table.name)})`)
  const row = await sql<{ counts: string }>`select concat_ws(',', ${sql.join(counts)}) as counts`.execute(db)
  return row.rows[0]?.counts ?? ''
}

t.test('hostile values in any field of any write never get a 5xx, and a 4xx writes nothing', async (t) => {
  const f = await reintegrationFixture(t)
  const { caseId, requestId, planId } = await planFixture(f)
  const caseRecord = await expectStatus(await f.counsellor({ method: 'GET', url: `/v1/return-cases/${caseId}` }), 200, 'read case')
  const memberId = (caseRecord.members as Json[])[0]?.id as string
  await markArrived(f, caseId)
  const supplier = await registerSupplier(f.partnerTbilisi)
  const disbursement = await expectStatus(
    await f.counsellor({ method: 'POST', url: `/v1/return-cases/${caseId}/reintegration-plans/${planId}/disbursements`, payload: disbursementBody(supplier.id) }),
    201,
    'disbursement',
  )
  const session = await f.counsellor({ method: 'POST', url: `/v1/return-cases/${caseId}/counselling-sessions`, payload: { held_on: '2026-11-20', mode: 'in_person', topics: ['return_options'], outcome: 'Informed' } })
  const sessionId = session.statusCode === 201 ? (session.json().id as string) : SAMPLE_ID
  const vulnerability = await f.counsellor({ method: 'POST', url: `/v1/return-cases/${caseId}/members/${memberId}/vulnerabilities`, payload: { code: 'medical_condition' } })
  const vulnerabilityId = vulnerability.statusCode === 201 ? (vulnerability.json().id as string) : SAMPLE_ID

  const idsByParameter: Record<string, string> = {
    member_id: memberId,
    vulnerability_id: vulnerabilityId,
    session_id: sessionId,
    line_id: f.inKindLineId,
    request_id: requestId,
    plan_id: planId,
    disbursement_id: disbursement.id as string,
  }
  const idsByCollection: Record<string, string> = {
    offices: f.offices.vilnius,
    'return-cases': caseId,
    projects: f.projectId,
    suppliers: supplier.id as string,
  }
  /** A concrete URL for a route pattern, every parameter naming a resource of the fixture where there is one. */
  const concreteUrl = (pattern: string) =>
    pattern
      .replace(/\/v1\/([a-z-]+)\/:id(\([^)]*\))?/, (_match, collection: string) => `/v1/${collection}/${idsByCollection[collection] ?? SAMPLE_ID}`)
      .replace(/(?<!:):([a-z_]+)(\([^)]*\))?/g, (_match, name: string) => idsByParameter[name] ?? SAMPLE_ID)
      .replace(/::/g, ':')
  /** Example bodies name placeholder ids; the fixture's ids make them reach the resource. */
  const withFixtureIds = (body: unknown): unknown =>
    JSON.parse(
      JSON.stringify(body ?? {}, (key, value: unknown) => {
        if (typeof value !== 'string' || !/^[0-9a-f]{8}-[0-9a-f]{4}-/.test(value)) return value
        if (key === 'office_id') return f.offices.vilnius
        if (key === 'project_id') return f.projectId
        if (key === 'supplier_id') return supplier.id
        if (key === 'member_id' || key === 'members') return memberId
        if (key.includes('line_id')) return f.inKindLineId
        return value
      }),
    )

  type SchemaWithExamples = { examples?: unknown[]; $ref?: string }
  const spec = f.app.swagger() as {
    paths: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: SchemaWithExamples; examples?: Record<string, { value?: unknown }> }> } }>>
    components?: { schemas?: Record<string, SchemaWithExamples> }
  }
  /** The operation's request example from the spec (the valid body the mutations start from). */
  const examples = (method: string, pattern: string): unknown => {
    const path = pattern.replace(/(?<!:):([a-z_]+)(\([^)]*\))?/g, '{$1}').replace(/::/g, ':')
    const content = spec.paths[path]?.[method.toLowerCase()]?.requestBody?.content?.['application/json']
    const schema = content?.schema?.$ref ? spec.components?.schemas?.[content.schema.$ref.split('/').at(-1) as string] : content?.schema
    return Object.values(content?.examples ?? {})[0]?.value ?? schema?.examples?.[0] ?? {}
  }

  const writes = f.app.routeCatalog.filter((route) => ['POST', 'PUT', 'PATCH'].includes(route.method))
  t.ok(writes.length > 50, `every write route is tried (${writes.length})`)
  const seen: Record<string, number> = {}
  const byRoute: string[] = []
  for (const route of writes) {
    const roles = route.roles.filter((role) => role !== 'partner') as Role[]
    const caller = roles.length > 0 ? f.as(`fuzz-${route.method}`, roles) : f.partnerTbilisi
    const url = concreteUrl(route.url)
    const base = withFixtureIds(examples(route.method, route.url))
    const paths = leafPaths(base)
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...paths), hostileValue, async (path, value) => {
        const body = replaceAt(base, path, value)
        const before = await allRowCounts(f.db)
        const response = await caller({
          method: route.method as 'POST',
          url,
          headers: { 'content-type': 'application/json', 'if-match': '"1"' },
          payload: JSON.stringify(body),
        })
        seen[response.statusCode] = (seen[response.statusCode] ?? 0) + 1
        if (process.env.HOSTILE_INPUT_DEBUG) byRoute.push(`${route.method} ${url} ${paths.length} ${response.statusCode} ${response.body.slice(0, 160)}`)
        if (response.statusCode >= 500) throw new Error(`${route.method} ${route.url} answered ${response.statusCode}: ${response.body}\nbody: ${JSON.stringify(body)}`)
        if (response.statusCode >= 400) {
          if (!(response.headers['content-type'] ?? '').toString().startsWith('application/problem+json')) throw new Error(`${route.method} ${route.url}: a ${response.statusCode} that is not problem+json`)
          const after = await allRowCounts(f.db)
          if (after !== before) throw new Error(`${route.method} ${route.url} answered ${response.statusCode} but wrote rows\nbody: ${JSON.stringify(body)}`)
        }
      }),
      { numRuns: RUNS_PER_ROUTE, seed: Number(process.env.HOSTILE_INPUT_SEED ?? 20261202) },
    )
  }
  t.comment(`answers: ${JSON.stringify(seen)}`)
  if (process.env.HOSTILE_INPUT_DEBUG) t.comment(byRoute.join('\n'))
  t.ok(Object.keys(seen).some((status) => status.startsWith('2')), 'some hostile-looking values are valid and accepted')
})

t.test('typed bodies: a number sent as a string is refused (no coercion); query strings still coerce', async (t) => {
  const f = await reintegrationFixture(t)
  const { caseId, planId } = await planFixture(f)
  const supplier = await registerSupplier(f.partnerTbilisi)
  const before = await allRowCounts(f.db)
  const coerced = await f.counsellor({
    method: 'POST',
    url: `/v1/return-cases/${caseId}/reintegration-plans/${planId}/disbursements`,
    payload: disbursementBody(supplier.id, { items: [{ description: 'Mixer', quantity: 1, unit_price: { amount_minor: '100', currency: 'EUR' } }] }),
  })
  t.equal(coerced.statusCode, 400, coerced.body)
  t.match(coerced.json().errors, [{ pointer: /amount_minor/, detail: 'must be integer' }])
  t.equal(await allRowCounts(f.db), before, 'nothing written')
  t.equal((await f.admin({ method: 'GET', url: '/v1/offices?limit=2' })).statusCode, 200, '?limit=2 is still read as a number')
})

t.test('NUL and year 0000 anywhere, bodies and query strings alike, are 400 problems naming the field', async (t) => {
  const f = await reintegrationFixture(t)
  const before = await allRowCounts(f.db)
  const cases: Array<[string, { method: 'GET' | 'POST'; url: string; payload?: string | Record<string, unknown> }, RegExp]> = [
    ['office name', { method: 'POST', url: '/v1/offices', payload: { code: 'NUL', name: 'a\u0000b', country: 'GE', kind: 'partner_office' } }, /^\/body\/name$/],
    ['query filter', { method: 'GET', url: '/v1/audit-events?actor=a%00b' }, /^\/query\/actor$/],
    ['departure date', { method: 'POST', url: '/v1/return-cases', payload: { office_id: f.offices.vilnius, legal_status: 'irregular_stay', referral_source: 'self', country_of_return: 'GE', intended_departure_on: '0000-01-01' } }, /^\/body\/intended_departure_on$/],
    ['lone surrogate', { method: 'POST', url: '/v1/return-cases', payload: `{"office_id":"${f.offices.vilnius}","legal_status":"irregular_stay","referral_source":"self","country_of_return":"GE","notes":"\\udc00"}` }, /^\/body\/notes$/],
    ['integer beyond 2^53', { method: 'POST', url: '/v1/return-cases', payload: `{"office_id":"${f.offices.vilnius}","legal_status":"irregular_stay","referral_source":"self","country_of_return":"GE","notes":"x","members":[{"relationship":"principal","given_name":"A","family_name":"B","sex":"male","birth_year":99999999999999999999,"nationality":"GE"}]}` }, /^\/body\/members\/0\/birth_year$/],
  ]
  for (const [what, request, pointer] of cases) {
    const response = await f.admin({ ...request, headers: { 'content-type': 'application/json' } })
    t.equal(response.statusCode, 400, `${what}: ${response.body}`)
    t.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8')
    t.match(response.json().errors?.map((error: { pointer: string }) => error.pointer), [pointer], `${what}: the field is named`)
  }
  t.equal(await allRowCounts(f.db), before, 'nothing written')
})

/** Percent-encoded UTF-8; a lone surrogate (which has no UTF-8) as the bytes a careless encoder would send for it. */
function percentEncoded(value: string): string {
  return [...value].map((char) => (/^[\uD800-\uDFFF]$/.test(char) ? '%ED%A0%80' : encodeURIComponent(char))).join('')
}

t.test('hostile query values (filters, dates, cursors, limits) on every list never get a 5xx', async (t) => {
  const f = await reintegrationFixture(t)
  const { caseId } = await planFixture(f)
  type Parameter = { name: string; in: string }
  const spec = f.app.swagger() as { paths: Record<string, Record<string, { parameters?: Parameter[] }>> }
  const lists = f.app.routeCatalog.filter((route) => route.method === 'GET' && !/:(?!:)/.test(route.url.replace(/::/g, '')))
  const nested = f.app.routeCatalog.filter((route) => route.method === 'GET' && /^\/v1\/return-cases\/:id(\([^)]*\))?\/[a-z-]+$/.test(route.url))
  const hostileQueryValue = fc.oneof(
    hostileString,
    hostileNumber.map(String),
    fc.base64String({ maxLength: 60 }),
    fc.constantFrom('eyJpZCI6IjEifQ', 'eyJ0IjoiMDAwMC0wMS0wMSIsImlkIjoiYSJ9', '%00', '-1', '0', '101', '1e9'),
  )
  let tried = 0
  for (const route of [...lists, ...nested]) {
    const path = route.url.replace(/(?<!:):([a-z_]+)(\([^)]*\))?/g, '{$1}').replace(/::/g, ':')
    const names = (spec.paths[path]?.get?.parameters ?? []).filter((parameter) => parameter.in === 'query').map((parameter) => parameter.name)
    if (names.length === 0) continue
    const url = route.url.replace(/(?<!:):id(\([^)]*\))?/, caseId)
    const caller = f.as('fuzz-reader', route.roles.filter((role) => role !== 'partner') as Role[])
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...names), hostileQueryValue, async (name, value) => {
        tried += 1
        const response = await caller({ method: 'GET', url: `${url}?${encodeURIComponent(name)}=${percentEncoded(value)}` })
        if (response.statusCode >= 500) throw new Error(`GET ${url}?${name}=${JSON.stringify(value)} answered ${response.statusCode}: ${response.body}`)
      }),
      { numRuns: RUNS_PER_ROUTE * 2, seed: Number(process.env.HOSTILE_INPUT_SEED ?? 20261202) },
    )
  }
  t.ok(tried > 50, `query values tried on the lists (${tried})`)
})
