import { sql } from 'kysely'
import { createSigner } from 'fast-jwt'
import { DEVELOPMENT_JWT_SECRET } from '../src/config.js'
import type { Database } from '../src/db/database.js'
import { caseNumberSequence, caseWithMembersQuery, nextCaseNumber } from '../src/modules/return-cases/repository.js'
import type { Benchmark } from './lib/benchmark.js'
import { caseId, caseIdSql, serverEnvironment, withCases } from './lib/cases.js'
import { runLoad, type LoadResult } from './lib/load.js'
import { memoryOf } from './lib/memory.js'
import { minimalCreateScript } from './lib/minimal-create.js'
import { runOpenLoop, type OpenLoopResult } from './lib/open-loop.js'
import { runPgbench } from './lib/pgbench.js'
import { startBareServer, startServer, type RunningServer } from './lib/server.js'
import { formatSpread, ratio, spread, type Spread } from './lib/stats.js'

/**
 * Return cases through the API against the minimal work any implementation must do, in the same run,
 * on a database holding CASES cases of three or four people (distinct names, so a create's duplicate
 * check finds nothing):
 *
 * - create: POST /v1/return-cases with a principal and three members, a fresh Idempotency-Key and a
 *   family no other request has, against (a) pgbench of the minimal create transaction on the same
 *   schema (bench/lib/minimal-create.ts: idempotency claim, case, members in one insert, audit,
 *   outbox, stored response; extended protocol), (b) a bare Fastify + pg route doing that transaction
 *   (bench/lib/bare-server.ts) and (c) pgbench of the service's own statements (extended);
 * - get: GET /v1/return-cases/{id} over 1,000 cases, against the bare route (one unnamed query) and
 *   pgbench of the service's query, extended and prepared;
 * - list: GET /v1/return-cases?country_of_return=GE&status=submitted, against the bare route's keyset page;
 * - get at a fixed 1,000 requests/s from an open-loop generator, the API and the bare route:
 *   p50/p99 from the scheduled send time;
 * - the server's resident memory when idle after start-up.
 *
 * Server and bare server on core 0, load generators on core 1; A B A B for REPETITIONS rounds; medians
 * (min..max). BENCH_SCENARIOS=create,get,list,fixed runs only those.
 */

const CASES = Number(process.env.BENCH_CASES ?? 100_000)
const REPETITIONS = Number(process.env.BENCH_REPETITIONS ?? 3)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16)
const SCENARIOS = new Set((process.env.BENCH_SCENARIOS ?? 'create,get,list,fixed').split(','))
const POOL_SIZE = 10
const SERVER_CORE = 0
const LOAD_CORE = 1
const FIXED_RATE = 1000
const LIST_QUERY = 'status=submitted&country_of_return=GE'

/** The create body; the load generator makes `__UNIQUE__` unique per request, so no family is created twice and the duplicate check finds nothing. */
function createBodies(officeId: string): string[] {
  return [createBody(officeId, 'Beridze__UNIQUE__')]
}

