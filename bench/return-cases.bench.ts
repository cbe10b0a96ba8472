import { readFileSync } from 'node:fs'
import { sql } from 'kysely'
import { createSigner } from 'fast-jwt'
import { DEVELOPMENT_JWT_SECRET } from '../src/config.js'
import type { Database } from '../src/db/database.js'
import { createOffice } from '../src/modules/offices/service.js'
import { caseWithMembersQuery } from '../src/modules/return-cases/repository.js'
import type { RequestContext } from '../src/shared/context.js'
import type { Benchmark } from './lib/benchmark.js'
import { benchDatabase } from './lib/database.js'
import { runLoad, type LoadResult } from './lib/load.js'
import { runOpenLoop } from './lib/open-loop.js'
import { runPgbench } from './lib/pgbench.js'
import { startServer, type RunningServer } from './lib/server.js'
import { formatSpread, ratio, spread, type Spread } from './lib/stats.js'

/**
 * Return cases through the API against raw pgbench of the same SQL, on a database holding
 * CASES cases (four people each):
 *
 * - create: POST /v1/return-cases with a principal and three members and a fresh Idempotency-Key
 *   per request, against pgbench of the same transaction (idempotency claim, office check, case
 *   number, case, members, search terms, history, audit, outbox, duplicate check, stored response);
 * - get: GET /v1/return-cases/{id} over 1,000 cases, against pgbench of its query over the
 *   extended protocol (what node-pg sends) and prepared;
 * - list: GET /v1/return-cases?country_of_return=GE&status=submitted (API only);
 * - get at a fixed 1,000 requests/s from an open-loop generator: p50/p99 from the scheduled send time;
 * - the server's resident memory when idle after start-up.
 *
 * Server on core 0, load generators on core 1; A B A B for REPETITIONS rounds; medians (min..max).
 */

const CASES = Number(process.env.BENCH_CASES ?? 100_000)
const REPETITIONS = Number(process.env.BENCH_REPETITIONS ?? 3)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16)
const POOL_SIZE = 10
const SERVER_CORE = 0
const LOAD_CORE = 1
const FIXED_RATE = 1000
const COUNTRIES = ['GE', 'IQ', 'AF', 'UA', 'MD', 'AZ', 'AM', 'TJ', 'UZ', 'VN']
const STATUSES = ['draft', 'submitted', 'in_counselling', 'approved', 'closed']
const CONTEXT: RequestContext = { actor: { sub: 'bench', roles: ['admin'], officeId: null }, requestId: 'bench-setup' }

/** Deterministic ids for the loaded cases, so pgbench can address case n without a lookup. */
const caseIdSql = (variable: string) => `('00000000-0000-4000-8000-' || lpad(${variable}::text, 12, '0'))::uuid`
const caseId = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`

async function loadCases(database: Database): Promise<string> {
  const office = await database.db.transaction().execute((trx) =>
    createOffice(trx, CONTEXT, { code: 'VNO', name: 'IOM Vilnius', country: 'LT', kind: 'country_office' }),
  )
  const countries = `array[${COUNTRIES.map((code) => `'${code}'`).join(',')}]`
  const statuses = `array[${STATUSES.map((status) => `'${status}'`).join(',')}]`
  await sql
    .raw(
      `insert into return_cases (id, reference, office_id, legal_status, referral_source, country_of_return, intended_departure_on, status, created_by, created_at, updated_at)
       select ${caseIdSql('n')}, 'VNO-2025-' || lpad(n::text, 6, '0'), '${office.id}'::uuid, 'irregular_stay', 'self',
              (${countries})[1 + n % ${COUNTRIES.length}], date '2026-12-01' + (n % 60), (${statuses})[1 + (n / 10) % ${STATUSES.length}],
              'bench', now() - make_interval(mins => n), now()
       from generate_series(1, ${CASES}) as n`,
    )
    .execute(database.db)
  await sql
    .raw(
      `insert into case_members (id, case_id, relationship, is_principal, given_name, family_name, name_key, sex, date_of_birth, nationality, created_by)
       select gen_random_uuid(), c.id, (array['principal','spouse_partner','child','child'])[p], p = 1,
              'Given' || p, 'Family' || substr(c.reference, 10), 'given' || p || '|family' || substr(c.reference, 10),
              (array['male','female','male','female'])[p], date '1980-01-01' + (p * 3000 + length(c.reference)), c.country_of_return, 'bench'
       from return_cases c cross join generate_series(1, 4) as p`,
    )
    .execute(database.db)
  await sql`vacuum analyze`.execute(database.db)
  return office.id
}

/** Create bodies for 1,000 different families, so the duplicate check sees realistic data rather than one family repeated. */
function createBodies(officeId: string): string[] {
  return Array.from({ length: 1000 }, (_, index) => createBody(officeId, `Beridze${index}`))
}

function createBody(officeId: string, familyName: string): string {
  const person = (relationship: string, given: string, born: string, sex: string) => ({
    relationship,
    given_name: given,
    family_name: familyName,
    sex,
    date_of_birth: born,
    nationality: 'GE',
  })
  return JSON.stringify({
    office_id: officeId,
    legal_status: 'irregular_stay',
    referral_source: 'self',
    country_of_return: 'GE',
    intended_departure_on: '2026-12-20',
    members: [
      person('principal', 'Giorgi', '1978-03-14', 'male'),
      person('spouse_partner', 'Nino', '1980-05-02', 'female'),
      person('child', 'Luka', '2010-09-30', 'male'),
      person('child', 'Mariam', '2013-01-11', 'female'),
    ],
  })
}

/** The create transaction as the service sends it (see return-cases/service.ts createCase and db/unit-of-work.ts). */
function createScript(officeId: string): string {
  // The case id is derived from the script's random numbers, so no statement is spent fetching one.
  const id = `md5(:key || '-' || :number)::uuid`
  const member = (relationship: string, given: string, born: string, sex: string) =>
    `(gen_random_uuid(), ${id}, '${relationship}', ${relationship === 'principal'}, '${given}', 'Beridze' || :family, '${given.toLowerCase()}|beridze' || :family, '${sex}', '${born}', null, 'GE', '[]'::jsonb, 'bench')`
  const audit = (action: string) =>
    `('bench', array['counsellor'], null, 'bench', '${action}', 'return_case', ${id}::text, ${id}, '{"status":{"after":"draft"},"country_of_return":{"after":"GE"},"legal_status":{"after":"irregular_stay"}}'::jsonb)`
  return `
