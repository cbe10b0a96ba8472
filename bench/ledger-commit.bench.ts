import { randomBytes } from 'node:crypto'
import { createSigner } from 'fast-jwt'
import { sql } from 'kysely'
import type { Database } from '../src/db/database.js'
import { createProject, transitionProject } from '../src/modules/projects/service.js'
import type { RequestContext } from '../src/shared/context.js'
import type { Benchmark } from './lib/benchmark.js'
import { benchDatabase } from './lib/database.js'
import { runLoad, type LoadResult } from './lib/load.js'
import { runPgbench } from './lib/pgbench.js'
import { startServer } from './lib/server.js'
import { formatSpread, ratio, spread, type Spread } from './lib/stats.js'

/**
 * Commitments per second on the ledger's hot path, through the API, against raw pgbench of the
 * same SQL in the same run:
 *
 * - `api`: POST /v1/projects/{id}/budget-lines/{line}/ledger-entries (a manual commitment of
 *   1 cent, no Idempotency-Key, so it joins its line's group commit: see ledger/commit-batches.ts),
 *   through the real server pinned to core 0, autocannon pinned to core 1;
 * - `pgbench update`: the single conditional UPDATE that is the check-and-reserve, prepared (the
 *   target baseline: the API should reach at least 0.7× of it on one hot line);
 * - `pgbench api-sql`: the transaction of one commitment committed on its own, as the API sends it
 *   for a keyed commitment or one a batch did not take (BEGIN; one statement doing the UPDATE, the
 *   ledger, outbox and audit inserts; COMMIT), over the extended protocol as node-pg sends it,
 *   without Node and HTTP: what one request per transaction costs on the database.
 *
 * Each on one hot line and spread over 100 lines; interleaved A B C A B C for several
 * repetitions; medians with min..max. Then a burst at a small line counts overspends (must be 0)
 * and every line's cached balances are checked against its ledger.
 */

const REPETITIONS = Number(process.env.BENCH_REPETITIONS ?? 3)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5)
const HTTP_CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16)
const POOL_SIZE = 10
const PGBENCH_CLIENTS = POOL_SIZE
const SPREAD_LINES = 100
const SERVER_CORE = 0
const LOAD_CORE = 1
const LINE_ALLOCATION = 10_000_000_000
const EXHAUSTION_ALLOCATION = 2_000
const EXHAUSTION_REQUESTS = 3_000

const CONTEXT: RequestContext = { actor: { sub: 'bench', roles: ['admin'], officeId: null }, requestId: 'bench-setup' }

/** Deterministic line ids, so pgbench can address line n of a group without a lookup: group 1 api, 2 pgbench update, 3 pgbench api-sql, 4 exhaustion. */
export const lineId = (group: number, n: number) => `00000000-0000-7000-8${group}00-${String(n).padStart(12, '0')}`
const lineIdSql = (group: number, variable: string) => `('00000000-0000-7000-8${group}00-' || lpad(${variable}::text, 12, '0'))::uuid`


/** An active project whose lines have fixed ids (groups × 101 lines, each far larger than the run can commit), plus one small line to exhaust. */
export async function seed(database: Database): Promise<string> {
  const lines = 4 * (SPREAD_LINES + 1)
  const project = await database.db.transaction().execute(async (trx) => {
    const created = await createProject(trx, CONTEXT, {
      code: 'BENCH-LEDGER',
      title: 'Ledger benchmark',
      starts_on: '2026-01-01',
      ends_on: '2026-12-31',
      total: { amount_minor: lines * LINE_ALLOCATION, currency: 'EUR' },
      co_funders: [{ name: 'Bench', share_bp: 10000 }],
    })
    await transitionProject(trx, CONTEXT, created.id, 'activate', undefined, null)
    return created
  })
  const rows = []
  for (const group of [1, 2, 3]) {
    for (let n = 0; n <= SPREAD_LINES; n += 1) {
      rows.push({ id: lineId(group, n), allocated_minor: LINE_ALLOCATION, name: `g${group}-${n}` })
    }
  }
  rows.push({ id: lineId(4, 0), allocated_minor: EXHAUSTION_ALLOCATION, name: 'exhaust' })
  await database.db
    .insertInto('budget_lines')
    .values(rows.map((row) => ({ ...row, project_id: project.id, category: 'travel' as const, currency: 'EUR', accepts_commitments: true })))
    .execute()
  await sql`vacuum analyze`.execute(database.db)
  return project.id
}

