import { readFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { createSigner } from 'fast-jwt'
import { sql, type Kysely } from 'kysely'
import { DEVELOPMENT_JWT_SECRET } from '../src/config.js'
import type { Database } from '../src/db/database.js'
import type { DB } from '../src/db/schema.js'
import { createOffice } from '../src/modules/offices/service.js'
import { createBudgetLine, createProject, transitionProject } from '../src/modules/projects/index.js'
import { returnsQuery, satisfactionQuery } from '../src/modules/statistics/index.js'
import type { RequestContext } from '../src/shared/context.js'
import type { Benchmark } from './lib/benchmark.js'
import { benchDatabase } from './lib/database.js'
import { runPgbench } from './lib/pgbench.js'
import { startServer, type RunningServer } from './lib/server.js'
import { formatSpread, ratio, spread } from './lib/stats.js'

/**
 * Statistics over CASES returned cases (3 or 4 travellers each, so 3.5 × CASES persons, every
 * one with a passport, a ticket used and, for nine in ten, an arrival): each statistic through
 * the API (sequential requests, latency per request) against pgbench of the very statement the
 * service sends (one client, its mean latency), in the same run, A B A B; and the CSV of the
 * largest table (grouped by month and country) in rows/s with the server's RSS before and after.
 * Server on core 0, pgbench and the client on core 1.
 */

const CASES = Number(process.env.BENCH_CASES ?? 100_000)
const REPETITIONS = Number(process.env.BENCH_REPETITIONS ?? 3)
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 40)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5)
const SERVER_CORE = 0
const LOAD_CORE = 1
const COUNTRIES = ['GE', 'IQ', 'AF', 'UA', 'MD', 'AZ', 'AM', 'TJ', 'UZ', 'VN']
const CONTEXT: RequestContext = { actor: { sub: 'bench', roles: ['admin'], officeId: null }, requestId: 'bench-setup' }
const EUR = (amount_minor: number) => ({ amount_minor, currency: 'EUR' })

async function loadReturns(database: Database): Promise<string> {
  const db = database.db
  const office = await db.transaction().execute((trx) => createOffice(trx, CONTEXT, { code: 'VNO', name: 'IOM Vilnius', country: 'LT', kind: 'country_office' }))
  const { projectId, lineId } = await db.transaction().execute(async (trx) => {
    const project = await createProject(trx, CONTEXT, {
      code: 'BENCH-STATS',
      title: 'Benchmark project',
      starts_on: '2020-01-01',
      ends_on: '2027-12-31',
      total: EUR(1_000_000_000),
      co_funders: [{ name: 'Donor', share_bp: 10_000 }],
    })
    const line = await createBudgetLine(trx, CONTEXT, project.id, { category: 'travel', name: 'Travel', allocated: EUR(1_000_000_000) })
    await transitionProject(trx, CONTEXT, project.id, 'activate', undefined, null)
    return { projectId: project.id, lineId: line.id }
  })
  const countries = `array[${COUNTRIES.map((code) => `'${code}'`).join(',')}]`
  const statements = [
    `insert into return_cases (id, reference, office_id, project_id, legal_status, referral_source, country_of_return, intended_departure_on, status, created_by, applied_on)
     select md5('case' || n)::uuid, 'VNO-2025-' || lpad(n::text, 6, '0'), '${office.id}', '${projectId}', 'irregular_stay', 'self',
            (${countries})[1 + n % ${COUNTRIES.length}], date '2024-01-01' + (n % 1000), 'arrived', 'bench', date '2023-11-01' + (n % 1000)
     from generate_series(1, ${CASES}) as n`,
    `insert into case_members (id, case_id, relationship, is_principal, given_name, family_name, name_key, sex, date_of_birth, nationality, created_by)
     select md5('member' || n || '-' || p)::uuid, md5('case' || n)::uuid, (array['principal','spouse_partner','child','child'])[p], p = 1,
            'Given' || p, 'Family' || n, 'given' || p || '|family' || n, (array['male','female','male','female'])[p],
            case when p <= 2 then date '1975-01-01' + (n % 9000) else date '2008-01-01' + (n % 5000) end, 'GE', 'bench'
     from generate_series(1, ${CASES}) as n cross join lateral generate_series(1, 3 + n % 2) as p`,
    `insert into member_vulnerabilities (id, case_id, member_id, code, recorded_by)
     select md5('vulnerability' || m.id)::uuid, m.case_id, m.id, (array['medical_needs','single_parent','victim_of_trafficking','other'])[1 + abs(hashtext(m.id::text)) % 4], 'bench'
     from case_members m where m.is_principal and abs(hashtext(m.id::text)) % 5 = 0`,
    `insert into travel_documents (id, case_id, member_id, kind, status, document_number, issuing_country, issued_on, expires_on, created_by)
     select md5('document' || m.id)::uuid, m.case_id, m.id, 'national_passport', 'valid', 'P' || substr(md5(m.id::text), 1, 8), 'GE', date '2020-01-01', date '2030-01-01', 'bench'
     from case_members m`,
    `insert into bookings (id, case_id, booking_reference, status, travel_starts_at, travel_ends_on, created_by)
     select md5('booking' || c.id)::uuid, c.id, upper(substr(md5(c.id::text), 1, 6)), 'active', c.intended_departure_on + time '10:00', c.intended_departure_on, 'bench'
     from return_cases c`,
    `insert into payment_requests (id, kind, status, project_id, budget_line_id, case_id, source_type, source_id, commit_on_approval, commitment_source_type, commitment_source_id,
                                   amount_minor, currency, payee_type, payee_name, description, requested_by)
     select md5('payment' || m.id)::uuid, 'ticket', 'requested', '${projectId}', '${lineId}', m.case_id, 'ticket', md5('ticket' || m.id)::uuid, true, 'ticket', md5('ticket' || m.id)::uuid,
            30000, 'EUR', 'supplier', 'Travel agency', 'Ticket', 'bench'
     from case_members m`,
    `insert into tickets (id, case_id, booking_id, member_id, ticket_number, fare_minor, currency, payee_type, payee_name, status, payment_request_id, travel_document_id,
                          issued_at, departed_at, departure_recorded_by, departure_recorded_at, arrived_at, arrival_recorded_by, arrival_recorded_at, requested_by)
     select md5('ticket' || m.id)::uuid, m.case_id, md5('booking' || m.case_id)::uuid, m.id, lpad((row_number() over (order by m.id))::text, 13, '0'),
            30000, 'EUR', 'supplier', 'Travel agency', 'used', md5('payment' || m.id)::uuid, md5('document' || m.id)::uuid,
            c.intended_departure_on - 5, c.intended_departure_on + time '08:00', 'bench', c.intended_departure_on + time '09:00',
            case when abs(hashtext(m.case_id::text)) % 10 = 0 then null else c.intended_departure_on + time '14:00' end,
            case when abs(hashtext(m.case_id::text)) % 10 = 0 then null else 'bench' end,
            case when abs(hashtext(m.case_id::text)) % 10 = 0 then null else c.intended_departure_on + time '15:00' end, 'bench'
     from case_members m join return_cases c on c.id = m.case_id`,
    `insert into satisfaction_surveys (id, case_id, member_id, surveyed_on, counselling_score, travel_score, reintegration_score, recorded_by)
     select md5('survey' || m.id)::uuid, m.case_id, m.id, date '2024-03-01' + (abs(hashtext(m.id::text)) % 900), 3 + abs(hashtext(m.id::text)) % 3, 4, null, 'bench'
     from case_members m where m.is_principal`,
  ]
  for (const statement of statements) await sql.raw(statement).execute(db)
  await sql`vacuum analyze`.execute(db)
  return projectId
}

