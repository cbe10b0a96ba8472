import { setTimeout as sleep } from 'node:timers/promises'
import { createSigner } from 'fast-jwt'
import { DEVELOPMENT_JWT_SECRET } from '../src/config.js'
import type { Benchmark } from './lib/benchmark.js'
import { caseId, COUNTRIES, serverEnvironment, STATUSES, withCases } from './lib/cases.js'
import { runLoad } from './lib/load.js'
import { memoryOf } from './lib/memory.js'
import { runOpenLoop } from './lib/open-loop.js'
import { startBareServer, startServer, type RunningServer } from './lib/server.js'
import { createBody } from './return-cases.bench.js'

/**
 * The server's resident memory: idle after start-up, and under a sustained mixed load at 70 % of
 * what it can serve (gets of 1,000 cases, lists with changing filters and cursors, creates with new
 * families: 80 / 15 / 5 %) for BENCH_MEMORY_SECONDS (default 300), sampled every 5 s. Flat means
 * the RSS at the end within 10 % of its value after the first minute (warm-up: JIT, pools, prepared
 * statements, caches). A bare Fastify + pg process idles beside it for reference.
 *
 * Capacity is measured first, closed loop (autocannon, 16 connections) per kind of request, and
 * combined for the mix; the load is then sent open loop at 70 % of it.
 */
// Memory does not depend on the table sizes: a smaller data set keeps the whole bench run near 10 minutes.
const CASES = Number(process.env.BENCH_MEMORY_CASES ?? 20_000)
const SECONDS = Number(process.env.BENCH_MEMORY_SECONDS ?? 300)
const SAMPLE_SECONDS = 5
const SERVER_CORE = 0
const LOAD_CORE = 1

function mixPaths(officeId: string): string[] {
  const paths: string[] = []
  for (let index = 0; index < 400; index += 1) {
    const slot = index % 20
    if (slot === 0) paths.push('POST /v1/return-cases')
    else if (slot <= 3) {
      const status = STATUSES[index % STATUSES.length]
      const country = COUNTRIES[(index >> 2) % COUNTRIES.length]
      const filters = [`status=${status}`, `country_of_return=${country}`, `status=${status}&country_of_return=${country}`, `office_id=${officeId}&status=${status}`]
      paths.push(`/v1/return-cases?${filters[index % filters.length]}&limit=${10 + (index % 3) * 20}`)
    } else paths.push(`/v1/return-cases/${caseId(1 + ((index * 97) % CASES))}`)
  }
  return paths
}

const benchmark: Benchmark = {
  name: 'Server memory under sustained load',
  async run(serverUrl) {
    return withCases(serverUrl, CASES, async (bench, officeId) => {
    let server: RunningServer | undefined
    let bare: RunningServer | undefined
    try {
      const env = serverEnvironment(bench.url)
      server = await startServer({ core: SERVER_CORE, port: 3200, env })
      bare = await startBareServer({ core: SERVER_CORE, port: 3201, env })
      // Idle: a few seconds after start-up, once V8's memory reducer has collected what start-up left behind.
      await sleep(5000)
      const idle = memoryOf(server.pid)
      const bareIdle = memoryOf(bare.pid)
      await bare.stop()
      bare = undefined

      const token = createSigner({ key: DEVELOPMENT_JWT_SECRET, algorithm: 'HS256', iss: 'avrr-local', aud: 'avrr-api' })({ sub: 'bench', roles: ['counsellor', 'admin'] })
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
      const body = createBody(officeId, 'Memory__UNIQUE__')
      const capacityOf = async (spec: Pick<Parameters<typeof runLoad>[1], 'method' | 'paths' | 'bodies' | 'uniqueBodies' | 'uniqueIdempotencyKeys'>) =>
        (await runLoad(LOAD_CORE, { url: server!.url, connections: 16, durationSeconds: 5, headers, ...spec })).okPerSecond
      const paths = mixPaths(officeId)
      const get = await capacityOf({ method: 'GET', paths: paths.filter((path) => path.startsWith('/v1/return-cases/')) })
      const list = await capacityOf({ method: 'GET', paths: paths.filter((path) => path.includes('?')) })
      const create = await capacityOf({ method: 'POST', paths: ['/v1/return-cases'], bodies: [body], uniqueBodies: true, uniqueIdempotencyKeys: true })
      const capacity = 1 / (0.8 / get + 0.15 / list + 0.05 / create)
      const rate = Math.max(1, Math.round(0.7 * capacity))
      const afterCapacity = memoryOf(server.pid)
      // Let the heap the bursts grew settle, so the first minute of the sustained run measures that run, not the bursts' decay.
      await sleep(20_000)

      const samples: Array<{ second: number; rss: number }> = []
      const started = Date.now()
      const sampler = setInterval(() => samples.push({ second: Math.round((Date.now() - started) / 1000), rss: memoryOf(server!.pid) }), SAMPLE_SECONDS * 1000)
      const load = await runOpenLoop(LOAD_CORE, { url: server.url, paths, headers: { authorization: headers.authorization }, ratePerSecond: rate, durationSeconds: SECONDS, warmupSeconds: 0, postBodies: [body] })
      clearInterval(sampler)
      const end = memoryOf(server.pid)
      const minuteOne = samples.find((sample) => sample.second >= Math.min(60, SECONDS / 2))?.rss ?? Number.NaN
      const peak = Math.max(...samples.map((sample) => sample.rss), end)
      const growth = end / minuteOne - 1
      const trace = samples.filter((_, index) => index % 6 === 5).map((sample) => `${sample.second} s ${sample.rss.toFixed(0)}`).join(', ')
      const report = [
        `Server pinned to core ${SERVER_CORE}, load on core ${LOAD_CORE}; ${CASES.toLocaleString('en-US')} cases; pool 10.`,
        '',
        `- idle after start-up: **${idle.toFixed(0)} MB** RSS (bare Fastify + pg: ${bareIdle.toFixed(0)} MB); target ≤ 120 MB: ${idle <= 120 ? 'met' : 'NOT met'};`,
        `- capacity, closed loop: get ${Math.round(get)}/s, list ${Math.round(list)}/s, create ${Math.round(create)}/s; the 80/15/5 mix about ${Math.round(capacity)}/s; RSS after these bursts ${afterCapacity.toFixed(0)} MB;`,
        `- sustained mix at ${rate} req/s (70 %) for ${SECONDS} s, open loop: p50 ${load.p50.toFixed(1)} ms, p99 ${load.p99.toFixed(1)} ms, ${load.failures} failures of ${load.sent};`,
        `- RSS after the first minute **${minuteOne.toFixed(0)} MB**, at the end **${end.toFixed(0)} MB** (${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(1)} %), peak ${peak.toFixed(0)} MB; target within 10 %: ${Math.abs(growth) <= 0.1 ? 'met' : 'NOT met'};`,
        `- RSS every 30 s (MB): ${trace}.`,
      ].join('\n')
      return { report, ok: load.failures === 0 }
    } finally {
      await bare?.stop()
      await server?.stop()
    }
    })
  },
}

export default benchmark
