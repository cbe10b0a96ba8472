import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { sql } from 'kysely'
import { createSigner } from 'fast-jwt'
import { Pool } from 'undici'
import { DEVELOPMENT_JWT_SECRET } from '../src/config.js'
import type { Database } from '../src/db/database.js'
import { claimStatement } from '../src/modules/events/repository.js'
import type { Benchmark } from './lib/benchmark.js'
import { benchDatabase } from './lib/database.js'
import { runPgbench } from './lib/pgbench.js'
import { startServer } from './lib/server.js'
import { formatSpread, spread } from './lib/stats.js'

/**
 * Events and webhooks, end to end, against the real server (`npm start`'s build, pinned to core 0):
 *
 * - latency: writes (POST /v1/offices, one event each) sent at RATE per second for SECONDS from an
 *   open-loop schedule, each event delivered by webhook to a receiver in this process; p50/p99/max
 *   from the write's response (its commit is just before) and from its scheduled send time;
 * - delivery throughput: BULK events committed in one transaction, until the receiver has them all;
 * - feed throughput: GET /v1/events?limit=500 from the start to the end;
 * - baseline: pgbench of the dispatcher's own claim statement (FOR UPDATE SKIP LOCKED, 50 a claim)
 *   on a database of pending deliveries, in claims of deliveries per second.
 *
 * The server runs with NODE_ENV=development so that a loopback receiver is a permitted target.
 * A B A B for REPETITIONS rounds (delivery, feed, pgbench); medians (min..max).
 */

const RATE = Number(process.env.BENCH_EVENTS_RATE ?? 200)
const SECONDS = Number(process.env.BENCH_EVENTS_SECONDS ?? 30)
const BULK = Number(process.env.BENCH_EVENTS_BULK ?? 20_000)
const REPETITIONS = Number(process.env.BENCH_REPETITIONS ?? 3)
const PGBENCH_SECONDS = Number(process.env.BENCH_SECONDS ?? 5)
const CLAIM_BATCH = 50
const POOL_SIZE = 10
const SERVER_CORE = 0
const LOAD_CORE = 1

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? Number.NaN
}

function summary(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b)
  return `p50 ${percentile(sorted, 0.5).toFixed(0)} ms, p99 ${percentile(sorted, 0.99).toFixed(0)} ms, max ${(sorted.at(-1) ?? Number.NaN).toFixed(0)} ms`
}

/** A local webhook receiver: answers 204 and notes when each event arrived. */
async function startReceiver(): Promise<{ url: string; arrivals: Map<string, number>; count(): number; close(): Promise<void> }> {
  const arrivals = new Map<string, number>()
  let count = 0
  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const at = performance.now()
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data: { entity_id: string } }
      if (!arrivals.has(event.data.entity_id)) count += 1
      arrivals.set(event.data.entity_id, at)
      response.writeHead(204).end()
    })
  })
  server.keepAliveTimeout = 60_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    arrivals,
    count: () => count,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }),
  }
}

async function waitFor(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) return false
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  return true
}

/** BULK events in one transaction, straight into the outbox as a writer's statement would put them. */
async function commitBulk(database: Database, round: number): Promise<void> {
  await sql`
    insert into outbox_events (id, event_type, entity_type, entity_id, case_id, payload)
    select gen_random_uuid(), 'office.updated', 'office', 'bulk-' || ${round}::int || '-' || n, null, '{"status":"bulk"}'::jsonb
    from generate_series(1, ${BULK}::int) as n`.execute(database.db)
}

/** A database of BULK × 10 pending deliveries (distinct cases, due now) for pgbench of the claim statement. */
async function claimBaselineScript(database: Database): Promise<string> {
  const subscription = '00000000-0000-4000-8000-000000000001'
  await sql`insert into webhook_subscriptions (id, url, secret, created_by, updated_at) values (${subscription}, 'http://127.0.0.1:9/', 'whsec_x', 'bench', now())`.execute(database.db)
  await sql`
    insert into webhook_deliveries (id, subscription_id, event_id, event_type, event_sequence, ordering_key, body, next_attempt_at)
    select gen_random_uuid(), ${subscription}, gen_random_uuid(), 'avrr.office.updated', n, n::text, '{}', now() - interval '1 minute'
    from generate_series(1, ${BULK * 10}::int) as n`.execute(database.db)
  await sql`vacuum analyze`.execute(database.db)
  const { sql: text, parameters } = claimStatement({ instance: 'pgbench', limit: CLAIM_BATCH, leaseMs: 3_600_000, excludedSubscriptions: [] }).compile(database.db)
  let script = text
  parameters.forEach((value: unknown, index: number) => {
    const literal = Array.isArray(value) ? `'{}'` : typeof value === 'number' ? String(value) : `'${String(value)}'`
    script = script.replace(new RegExp(`\\$${index + 1}(?!\\d)`), literal)
  })
  return `${script.trim()};\n`
}

