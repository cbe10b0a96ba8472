import { readFileSync } from 'node:fs'
import http from 'node:http'

/**
 * Child process of runOpenLoop: sends requests at a fixed rate on an even schedule (open loop:
 * a slow response never delays the next send) and measures each latency from its scheduled
 * send time, so queueing delay is counted rather than hidden (no coordinated omission).
 */
interface Spec {
  url: string
  paths: string[]
  headers: Record<string, string>
  ratePerSecond: number
  durationSeconds: number
  /** Sent on the same schedule before the measured part, not measured: opens the keep-alive sockets the rate needs. */
  warmupSeconds: number
  /** Bodies for the paths written `POST /path`: sent as JSON with a fresh Idempotency-Key, `__UNIQUE__` replaced by a value no other request has. */
  postBodies?: string[]
}

const spec = JSON.parse(readFileSync(process.argv[2] as string, 'utf8')) as Spec
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 })
const warmup = Math.round(spec.ratePerSecond * spec.warmupSeconds)
const total = warmup + Math.round(spec.ratePerSecond * spec.durationSeconds)
const intervalMs = 1000 / spec.ratePerSecond
const latencies: number[] = []
let failures = 0

function send(target: string, scheduledAt: number, measured: boolean, index: number): Promise<void> {
  const post = target.startsWith('POST ')
  const path = post ? target.slice(5) : target
  const body = post ? (spec.postBodies?.[index % spec.postBodies.length] ?? '{}').replaceAll('__UNIQUE__', `${process.pid}x${index}`) : undefined
  const headers = post ? { ...spec.headers, 'content-type': 'application/json', 'idempotency-key': `${process.pid}-${index}` } : spec.headers
  return new Promise((resolve) => {
    const request = http.request(`${spec.url}${path}`, { agent, headers, method: post ? 'POST' : 'GET' }, (response) => {
      response.resume()
      response.on('end', () => {
        if (!measured) return resolve()
        if (response.statusCode !== 200 && response.statusCode !== 201) failures += 1
        latencies.push(performance.now() - scheduledAt)
        resolve()
      })
    })
    request.on('error', () => {
      if (measured) failures += 1
      resolve()
    })
    request.end(body)
  })
}

const start = performance.now() + 50
const inFlight: Promise<void>[] = []
// Each timer tick (about 1 ms) sends every request whose time has come, then sleeps: the generator
// shares its core with PostgreSQL, so it must not spin; a late tick is counted in the latency, since
// latency runs from the scheduled time.
await new Promise<void>((resolve) => {
  let index = 0
  const tick = () => {
    const now = performance.now()
    while (index < total && start + index * intervalMs <= now) {
      inFlight.push(send(spec.paths[index % spec.paths.length] as string, start + index * intervalMs, index >= warmup, index))
      index += 1
    }
    if (index >= total) resolve()
    else setTimeout(tick, 1)
  }
  tick()
})
await Promise.all(inFlight)
agent.destroy()
latencies.sort((a, b) => a - b)
const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN
console.log(JSON.stringify({ sent: total - warmup, failures, p50: at(0.5), p99: at(0.99), max: latencies.at(-1) ?? Number.NaN }))
