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
}

const spec = JSON.parse(process.argv[2] as string) as Spec
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 })
const warmup = Math.round(spec.ratePerSecond * spec.warmupSeconds)
const total = warmup + Math.round(spec.ratePerSecond * spec.durationSeconds)
const intervalMs = 1000 / spec.ratePerSecond
const latencies: number[] = []
let failures = 0

function send(path: string, scheduledAt: number, measured: boolean): Promise<void> {
  return new Promise((resolve) => {
    const request = http.request(`${spec.url}${path}`, { agent, headers: spec.headers }, (response) => {
      response.resume()
      response.on('end', () => {
        if (!measured) return resolve()
        if (response.statusCode !== 200) failures += 1
        latencies.push(performance.now() - scheduledAt)
        resolve()
      })
    })
    request.on('error', () => {
      if (measured) failures += 1
      resolve()
    })
    request.end()
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
      inFlight.push(send(spec.paths[index % spec.paths.length] as string, start + index * intervalMs, index >= warmup))
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
