import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createSigner } from 'fast-jwt'
import { DEVELOPMENT_JWT_SECRET } from '../src/config.js'
import { createOffice } from '../src/modules/offices/service.js'
import type { RequestContext } from '../src/shared/context.js'
import type { Benchmark } from './lib/benchmark.js'
import { benchDatabase } from './lib/database.js'
import { runLoad, type LoadResult } from './lib/load.js'
import { startServer, type RunningServer } from './lib/server.js'
import { formatSpread, ratio, spread } from './lib/stats.js'

/**
 * The cost of telemetry: the same server with telemetry off (the default), with metrics on
 * (METRICS_TOKEN, scraped once a second as a Prometheus would, faster than the usual 15 s), and with metrics
 * and tracing on (OTEL_EXPORTER_OTLP_ENDPOINT, every request sampled, spans exported over OTLP/protobuf to a sink
 * that discards them). Workload: GET /v1/offices/{id} (authentication, one indexed query, serialization),
 * the cheapest real read, so the telemetry's share is at its largest.
 *
 * The three servers run side by side on core 0 (pool of 10 each), the load generator on core 1; rounds
 * interleave off / metrics / tracing REPETITIONS times; medians (min..max), ratios per round.
 * Also each server's resident memory when idle after start-up. Target: throughput loss < 10 % with metrics on.
 */

const REPETITIONS = Number(process.env.BENCH_REPETITIONS ?? 3)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16)
const SERVER_CORE = 0
const LOAD_CORE = 1
const METRICS_TOKEN = 'bench-metrics-token-0123456789'
const CONTEXT: RequestContext = { actor: { sub: 'bench', roles: ['admin'], officeId: null }, requestId: 'bench-setup' }

function memoryOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN) / 1024
}

/** An OTLP/HTTP endpoint that accepts and drops every export, counting them. */
async function otlpSink(): Promise<{ url: string; exports: () => number; close(): Promise<void> }> {
  let exports = 0
  const sink = createServer((request, response) => {
    request.resume()
    request.on('end', () => {
      exports += 1
      response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end()
    })
  })
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(sink.address() as AddressInfo).port}`,
    exports: () => exports,
    close: () => new Promise((resolve) => sink.close(() => resolve())),
  }
}

type Mode = 'off' | 'metrics' | 'metrics + tracing'

const benchmark: Benchmark = {
  name: 'Telemetry on and off',
  async run(serverUrl) {
    const bench = await benchDatabase(serverUrl)
    const sink = await otlpSink()
    const servers = new Map<Mode, RunningServer>()
    let scraper: NodeJS.Timeout | undefined
    try {
      const office = await bench.database.db.transaction().execute((trx) =>
        createOffice(trx, CONTEXT, { code: 'VNO', name: 'IOM Vilnius', country: 'LT', kind: 'country_office' }),
      )
      const base = { DATABASE_URL: bench.url, DATABASE_POOL_SIZE: '10', LOG_LEVEL: 'warn', RATE_LIMIT_MAX: '100000000', MAX_EVENT_LOOP_DELAY_MS: '0', NODE_ENV: 'production', JWT_SECRET: DEVELOPMENT_JWT_SECRET, MIGRATE_ON_START: 'false' }
      const environments: Record<Mode, Record<string, string>> = {
        off: {},
        metrics: { METRICS_TOKEN },
        'metrics + tracing': { METRICS_TOKEN, OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' },
      }
      const idle = new Map<Mode, number>()
      let port = 3110
      for (const [mode, env] of Object.entries(environments) as Array<[Mode, Record<string, string>]>) {
        const server = await startServer({ core: SERVER_CORE, port: port++, env: { ...base, ...env } })
        servers.set(mode, server)
        await new Promise((resolve) => setTimeout(resolve, 2000))
        idle.set(mode, memoryOf(server.pid))
      }
      // A scraper once a second on the servers with metrics on, as Prometheus would (usually every 15 s).
      scraper = setInterval(() => {
        for (const mode of ['metrics', 'metrics + tracing'] as const) {
          fetch(`${servers.get(mode)?.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } }).then((response) => response.arrayBuffer(), () => undefined)
        }
      }, 1000)

      const token = createSigner({ key: DEVELOPMENT_JWT_SECRET, algorithm: 'HS256', iss: 'avrr-local', aud: 'avrr-api' })({ sub: 'bench', roles: ['admin'] })
      const drive = (mode: Mode) =>
        runLoad(LOAD_CORE, { url: servers.get(mode)?.url as string, method: 'GET', paths: [`/v1/offices/${office.id}`], headers: { authorization: `Bearer ${token}` }, connections: CONNECTIONS, durationSeconds: SECONDS })

      const results: Record<Mode, LoadResult[]> = { off: [], metrics: [], 'metrics + tracing': [] }
      for (const mode of Object.keys(results) as Mode[]) await drive(mode) // warm-up
      for (let round = 0; round < REPETITIONS; round += 1) {
        for (const mode of Object.keys(results) as Mode[]) results[mode].push(await drive(mode))
      }

      const throughput = (mode: Mode) => spread(results[mode].map((result) => result.okPerSecond))
      const off = throughput('off')
      const lines = [
        `GET /v1/offices/{id}, ${CONNECTIONS} connections, ${REPETITIONS} × ${SECONDS} s per mode, interleaved.`,
        '',
        '| telemetry | requests/s | p50 / p99 | vs off | idle RSS |',
        '| --- | --- | --- | --- | --- |',
      ]
      let ok = true
      for (const mode of Object.keys(results) as Mode[]) {
        const p50 = spread(results[mode].map((result) => result.latencyP50))
        const p99 = spread(results[mode].map((result) => result.latencyP99))
        const vsOff = ratio(throughput(mode), off)
        lines.push(`| ${mode} | ${formatSpread(throughput(mode))} | ${formatSpread(p50, ' ms')} / ${formatSpread(p99, ' ms')} | ${vsOff.median.toFixed(2)} (${vsOff.min.toFixed(2)}..${vsOff.max.toFixed(2)}) | ${idle.get(mode)?.toFixed(0)} MB |`)
        ok &&= results[mode].every((result) => result.non2xx === 0 && result.errors === 0)
      }
      const metricsLoss = 1 - ratio(throughput('metrics'), off).median
      lines.push(
        '',
        `OTLP exports received by the sink: ${sink.exports()}.`,
        `Target: throughput loss with metrics on < 10 % (${metricsLoss < 0.1 ? 'met' : 'not met'}: ${(metricsLoss * 100).toFixed(1)} %).`,
      )
      if (sink.exports() === 0) ok = false
      return { report: lines.join('\n'), ok }
    } finally {
      if (scraper) clearInterval(scraper)
      for (const server of servers.values()) await server.stop()
      await sink.close()
      await bench.drop()
    }
  },
}

export default benchmark