const benchmark: Benchmark = {
  name: `Events and webhooks (${RATE} events/s for ${SECONDS} s; ${BULK.toLocaleString('en-US')} events in bulk)`,
  async run(serverUrl) {
    const bench = await benchDatabase(serverUrl)
    const baseline = await benchDatabase(serverUrl)
    const receiver = await startReceiver()
    const server = await startServer({
      core: SERVER_CORE,
      port: 3110,
      env: { DATABASE_URL: bench.url, DATABASE_POOL_SIZE: String(POOL_SIZE), LOG_LEVEL: 'warn', RATE_LIMIT_MAX: '100000000', MAX_EVENT_LOOP_DELAY_MS: '0', NODE_ENV: 'development', JWT_SECRET: DEVELOPMENT_JWT_SECRET },
    })
    const client = new Pool(server.url, { connections: 32 })
    try {
      const token = createSigner({ key: DEVELOPMENT_JWT_SECRET, algorithm: 'HS256', iss: 'avrr-local', aud: 'avrr-api' })({ sub: 'bench', roles: ['admin'] })
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
      const created = await client.request({ method: 'POST', path: '/v1/webhook-subscriptions', headers, body: JSON.stringify({ url: receiver.url }) })
      if (created.statusCode !== 201) throw new Error(`subscription: ${created.statusCode} ${await created.body.text()}`)
      await created.body.dump()

      // Latency at a fixed rate, from an open-loop schedule.
      const total = RATE * SECONDS
      const sent = new Map<string, { scheduled: number; answered: number }>()
      let failures = 0
      const start = performance.now() + 100
      const writes: Promise<void>[] = []
      for (let index = 0; index < total; index += 1) {
        const scheduled = start + (index * 1000) / RATE
        const wait = scheduled - performance.now()
        if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait))
        writes.push(
          client
            .request({ method: 'POST', path: '/v1/offices', headers, body: JSON.stringify({ code: `B${index.toString(36).toUpperCase().padStart(5, '0')}`, name: `Bench ${index}`, country: 'GE', kind: 'partner_office' }) })
            .then(async (response) => {
              const answered = performance.now()
              const body = (await response.body.json()) as { id?: string }
              if (response.statusCode !== 201 || !body.id) failures += 1
              else sent.set(body.id, { scheduled, answered })
            }, () => {
              failures += 1
            }),
        )
      }
      await Promise.all(writes)
      const allArrived = await waitFor(() => [...sent.keys()].every((id) => receiver.arrivals.has(id)), 60_000)
      const fromCommit: number[] = []
      const fromSchedule: number[] = []
      for (const [id, times] of sent) {
        const arrived = receiver.arrivals.get(id)
        if (arrived === undefined) continue
        fromCommit.push(arrived - times.answered)
        fromSchedule.push(arrived - times.scheduled)
      }
      const p99 = percentile([...fromCommit].sort((a, b) => a - b), 0.99)

      // Throughput: delivery of a bulk commit, the feed, and pgbench of the claim statement, interleaved.
      const claimScript = await claimBaselineScript(baseline.database)
      const delivered: number[] = []
      const feed: number[] = []
      const claims: number[] = []
      for (let round = 0; round < REPETITIONS; round += 1) {
        const before = receiver.count()
        const committed = performance.now()
        await commitBulk(bench.database, round)
        const complete = await waitFor(() => receiver.count() - before >= BULK, 300_000)
        delivered.push(complete ? BULK / ((performance.now() - committed) / 1000) : Number.NaN)

        let read = 0
        let cursor: string | null = null
        const feedStarted = performance.now()
        for (;;) {
          const response = await client.request({ method: 'GET', path: `/v1/events?limit=500${cursor ? `&after=${cursor}` : ''}`, headers })
          const page = (await response.body.json()) as { items: unknown[]; next_cursor: string | null; has_more: boolean }
          read += page.items.length
          cursor = page.next_cursor
          if (!page.has_more) break
        }
        feed.push(read / ((performance.now() - feedStarted) / 1000))

        const pg = await runPgbench(LOAD_CORE, { databaseUrl: baseline.url, script: claimScript, clients: POOL_SIZE, seconds: PGBENCH_SECONDS, protocol: 'prepared' })
        claims.push(pg.tps * CLAIM_BATCH)
      }
      const deliveredSpread = spread(delivered)
      const claimSpread = spread(claims)
      const report = [
        `| measure | result |`,
        `| --- | --- |`,
        `| commit → webhook at ${RATE}/s for ${SECONDS} s (${fromCommit.length} of ${total} delivered${allArrived ? '' : ', some missing'}; ${failures} failed writes) | ${summary(fromCommit)} |`,
        `| scheduled send → webhook (includes the write itself) | ${summary(fromSchedule)} |`,
        `| delivery throughput (${BULK.toLocaleString('en-US')} events in one commit, local receiver) | ${formatSpread(deliveredSpread, ' events/s')} |`,
        `| feed throughput (GET /v1/events, 500 a page) | ${formatSpread(spread(feed), ' events/s')} |`,
        `| pgbench: the claim statement, ${CLAIM_BATCH} a claim, ${POOL_SIZE} clients | ${formatSpread(claimSpread, ' deliveries/s')} |`,
        `| delivery / claim baseline | ${(deliveredSpread.median / claimSpread.median).toFixed(2)} |`,
        '',
        `Server pinned: ${server.pinned}. Targets: p99 commit → webhook under 1 s; delivery at least 1,000 events/s.`,
      ].join('\n')
      return { report, ok: allArrived && failures === 0 && Number.isFinite(p99) }
    } finally {
      await client.close()
      await server.stop()
      await receiver.close()
      await bench.drop()
      await baseline.drop()
    }
  },
}

export default benchmark