const UPDATE_ONLY = (line: string) => `
UPDATE budget_lines SET committed_minor = committed_minor + 1
 WHERE id = ${line} AND allocated_minor - committed_minor - spent_minor >= 1;
`

/** The statements the API sends for one manual commitment (see ledger/service.ts and ledger.ts): BEGIN, one statement, COMMIT. */
const API_SQL = (line: string, projectId: string) => `
BEGIN;
WITH line AS (
  UPDATE budget_lines SET committed_minor = committed_minor + 1::bigint, spent_minor = spent_minor + 0::bigint
   WHERE id = ${line} AND currency = 'EUR'::char(3) AND accepts_commitments AND allocated_minor - committed_minor - spent_minor >= 1::bigint
     AND project_id = '${projectId}'::uuid
  RETURNING id, project_id
), entry AS (
  INSERT INTO ledger_entries (id, budget_line_id, kind, amount_minor, currency, source_type, source_id, case_id, payment_request_id, actor_sub, request_id, note)
  SELECT gen_random_uuid(), line.id, 'commit'::text, 1::bigint, 'EUR'::char(3), 'other'::text, gen_random_uuid(), NULL::uuid, NULL::uuid, 'bench'::text, 'bench'::text, 'bench'::text FROM line
  RETURNING "id", "budget_line_id", "kind", "amount_minor", "currency", "source_type", "source_id", "case_id", "payment_request_id", "actor_sub", "request_id", "note", "created_at"
), event AS (
  INSERT INTO outbox_events (id, event_type, entity_type, entity_id, case_id, payload)
  SELECT gen_random_uuid(), 'ledger.committed'::text, 'ledger_entry', entry.id::text, entry.case_id,
         jsonb_build_object('id', entry.id, 'project_id', line.project_id, 'budget_line_id', entry.budget_line_id, 'kind', entry.kind,
           'amount', jsonb_build_object('amount_minor', entry.amount_minor, 'currency', entry.currency),
           'source', jsonb_build_object('type', entry.source_type, 'id', entry.source_id), 'case_id', entry.case_id,
           'payment_request_id', entry.payment_request_id, 'note', entry.note, 'actor_sub', entry.actor_sub, 'created_at', entry.created_at)
    FROM entry, line
), audit AS (
  INSERT INTO audit_events (actor_sub, actor_roles, actor_office_id, request_id, action, entity_type, entity_id, case_id, changes)
  SELECT 'bench'::text, '{finance}'::text[], NULL::uuid, 'bench'::text, 'budget_line.manual_commit'::text, 'budget_line'::text, entry.budget_line_id::text, NULL::uuid,
         jsonb_build_object('amount', jsonb_build_object('after', jsonb_build_object('amount_minor', 1, 'currency', 'EUR')), 'source_id', jsonb_build_object('after', entry.source_id), 'note', jsonb_build_object('after', 'bench'))
    FROM entry
)
SELECT "id", "budget_line_id", "kind", "amount_minor", "currency", "source_type", "source_id", "case_id", "payment_request_id", "actor_sub", "request_id", "note", "created_at" FROM entry;
COMMIT;
`

/**
 * One keyed commitment per transaction, the minimal work with its idempotency rows: claim the key, the
 * conditional UPDATE with the ledger, outbox and audit inserts, store the response, COMMIT.
 */