\\set key random(1, 1000000000000)
\\set number random(1, 1000000000)
\\set family random(0, 999)
BEGIN;
INSERT INTO idempotency_keys (caller, key, request_hash, method, path, expires_at) VALUES ('bench', 'pgbench-' || :key || '-' || :number, 'cc9310c7b45697d8f6c9a0b9f0b1e2d3c4b5a69788796a5b4c3d2e1f00112233', 'POST', '/v1/return-cases', now() + make_interval(hours => 24))
  ON CONFLICT (caller, key) DO UPDATE SET request_hash = excluded.request_hash WHERE idempotency_keys.expires_at < now() RETURNING key;
SELECT id, code, kind FROM offices WHERE id = '${officeId}';
INSERT INTO case_reference_counters (office_id, year, last_number) VALUES ('${officeId}', 2026, 1)
  ON CONFLICT (office_id, year) DO UPDATE SET last_number = case_reference_counters.last_number + 1 RETURNING last_number;
INSERT INTO return_cases (id, reference, office_id, partner_office_id, referred_at, project_id, legal_status, referral_source, external_reference, country_of_return, place_of_return, intended_departure_on, consent_given_at, consent_given_by, consent_scope, consent_recorded_by, notes, created_by, status)
  VALUES (${id}, 'PGB-' || :key || '-' || :number, '${officeId}', null, null, null, 'irregular_stay', 'self', null, 'GE', null, '2026-12-20', null, null, null, null, null, 'bench', 'draft')
  RETURNING id, reference, office_id, partner_office_id, referred_at, project_id, status, legal_status, referral_source, external_reference, country_of_return,
    place_of_return, intended_departure_on, consent_given_at, consent_given_by, consent_scope, consent_recorded_by, notes, created_by, version, created_at, updated_at, closed_at;
INSERT INTO case_members (id, case_id, relationship, is_principal, given_name, family_name, name_key, sex, date_of_birth, birth_year, nationality, identity_documents, created_by) VALUES
  ${member('principal', 'Giorgi', '1978-03-14', 'male')}, ${member('spouse_partner', 'Nino', '1980-05-02', 'female')},
  ${member('child', 'Luka', '2010-09-30', 'male')}, ${member('child', 'Mariam', '2013-01-11', 'female')}
  RETURNING id, case_id, relationship, is_principal, given_name, family_name, name_key, sex, date_of_birth, birth_year, nationality, identity_documents, created_by, version, created_at, updated_at;
INSERT INTO case_search_terms (case_id, term)
  SELECT DISTINCT c.id, t.term FROM return_cases c CROSS JOIN LATERAL (
    SELECT regexp_split_to_table(lower(c.reference), '[^a-z0-9]+') AS term
    UNION SELECT regexp_split_to_table(m.name_key, '[| ]+') FROM case_members m WHERE m.case_id = c.id) t
  WHERE c.id = ${id} AND t.term <> '';
