import { setTimeout as sleep } from 'node:timers/promises'
import { Cluster, freePort, postgresBinaries } from '../test/faults/cluster.js'
import { countByStatus, createOffice, developmentToken, runWriters, type Answer } from '../test/faults/workload.js'
import type { Benchmark } from './lib/benchmark.js'
import { startServer } from './lib/server.js'

const WRITERS = 50
const STEADY_MS = 5000
const AFTER_MS = 5000

const rate = (answers: Answer[], from: number, to: number, status?: number) =>
  (answers.filter((answer) => answer.at >= from && answer.at < to && (status === undefined || answer.status === status)).length * 1000) / Math.max(1, to - from)

/**
 * The service through database restarts under 50 concurrent writers (return cases with
 * Idempotency-Keys, a 503 retried with its key after 100 ms): throughput before, during and after,
 * how long until writes succeed again (from the restart's start, and from the database accepting
 * connections again), and the correctness counts that must be 0: 500s, lost acknowledged writes,
 * keys that took effect twice. It runs on a PostgreSQL cluster of its own (initdb on a free port),
 * never on DATABASE_URL's server, which other work shares.
 */
const benchmark: Benchmark = {
  name: 'Database restarts under 50 concurrent writers',
  async run() {
    const bin = postgresBinaries()
    if (!bin) return { report: 'skipped: no PostgreSQL binaries under /usr/lib/postgresql/*/bin', ok: true }
    const cluster = await Cluster.create(bin)
    try {
      await cluster.start()
      await cluster.query('postgres', 'create database avrr')
      const server = await startServer({
        core: 0,
        port: await freePort(),
        env: { DATABASE_URL: cluster.url('avrr'), LOG_LEVEL: 'warn', RATE_LIMIT_MAX: '100000000', NODE_ENV: 'production', JWT_SECRET: 'development-only-secret-change-me-0123456789' },
      })
      const rows: string[] = []
      let ok = true
      try {
        const token = developmentToken('bench', ['counsellor', 'admin'])
        const officeId = await createOffice(server.url, token, 'BRS')
        for (const mode of ['fast', 'immediate'] as const) {
          const workload = runWriters({ base: server.url, token, officeId, concurrency: WRITERS })
          await sleep(STEADY_MS)
          const faultAt = Date.now()
          await cluster.restart(mode)
          const backAt = Date.now()
          let recoveredAt: number | undefined
          while (recoveredAt === undefined && Date.now() - backAt < 30_000) {
            recoveredAt = workload.result.answers.find((answer) => answer.at > backAt && answer.status === 201)?.at
            if (recoveredAt === undefined) await sleep(20)
          }
          await sleep(AFTER_MS)
          const end = Date.now()
          const result = await workload.stop()
          const rowsByKey = await cluster.query<{ external_reference: string; id: string; copies: number }>(
            'avrr',
            'select external_reference, min(id::text) as id, count(*)::int as copies from return_cases where external_reference = any($1) group by external_reference',
            [[...result.attempted]],
          )
          const stored = new Map(rowsByKey.map((row) => [row.external_reference, row]))
          const lost = [...result.acknowledged].filter(([key, id]) => stored.get(key)?.id !== id).length
          const doubled = rowsByKey.filter((row) => row.copies > 1).length
          const counts = countByStatus(result.answers)
          const errors500 = Object.entries(counts).filter(([status]) => Number(status) >= 500 && Number(status) !== 503).reduce((sum, [, n]) => sum + n, 0)
          const recovery = recoveredAt === undefined ? undefined : recoveredAt - backAt
          const start = faultAt - STEADY_MS
          rows.push(
            `| restart -m ${mode} | ${rate(result.answers, start, faultAt, 201).toFixed(0)} | ${rate(result.answers, faultAt, recoveredAt ?? end).toFixed(0)} (${rate(result.answers, faultAt, recoveredAt ?? end, 201).toFixed(0)} ok) | ${rate(result.answers, (recoveredAt ?? end) + 1000, end, 201).toFixed(0)} | ${backAt - faultAt} | ${recovery ?? 'never'} | ${counts[503] ?? 0} | ${errors500} | ${result.transportErrors} | ${lost} | ${doubled} |`,
          )
          ok &&= lost === 0 && doubled === 0 && errors500 === 0 && result.transportErrors === 0 && recovery !== undefined && recovery < 5000
        }
      } finally {
        await server.stop()
      }
      const report = [
        `${WRITERS} concurrent writers creating return cases (one principal each) with unique Idempotency-Keys; ${STEADY_MS / 1000} s steady, then \`pg_ctl restart\`, then ${AFTER_MS / 1000} s. Server pinned to core 0 (when taskset exists); PostgreSQL ${bin.split('/').at(-2)} of its own, fsync off.`,
        '',
        '| scenario | writes/s before | answers/s during (201s) | writes/s after | database away, ms | first write after the database is back, ms | 503s | 500s | no answer | lost acknowledged writes | keys applied twice |',
        '|---|---|---|---|---|---|---|---|---|---|---|',
        ...rows,
        '',
        'Targets: recovery under 5 s; 0 × 500, 0 lost acknowledged writes, 0 keys applied twice, every request answered.',
      ].join('\n')
      return { report, ok }
    } finally {
      await cluster.destroy()
    }
  },
}

export default benchmark