const KEYED_SQL = (line: string, projectId: string) => `
\\set key random(1, 1000000000000)
BEGIN;
INSERT INTO idempotency_keys (caller, key, request_hash, method, path, expires_at) VALUES ('bench', 'pgbench-' || :key || '-' || :client_id, 'cc9310c7b45697d8f6c9a0b9f0b1e2d3c4b5a69788796a5b4c3d2e1f00112233', 'POST', '/ledger-entries', now() + interval '24 hours')
  ON CONFLICT (caller, key) DO NOTHING RETURNING key;
${API_SQL(line, projectId).replace('BEGIN;', '').replace('COMMIT;', '')}
UPDATE idempotency_keys SET response_status = 201, response_body = repeat('x', 400), response_headers = '{}'::jsonb WHERE caller = 'bench' AND key = 'pgbench-' || :key || '-' || :client_id;
COMMIT;
`

function pgbenchScript(kind: 'update' | 'api-sql' | 'keyed-sql', scenario: 'hot' | 'spread', projectId: string): string {
  const group = kind === 'update' ? 2 : 3
  const line = scenario === 'hot' ? `'${lineId(group, 0)}'::uuid` : lineIdSql(group, ':n')
  const header = scenario === 'spread' ? `\\set n random(1, ${SPREAD_LINES})\n` : ''
  return header + (kind === 'update' ? UPDATE_ONLY(line) : kind === 'keyed-sql' ? KEYED_SQL(line, projectId) : API_SQL(line, projectId))
}

function apiPaths(projectId: string, scenario: 'hot' | 'spread'): string[] {
  const ids = scenario === 'hot' ? [lineId(1, 0)] : Array.from({ length: SPREAD_LINES }, (_, index) => lineId(1, index + 1))
  return ids.map((id) => `/v1/projects/${projectId}/budget-lines/${id}/ledger-entries`)
}

interface Consistency {
  overspentLines: number
  linesDifferingFromLedger: number
  exhaustion: { allocated: number; accepted: number; refused: number; committed: number }
}

async function checkConsistency(database: Database, exhaustion: LoadResult): Promise<Consistency> {
  const overspent = await sql<{ count: number }>`
    select count(*)::int as count from budget_lines where committed_minor + spent_minor > allocated_minor`.execute(database.db)
  // Group 2 is moved by the bare UPDATE, which writes no ledger entries by design; every other line must equal its ledger.
  const differing = await sql<{ count: number }>`
    select count(*)::int as count
      from budget_lines b
      left join lateral (
        select coalesce(sum(case kind when 'commit' then amount_minor else -amount_minor end), 0) as committed,
               coalesce(sum(amount_minor) filter (where kind = 'spend'), 0) as spent
          from ledger_entries e where e.budget_line_id = b.id) l on true
     where b.id::text not like '00000000-0000-7000-8200-%'
       and (b.committed_minor <> l.committed or b.spent_minor <> l.spent)`.execute(database.db)
  const line = await database.db.selectFrom('budget_lines').select('committed_minor').where('id', '=', lineId(4, 0)).executeTakeFirstOrThrow()
  return {
    overspentLines: overspent.rows[0]?.count ?? -1,
    linesDifferingFromLedger: differing.rows[0]?.count ?? -1,
    exhaustion: { allocated: EXHAUSTION_ALLOCATION, accepted: exhaustion.ok, refused: exhaustion.statusCounts['409'] ?? 0, committed: line.committed_minor },
  }
}

export interface LedgerBenchResult {
  settings: Record<string, number | string | boolean>
  results: Record<string, Record<string, Spread>>
  ratios: Record<string, Spread>
  consistency: Consistency
  overspends: number
  targetMet: boolean
}