INSERT INTO case_status_history (case_id, action, from_status, to_status, reason, actor_sub, actor_roles, request_id) VALUES (${id}, 'create', null, 'draft', null, 'bench', array['counsellor'], 'bench');
INSERT INTO audit_events (actor_sub, actor_roles, actor_office_id, request_id, action, entity_type, entity_id, case_id, changes) VALUES
  ${audit('return_case.created')}, ${audit('case_member.added')}, ${audit('case_member.added')}, ${audit('case_member.added')}, ${audit('case_member.added')};
INSERT INTO outbox_events (id, event_type, entity_type, entity_id, case_id, payload) VALUES (gen_random_uuid(), 'return_case.created', 'return_case', ${id}::text, ${id}, '{"status":"draft","country_of_return":"GE"}'::jsonb);
SELECT m.id, m.name_key, m.nationality, m.date_of_birth, m.birth_year, c.id AS case_id, c.reference, c.status FROM case_members m JOIN return_cases c ON c.id = m.case_id
  WHERE c.status <> 'closed' AND c.id <> ${id} AND ((m.name_key = 'giorgi|beridze' || :family AND m.nationality = 'GE' AND m.date_of_birth = '1978-03-14')
     OR (m.name_key = 'nino|beridze' || :family AND m.nationality = 'GE' AND m.date_of_birth = '1980-05-02')
     OR (m.name_key = 'luka|beridze' || :family AND m.nationality = 'GE' AND m.date_of_birth = '2010-09-30')
     OR (m.name_key = 'mariam|beridze' || :family AND m.nationality = 'GE' AND m.date_of_birth = '2013-01-11')) ORDER BY m.id LIMIT 100;