/** The statement with its parameters written in as literals, for a pgbench script. */
function literalSql(compiled: { sql: string; parameters: readonly unknown[] }): string {
  return `${compiled.sql.replace(/\$(\d+)/g, (_, index: string) => {
    const value = compiled.parameters[Number(index) - 1]
    return typeof value === 'number' ? String(value) : `'${String(value).replace(/'/g, "''")}'`
  }).replace(/\s+/g, ' ')};\n`
}

function percentile(samples: number[], fraction: number): number {
  const sorted = [...samples].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] as number
}

function memoryOf(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? Number.NaN) / 1024
}

async function timedRequests(url: string, headers: Record<string, string>, count: number): Promise<number[]> {
  const latencies: number[] = []
  for (let index = 0; index < count; index += 1) {
    const started = performance.now()
    const response = await fetch(url, { headers })
    await response.arrayBuffer()
    if (!response.ok) throw new Error(`${url} answered ${response.status}`)
    latencies.push(performance.now() - started)
  }
  return latencies
}

interface ListExport {
  rows: number
  seconds: number
  rssBefore: number
  peakRss: number
}

/** Reads a whole list export as the client takes it, counting rows, while sampling the server's RSS. */
async function exportList(url: string, headers: Record<string, string>, pid: number): Promise<ListExport> {
  const rssBefore = memoryOf(pid)
  let peakRss = rssBefore
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, memoryOf(pid))
  }, 50)
  const started = performance.now()
  try {
    const response = await fetch(url, { headers: { ...headers, accept: 'text/csv' } })
    if (!response.ok || !response.body) throw new Error(`${url} answered ${response.status}`)
    let newlines = 0
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      for (const byte of chunk) if (byte === 10) newlines += 1
    }
    return { rows: newlines - 1, seconds: (performance.now() - started) / 1000, rssBefore, peakRss: Math.max(peakRss, memoryOf(pid)) }
  } finally {
    clearInterval(sampler)
  }
}

interface Scenario {
  name: string
  path: string
  statement: (db: Kysely<DB>) => { sql: string; parameters: readonly unknown[] }
}

const benchmark: Benchmark = {
  name: `Statistics (${CASES.toLocaleString('en-US')} cases, about ${(CASES * 3.5).toLocaleString('en-US')} persons)`,
  async run(serverUrl) {
    const bench = await benchDatabase(serverUrl)
    let server: RunningServer | undefined
    try {
      const projectId = await loadReturns(bench.database)
      const staff = { includeRestricted: true }
      const scenarios: Scenario[] = [
        {
          name: 'returns, one year, totals',
          path: `/v1/statistics/returns?from=2024-01-01&to=2024-12-31`,
          statement: (db) => returnsQuery(db, { from: '2024-01-01', to: '2024-12-31' }, [], staff).compile(db),
        },
        {
          name: 'returns of a project by country and quarter',
          path: `/v1/statistics/returns?project_id=${projectId}&group_by=country,quarter`,
          statement: (db) => returnsQuery(db, { project_id: projectId }, ['country', 'quarter'], staff).compile(db),
        },
        {
          name: 'satisfaction of a project',
          path: `/v1/statistics/satisfaction?project_id=${projectId}`,
          statement: (db) => satisfactionQuery(db, { project_id: projectId }, staff).compile(db),
        },
      ]
      server = await startServer({
        core: SERVER_CORE,
        port: 3110,
        env: { DATABASE_URL: bench.url, DATABASE_POOL_SIZE: '10', LOG_LEVEL: 'warn', RATE_LIMIT_MAX: '100000000', MAX_EVENT_LOOP_DELAY_MS: '0', NODE_ENV: 'production', JWT_SECRET: DEVELOPMENT_JWT_SECRET },
      })
      const token = createSigner({ key: DEVELOPMENT_JWT_SECRET, algorithm: 'HS256', iss: 'avrr-local', aud: 'avrr-api' })({ sub: 'bench', roles: ['admin'] })
      const headers = { authorization: `Bearer ${token}` }
      const lines = [
        `Server pinned to core ${SERVER_CORE}${server.pinned ? '' : ' (taskset unavailable: not pinned)'}; the client and pgbench (one client, extended protocol as node-pg sends) on core ${LOAD_CORE}. ${REPETITIONS} rounds of ${REQUESTS} sequential requests and ${SECONDS} s of pgbench; medians (min..max).`,
        '',
        '| statistic | API p50 | API p95 | pgbench mean latency | API p50 / pgbench |',
        '| --- | --- | --- | --- | --- |',
      ]
      let ok = true
      for (const scenario of scenarios) {
        const script = literalSql(scenario.statement(bench.database.db))
        await timedRequests(`${server.url}${scenario.path}`, headers, 3)
        const p50: number[] = []
        const p95: number[] = []
        const pg: number[] = []
        for (let round = 0; round < REPETITIONS; round += 1) {
          const latencies = await timedRequests(`${server.url}${scenario.path}`, headers, REQUESTS)
          p50.push(percentile(latencies, 0.5))
          p95.push(percentile(latencies, 0.95))
          const result = await runPgbench(LOAD_CORE, { databaseUrl: bench.url, script, clients: 1, seconds: SECONDS, protocol: 'extended' })
          ok &&= result.failed === 0
          pg.push(1000 / result.tps)
        }
        const vs = ratio(spread(p50), spread(pg))
        lines.push(`| ${scenario.name} | ${formatSpread(spread(p50), ' ms')} | ${formatSpread(spread(p95), ' ms')} | ${formatSpread(spread(pg), ' ms')} | ${vs.median.toFixed(2)} |`)
      }
      const before = memoryOf(server.pid)
      const started = performance.now()
      const csv = await fetch(`${server.url}/v1/statistics/returns?group_by=month,country`, { headers: { ...headers, accept: 'text/csv' } })
      const rows = (await csv.text()).trim().split('\r\n').length - 1
      const seconds = (performance.now() - started) / 1000
      const after = memoryOf(server.pid)
      lines.push(
        '',
        `CSV of returns by month and country: ${rows} rows in ${seconds.toFixed(2)} s (${Math.round(rows / seconds)} rows/s); server RSS ${before.toFixed(0)} MB before, ${after.toFixed(0)} MB after.`,
      )
      const exports: ListExport[] = []
      for (let round = 0; round < REPETITIONS; round += 1) exports.push(await exportList(`${server.url}/v1/return-cases`, headers, server.pid))
      const exportOk = exports.every((run) => run.rows === CASES)
      const rate = spread(exports.map((run) => run.rows / run.seconds))
      const growth = spread(exports.map((run) => run.peakRss - run.rssBefore))
      ok &&= exportOk
      lines.push(
        '',
        `List export, \`GET /v1/return-cases\` as CSV (every case, streamed): ${exports.map((run) => run.rows).join(', ')} rows; ${formatSpread(rate, ' rows/s')}; server RSS growth (peak during the export, sampled every 50 ms, minus before) ${formatSpread(growth, ' MB')}; RSS before ${exports.map((run) => run.rssBefore.toFixed(0)).join(', ')} MB, peak ${exports.map((run) => run.peakRss.toFixed(0)).join(', ')} MB.`,
        '',
        'Targets: each statistic p95 under 200 ms through the API, within 1.3× of pgbench; the list export at least 20,000 rows/s with RSS growth under 50 MB.',
      )
      return { report: lines.join('\n'), ok }
    } finally {
      await server?.stop()
      await bench.drop()
    }
  },
}

export default benchmark