export async function benchLedgerCommitments(serverUrl: string): Promise<LedgerBenchResult> {
  const bench = await benchDatabase(serverUrl)
  try {
    const projectId = await seed(bench.database)
    const secret = randomBytes(32).toString('hex')
    const server = await startServer({
      core: SERVER_CORE,
      port: 3900 + Math.floor(Math.random() * 90),
      env: {
        NODE_ENV: 'production',
        LOG_LEVEL: 'warn',
        DATABASE_URL: bench.url,
        DATABASE_POOL_SIZE: String(POOL_SIZE),
        MIGRATE_ON_START: 'false',
        JWT_SECRET: secret,
        RATE_LIMIT_MAX: '1000000000',
        MAX_EVENT_LOOP_DELAY_MS: '0',
      },
    })
    try {
      const token = createSigner({ key: secret, algorithm: 'HS256', iss: 'avrr-local', aud: 'avrr-api', expiresIn: 3_600_000 })({ sub: 'bench', roles: ['finance'] })
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
      const body = JSON.stringify({ kind: 'commit', amount: { amount_minor: 1, currency: 'EUR' }, note: 'bench' })
      const api = (scenario: 'hot' | 'spread', seconds: number, keyed = false) =>
        runLoad(LOAD_CORE, { url: server.url, method: 'POST', paths: apiPaths(projectId, scenario), headers, body, connections: HTTP_CONNECTIONS, durationSeconds: seconds, uniqueIdempotencyKeys: keyed })
      const pgbench = (kind: 'update' | 'api-sql' | 'keyed-sql', scenario: 'hot' | 'spread') =>
        runPgbench(LOAD_CORE, {
          databaseUrl: bench.url,
          script: pgbenchScript(kind, scenario, projectId),
          clients: PGBENCH_CLIENTS,
          seconds: SECONDS,
          // The baseline with prepared statements (pgbench at its fastest); the API's SQL as node-pg sends it (unnamed, planned each time).
          protocol: kind === 'update' ? 'prepared' : 'extended',
        })

      // Warm-up: JIT, connection pools, caches.
      await api('spread', 2)
      await pgbench('update', 'hot')

      const samples: Record<string, Record<string, number[]>> = { hot: { api: [], update: [], 'api-sql': [] }, spread: { api: [], update: [], 'api-sql': [] }, keyed: { api: [], 'keyed-sql': [] } }
      const refusedDuringRuns: number[] = []
      for (let repetition = 1; repetition <= REPETITIONS; repetition += 1) {
        for (const scenario of ['hot', 'spread'] as const) {
          const load = await api(scenario, SECONDS)
          refusedDuringRuns.push(load.non2xx + load.errors)
          samples[scenario]!.api!.push(load.okPerSecond)
          samples[scenario]!.update!.push((await pgbench('update', scenario)).tps)
          samples[scenario]!['api-sql']!.push((await pgbench('api-sql', scenario)).tps)
          console.error(
            `  repetition ${repetition} ${scenario}: api ${Math.round(load.okPerSecond)}/s (p99 ${load.latencyP99} ms), pgbench update ${Math.round(samples[scenario]!.update!.at(-1)!)}/s, pgbench api-sql ${Math.round(samples[scenario]!['api-sql']!.at(-1)!)}/s`,
          )
        }
        // Keyed commitments on the hot line: each claims its key in its own transaction, so it cannot join a batch.
        const keyed = await api('hot', SECONDS, true)
        refusedDuringRuns.push(keyed.non2xx + keyed.errors)
        samples.keyed!.api!.push(keyed.okPerSecond)
        samples.keyed!['keyed-sql']!.push((await pgbench('keyed-sql', 'hot')).tps)
        console.error(`  repetition ${repetition} keyed: api ${Math.round(keyed.okPerSecond)}/s (p99 ${keyed.latencyP99} ms), pgbench keyed-sql ${Math.round(samples.keyed!['keyed-sql']!.at(-1)!)}/s`)
      }
      if (refusedDuringRuns.some((count) => count > 0)) throw new Error(`requests failed during the measured runs: ${refusedDuringRuns.join(', ')}`)

      const exhaustion = await runLoad(LOAD_CORE, {
        url: server.url,
        method: 'POST',
        paths: [`/v1/projects/${projectId}/budget-lines/${lineId(4, 0)}/ledger-entries`],
        headers,
        body,
        connections: HTTP_CONNECTIONS,
        amount: EXHAUSTION_REQUESTS,
      })
      const consistency = await checkConsistency(bench.database, exhaustion)
      const results = Object.fromEntries(
        Object.entries(samples).map(([scenario, byKind]) => [scenario, Object.fromEntries(Object.entries(byKind).map(([kind, values]) => [kind, spread(values)]))]),
      )
      const ratios = {
        'hot: api / pgbench update': ratio(results.hot!.api!, results.hot!.update!),
        'hot: api / pgbench api-sql': ratio(results.hot!.api!, results.hot!['api-sql']!),
        'spread: api / pgbench update': ratio(results.spread!.api!, results.spread!.update!),
        'spread: api / pgbench api-sql': ratio(results.spread!.api!, results.spread!['api-sql']!),
        'hot, with Idempotency-Key: api / pgbench keyed-sql': ratio(results.keyed!.api!, results.keyed!['keyed-sql']!),
      }
      const overspends =
        consistency.overspentLines + Math.max(0, consistency.exhaustion.committed - EXHAUSTION_ALLOCATION) + Math.max(0, consistency.exhaustion.accepted - EXHAUSTION_ALLOCATION)
      return {
        settings: {
          repetitions: REPETITIONS,
          seconds: SECONDS,
          httpConnections: HTTP_CONNECTIONS,
          poolSize: POOL_SIZE,
          pgbenchClients: PGBENCH_CLIENTS,
          serverPinned: server.pinned,
        },
        results,
        ratios,
        consistency,
        overspends,
        targetMet: ratios['hot: api / pgbench update'].median >= 0.7 && ratios['hot, with Idempotency-Key: api / pgbench keyed-sql'].median >= 0.7,
      }
    } finally {
      await server.stop()
    }
  } finally {
    await bench.drop()
  }
}