UPDATE idempotency_keys SET response_status = 201, response_body = repeat('x', 2400), response_headers = '{"etag":"\\"1\\""}'::jsonb WHERE caller = 'bench' AND key = 'pgbench-' || :key || '-' || :number;
COMMIT;
`
}

/**
 * The one query of GET /v1/return-cases/{id}, compiled from the service's own builder (findCaseWithMembers in
 * return-cases/repository.ts), with its one parameter turned into pgbench's case n.
 */
function getScript(db: Database['db']): string {
  const { sql: text, parameters } = caseWithMembersQuery(db, caseId(0), undefined).compile()
  if (parameters.length !== 1 || !text.includes('$1')) throw new Error(`the get query changed shape: ${text}`)
  return `\\set n random(1, 1000)\n${text.replace('$1', caseIdSql(':n'))};\n`
}

function memoryOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN) / 1024
}

function row(name: string, api: Spread, baseline: Spread | undefined, latency: LoadResult[]): string {
  const p50 = spread(latency.map((result) => result.latencyP50))
  const p99 = spread(latency.map((result) => result.latencyP99))
  const vs = baseline ? `${formatSpread(baseline)} | ${ratio(api, baseline).median.toFixed(2)} (${ratio(api, baseline).min.toFixed(2)}..${ratio(api, baseline).max.toFixed(2)})` : '– | –'
  return `| ${name} | ${formatSpread(api)} | ${formatSpread(p50, ' ms')} / ${formatSpread(p99, ' ms')} | ${vs} |`
}

const benchmark: Benchmark = {
  name: `Return cases (${CASES.toLocaleString('en-US')} cases loaded)`,
  async run(serverUrl) {
    const bench = await benchDatabase(serverUrl)
    let server: RunningServer | undefined
    try {
      const officeId = await loadCases(bench.database)
      server = await startServer({
        core: SERVER_CORE,
        port: 3100,
        env: { DATABASE_URL: bench.url, DATABASE_POOL_SIZE: String(POOL_SIZE), LOG_LEVEL: 'warn', RATE_LIMIT_MAX: '100000000', MAX_EVENT_LOOP_DELAY_MS: '0', NODE_ENV: 'production', JWT_SECRET: DEVELOPMENT_JWT_SECRET },
      })
      await new Promise((resolve) => setTimeout(resolve, 2000))
      const idleMb = memoryOf(server.pid)
      const token = createSigner({ key: DEVELOPMENT_JWT_SECRET, algorithm: 'HS256', iss: 'avrr-local', aud: 'avrr-api' })({ sub: 'bench', roles: ['counsellor', 'admin'] })
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
      const getPaths = Array.from({ length: 1000 }, (_, index) => `/v1/return-cases/${caseId(index + 1)}`)
      const drive = (spec: Omit<Parameters<typeof runLoad>[1], 'url' | 'connections' | 'durationSeconds' | 'headers'>) =>
        runLoad(LOAD_CORE, { url: server?.url as string, connections: CONNECTIONS, durationSeconds: SECONDS, headers, ...spec })
      const pgbench = (script: string, protocol: 'prepared' | 'extended') =>
        runPgbench(LOAD_CORE, { databaseUrl: bench.url, script, clients: POOL_SIZE, seconds: SECONDS, protocol })

      const create: LoadResult[] = []
      const get: LoadResult[] = []
      const list: LoadResult[] = []
      const pgCreate: number[] = []
      const pgGetExtended: number[] = []
      const pgGetPrepared: number[] = []
      // Warm-up: the server's JIT, the pool and the caches.
      await drive({ method: 'GET', paths: getPaths })
      for (let round = 0; round < REPETITIONS; round += 1) {
        create.push(await drive({ method: 'POST', paths: ['/v1/return-cases'], bodies: createBodies(officeId), uniqueIdempotencyKeys: true }))
        pgCreate.push((await pgbench(createScript(officeId), 'extended')).tps)
        get.push(await drive({ method: 'GET', paths: getPaths }))
        pgGetExtended.push((await pgbench(getScript(bench.database.db), 'extended')).tps)
        pgGetPrepared.push((await pgbench(getScript(bench.database.db), 'prepared')).tps)
        list.push(await drive({ method: 'GET', paths: ['/v1/return-cases?country_of_return=GE&status=submitted&limit=20'] }))
      }
      // The rounds above wrote thousands of cases; let PostgreSQL's maintenance of them (autovacuum,
      // a checkpoint) happen now rather than in the middle of the latency measurement.
      await sql`checkpoint`.execute(bench.database.db)
      await sql`vacuum analyze`.execute(bench.database.db)
      const fixed = await runOpenLoop(LOAD_CORE, {
        url: server.url,
        paths: getPaths,
        headers: { authorization: headers.authorization },
        ratePerSecond: FIXED_RATE,
        durationSeconds: 10,
        warmupSeconds: 2,
      })

      const rps = (results: LoadResult[]) => spread(results.map((result) => result.okPerSecond))
      const failures = [...create, ...get, ...list].reduce((sum, result) => sum + result.non2xx + result.errors, 0)
      const getVsExtended = ratio(rps(get), spread(pgGetExtended))
      const createVsPgbench = ratio(rps(create), spread(pgCreate))
      const lines = [
        `Server pinned to core ${SERVER_CORE}${server.pinned ? '' : ' (taskset unavailable: not pinned)'}, autocannon/pgbench on core ${LOAD_CORE}; ${CONNECTIONS} HTTP connections, pool and pgbench clients ${POOL_SIZE}; ${REPETITIONS} rounds of ${SECONDS} s, medians (min..max).`,
        '',
        '| scenario | API req/s | API p50 / p99 | pgbench tps (same SQL) | API / pgbench |',
        '| --- | --- | --- | --- | --- |',
        row('create case + 3 members (extended protocol)', rps(create), spread(pgCreate), create),
        row('get case (vs pgbench extended)', rps(get), spread(pgGetExtended), get),
        `| get case: pgbench prepared | | | ${formatSpread(spread(pgGetPrepared))} | ${ratio(rps(get), spread(pgGetPrepared)).median.toFixed(2)} |`,
        row('list, filtered by country and status', rps(list), undefined, list),
        '',
        `Get at a fixed ${FIXED_RATE} req/s for 10 s after 2 s of warm-up (open loop, latency from the scheduled send; after a checkpoint and VACUUM ANALYZE): p50 ${fixed.p50.toFixed(1)} ms, p99 ${fixed.p99.toFixed(1)} ms, max ${fixed.max.toFixed(1)} ms, ${fixed.failures} failures of ${fixed.sent}.`,
        `Idle memory after start-up: ${idleMb.toFixed(0)} MB RSS.`,
        `Failed requests during the load: ${failures}.`,
        '',
        `Targets: create ≥ 0.6× pgbench (${createVsPgbench.median >= 0.6 ? 'met' : 'not met'}: ${createVsPgbench.median.toFixed(2)}); get ≥ 0.4× pgbench extended (${getVsExtended.median >= 0.4 ? 'met' : 'not met'}: ${getVsExtended.median.toFixed(2)}); get p99 ≤ 25 ms at ${FIXED_RATE} req/s (${fixed.p99 <= 25 ? 'met' : 'not met'}); idle memory ≤ 120 MB (${idleMb <= 120 ? 'met' : 'not met'}).`,
      ]
      return { report: lines.join('\n'), ok: failures === 0 && fixed.failures === 0 }
    } finally {
      await server?.stop()
      await bench.drop()
    }
  },
}

export default benchmark
