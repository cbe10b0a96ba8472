import { readFileSync } from 'node:fs'
import { randomUUID } from 'node:crypto'
import autocannon from 'autocannon'
import type { LoadResult, LoadSpec } from './load.js'

// Child process of runLoad: one autocannon run, its summary as one JSON line on stdout.
const spec = JSON.parse(readFileSync(process.argv[2] as string, 'utf8')) as LoadSpec
const statusCounts: Record<string, number> = {}
let next = 0

const options: autocannon.Options = {
  url: spec.url,
  connections: spec.connections,
  pipelining: 1,
  ...(spec.amount ? { amount: spec.amount } : { duration: spec.durationSeconds ?? 5 }),
  requests: [
    {
      method: spec.method,
      headers: spec.headers,
      ...(spec.body ? { body: spec.body } : {}),
      setupRequest: (request) => {
        const path = spec.paths[next % spec.paths.length] as string
        next += 1
        const template = spec.bodies ? (spec.bodies[next % spec.bodies.length] as string) : request.body
        const body = spec.uniqueBodies && typeof template === 'string' ? template.replaceAll('__UNIQUE__', `${process.pid}x${next}`) : template
        if (!spec.uniqueIdempotencyKeys) return { ...request, path, body }
        return { ...request, path, body, headers: { ...request.headers, 'idempotency-key': `${process.pid}-${next}-${randomUUID()}` } }
      },
    },
  ],
}

const result = await new Promise<autocannon.Result>((resolve, reject) => {
  const instance = autocannon(options, (error, outcome) => (error ? reject(error) : resolve(outcome)))
  instance.on('response', (_client, statusCode) => {
    statusCounts[statusCode] = (statusCounts[statusCode] ?? 0) + 1
  })
})

const summary: LoadResult = {
  ok: result['2xx'],
  non2xx: result.non2xx,
  errors: result.errors + result.timeouts,
  durationSeconds: result.duration,
  okPerSecond: result['2xx'] / result.duration,
  latencyP50: result.latency.p50,
  latencyP99: result.latency.p99,
  statusCounts,
}
console.log(JSON.stringify(summary))