export function formatLedgerBench(result: LedgerBenchResult): string {
  const lines = [
    `settings: ${Object.entries(result.settings).map(([key, value]) => `${key}=${value}`).join(', ')}`,
    '',
    '| scenario | API (commitments/s) | pgbench: the conditional UPDATE, prepared (tps) | pgbench: one commitment per transaction, the API\'s single-path SQL, extended (tps) |',
    '|---|---|---|---|',
  ]
  for (const scenario of ['hot', 'spread']) {
    const row = result.results[scenario]!
    const label = scenario === 'hot' ? 'one hot line' : `spread over ${SPREAD_LINES} lines`
    lines.push(`| ${label} | ${formatSpread(row.api!)} | ${formatSpread(row.update!)} | ${formatSpread(row['api-sql']!)} |`)
  }
  const keyed = result.results.keyed!
  lines.push(
    '',
    `With a fresh Idempotency-Key per request on the hot line: API ${formatSpread(keyed.api!)}/s; pgbench, one commitment per transaction with its idempotency rows (claim, the commitment, stored response; extended): ${formatSpread(keyed['keyed-sql']!)} tps.`,
    '',
  )
  for (const [name, value] of Object.entries(result.ratios)) {
    lines.push(`${name}: ${value.median.toFixed(2)}× (${value.min.toFixed(2)}..${value.max.toFixed(2)})`)
  }
  const exhaustion = result.consistency.exhaustion
  lines.push(
    '',
    `exhaustion burst: ${EXHAUSTION_REQUESTS} commitments of 1 at a line of ${exhaustion.allocated}: ${exhaustion.accepted} accepted, ${exhaustion.refused} refused with 409, committed ${exhaustion.committed}`,
    `lines whose balances differ from their ledger: ${result.consistency.linesDifferingFromLedger}`,
    `overspends: ${result.overspends}`,
    `targets (one hot line: API ≥ 0.7× pgbench's conditional UPDATE; keyed API ≥ 0.7× pgbench keyed-sql): ${result.targetMet ? 'met' : 'NOT met'}`,
  )
  return lines.join('\n')
}

const benchmark: Benchmark = {
  name: 'ledger commitments',
  run: async (databaseUrl) => {
    const result = await benchLedgerCommitments(databaseUrl)
    return { report: formatLedgerBench(result), ok: result.overspends === 0 && result.consistency.linesDifferingFromLedger === 0 }
  },
}

export default benchmark