export function createBody(officeId: string, familyName: string): string {
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

/** The create transaction as the service sends it (see return-cases/service.ts createCase and db/unit-of-work.ts): the service's own statements, for reference. */
function createScript(officeId: string, sequence: string): string {
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
SELECT nextval(to_regclass('${sequence}')) AS number;
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

const rps = (results: LoadResult[]) => spread(results.map((result) => result.okPerSecond))
const vs = (api: Spread, baseline: Spread) => `${ratio(api, baseline).median.toFixed(2)} (${ratio(api, baseline).min.toFixed(2)}..${ratio(api, baseline).max.toFixed(2)})`

/** A scenario's first row: the API's throughput and latency, its first baseline and the ratio. */
function row(name: string, api: LoadResult[], baselineName: string, baseline: Spread): string {
  const p50 = spread(api.map((result) => result.latencyP50))
  const p99 = spread(api.map((result) => result.latencyP99))
  return `| ${name} | ${formatSpread(rps(api))} | ${formatSpread(p50, ' ms')} / ${formatSpread(p99, ' ms')} | ${baselineName}: ${formatSpread(baseline)} | ${vs(rps(api), baseline)} |`
}
const fixedLine = (name: string, result: OpenLoopResult) =>
  `| ${name} | p50 ${result.p50.toFixed(1)} ms | p99 ${result.p99.toFixed(1)} ms | max ${result.max.toFixed(1)} ms | ${result.failures} failures of ${result.sent} |`

const benchmark: Benchmark = {
  name: `Return cases (${CASES.toLocaleString('en-US')} cases loaded)`,
  async run(serverUrl) {
    return withCases(serverUrl, CASES, async (bench, officeId) => {
    let server: RunningServer | undefined
    let bare: RunningServer | undefined
    try {
      // The office's number sequence for this year, as the first create would make it (the pgbench scripts and the bare route use it).
      const year = new Date().getUTCFullYear()
      await bench.database.db.transaction().execute((trx) => nextCaseNumber(trx, officeId, year))
      const sequence = caseNumberSequence(officeId, year)
      const env = serverEnvironment(bench.url)
      server = await startServer({ core: SERVER_CORE, port: 3100, env })
      bare = await startBareServer({ core: SERVER_CORE, port: 3101, env })
      // Idle: a few seconds after start-up, once V8's memory reducer has collected what start-up left behind.
      await new Promise((resolve) => setTimeout(resolve, 5000))
      const idleMb = memoryOf(server.pid)
      const bareIdleMb = memoryOf(bare.pid)
      const token = createSigner({ key: DEVELOPMENT_JWT_SECRET, algorithm: 'HS256', iss: 'avrr-local', aud: 'avrr-api' })({ sub: 'bench', roles: ['counsellor', 'admin'] })
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
      const ids = Array.from({ length: 1000 }, (_, index) => caseId(index * Math.floor(CASES / 1000) + 1))
      const getPaths = ids.map((id) => `/v1/return-cases/${id}`)
      const bareGetPaths = ids.map((id) => `/cases/${id}`)
      const drive = (target: RunningServer, spec: Omit<Parameters<typeof runLoad>[1], 'url' | 'connections' | 'durationSeconds' | 'headers'>) =>
        runLoad(LOAD_CORE, { url: target.url, connections: CONNECTIONS, durationSeconds: SECONDS, headers, ...spec })
      const pgbench = async (script: string, protocol: 'prepared' | 'extended') =>
        (await runPgbench(LOAD_CORE, { databaseUrl: bench.url, script, clients: POOL_SIZE, seconds: SECONDS, protocol })).tps

      const results: Record<string, LoadResult[]> = { create: [], bareCreate: [], get: [], bareGet: [], list: [], bareList: [] }
      const baselines: Record<string, number[]> = { minimalCreate: [], ownCreate: [], getExtended: [], getPrepared: [] }
      // Warm-up: the servers' JIT, the pools and the caches.
      await drive(server, { method: 'GET', paths: getPaths })
      await drive(bare, { method: 'GET', paths: bareGetPaths })
      for (let round = 0; round < REPETITIONS; round += 1) {
        if (SCENARIOS.has('create')) {
          const create = { method: 'POST' as const, bodies: createBodies(officeId), uniqueIdempotencyKeys: true, uniqueBodies: true }
          results.create!.push(await drive(server, { ...create, paths: ['/v1/return-cases'] }))
          baselines.minimalCreate!.push(await pgbench(minimalCreateScript(officeId), 'extended'))
          results.bareCreate!.push(await drive(bare, { ...create, paths: ['/cases'] }))
          baselines.ownCreate!.push(await pgbench(createScript(officeId, sequence), 'extended'))
        }
        if (SCENARIOS.has('get')) {
          results.get!.push(await drive(server, { method: 'GET', paths: getPaths }))
          results.bareGet!.push(await drive(bare, { method: 'GET', paths: bareGetPaths }))
          baselines.getExtended!.push(await pgbench(getScript(bench.database.db), 'extended'))
          baselines.getPrepared!.push(await pgbench(getScript(bench.database.db), 'prepared'))
        }
        if (SCENARIOS.has('list')) {
          results.list!.push(await drive(server, { method: 'GET', paths: [`/v1/return-cases?${LIST_QUERY}&limit=20`] }))
          results.bareList!.push(await drive(bare, { method: 'GET', paths: [`/cases?${LIST_QUERY}`] }))
        }
        console.error(`  round ${round + 1}: ${Object.entries(results).map(([name, list]) => `${name} ${Math.round(list.at(-1)?.okPerSecond ?? 0)}`).join(', ')}; ${Object.entries(baselines).map(([name, list]) => `${name} ${Math.round(list.at(-1) ?? 0)}`).join(', ')}`)
      }
      let fixed: { api: OpenLoopResult; bare: OpenLoopResult } | undefined
      if (SCENARIOS.has('fixed')) {
        // The rounds above wrote thousands of cases; let PostgreSQL's maintenance of them (autovacuum,
        // a checkpoint) happen now rather than in the middle of the latency measurement.
        await sql`checkpoint`.execute(bench.database.db)
        await sql`vacuum analyze`.execute(bench.database.db)
        const open = (target: RunningServer, paths: string[]) =>
          runOpenLoop(LOAD_CORE, { url: target.url, paths, headers: { authorization: headers.authorization }, ratePerSecond: FIXED_RATE, durationSeconds: 10, warmupSeconds: 2 })
        fixed = { api: await open(server, getPaths), bare: await open(bare, bareGetPaths) }
      }

      const all = Object.values(results).flat()
      const failures = all.reduce((sum, result) => sum + result.non2xx + result.errors, 0)
      const lines = [
        `Server and bare server pinned to core ${SERVER_CORE}${server.pinned ? '' : ' (taskset unavailable: not pinned)'}, autocannon/pgbench on core ${LOAD_CORE}; ${CONNECTIONS} HTTP connections, pools and pgbench clients ${POOL_SIZE}; ${REPETITIONS} rounds of ${SECONDS} s, interleaved, medians (min..max).`,
        '',
        '| scenario | API req/s | API p50 / p99 | baseline (same run) | API / baseline |',
        '| --- | --- | --- | --- | --- |',
      ]
      const targets: string[] = []
      if (SCENARIOS.has('create')) {
        const minimal = spread(baselines.minimalCreate!)
        lines.push(
          row('create case + 3 members', results.create!, 'pgbench, minimal create transaction (extended)', minimal),
          `| | | | bare Fastify + pg route, same transaction: ${formatSpread(rps(results.bareCreate!))} | ${vs(rps(results.create!), rps(results.bareCreate!))} |`,
          `| | | | pgbench, the service's own statements (extended): ${formatSpread(spread(baselines.ownCreate!))} | ${vs(rps(results.create!), spread(baselines.ownCreate!))} |`,
        )
        const p99 = spread(results.create!.map((result) => result.latencyP99)).median
        targets.push(`create ≥ 0.6× minimal pgbench: ${ratio(rps(results.create!), minimal).median >= 0.6 ? 'met' : 'NOT met'}; create p99 < 100 ms: ${p99 < 100 ? 'met' : 'NOT met'} (${Math.round(p99)} ms)`)
      }
      if (SCENARIOS.has('get')) {
        lines.push(
          row('get case', results.get!, 'bare Fastify + pg route', rps(results.bareGet!)),
          `| | | | pgbench, the service's get query, extended: ${formatSpread(spread(baselines.getExtended!))} | ${vs(rps(results.get!), spread(baselines.getExtended!))} |`,
          `| | | | pgbench, the service's get query, prepared: ${formatSpread(spread(baselines.getPrepared!))} | ${vs(rps(results.get!), spread(baselines.getPrepared!))} |`,
        )
        targets.push(`get ≥ 1.0× bare route: ${ratio(rps(results.get!), rps(results.bareGet!)).median >= 1 ? 'met' : 'NOT met'}`)
      }
      if (SCENARIOS.has('list')) {
        lines.push(row(`list, ${LIST_QUERY}`, results.list!, 'bare Fastify + pg keyset page', rps(results.bareList!)))
        targets.push(`list ≥ 0.7× bare route: ${ratio(rps(results.list!), rps(results.bareList!)).median >= 0.7 ? 'met' : 'NOT met'}`)
      }
      if (fixed) {
        lines.push('', `Get at a fixed ${FIXED_RATE} req/s for 10 s after 2 s of warm-up (open loop, latency from the scheduled send; after a checkpoint and VACUUM ANALYZE):`, '', '| | p50 | p99 | max | failures |', '| --- | --- | --- | --- | --- |', fixedLine('API', fixed.api), fixedLine('bare Fastify + pg', fixed.bare))
        targets.push(`get p99 ≤ 25 ms at ${FIXED_RATE} req/s: ${fixed.api.p99 <= 25 ? 'met' : 'NOT met'}`)
      }
      lines.push('', `Idle memory after start-up: ${idleMb.toFixed(0)} MB RSS (bare Fastify + pg: ${bareIdleMb.toFixed(0)} MB); target ≤ 120 MB: ${idleMb <= 120 ? 'met' : 'NOT met'}.`, `Failed requests during the load: ${failures}.`, '', `Targets: ${targets.join('; ')}.`)
      return { report: lines.join('\n'), ok: failures === 0 && (fixed?.api.failures ?? 0) === 0 }
    } finally {
      await server?.stop()
      await bare?.stop()
    }
    })
  },
}

export default benchmark
