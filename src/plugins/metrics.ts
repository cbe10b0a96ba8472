import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { collectProcessMetrics, counter, histogram, metricsRegistry, routeLabel } from '../shared/metrics.js'
import { ProblemError } from '../shared/problems.js'

const requests = counter({
  name: 'http_requests_total',
  help: 'Requests answered, by method, route pattern and status code.',
  labelNames: ['method', 'route', 'status_code'],
})

const duration = histogram({
  name: 'http_request_duration_seconds',
  help: 'Time from the request arriving to the response sent, by method, route pattern and status code.',
  labelNames: ['method', 'route', 'status_code'],
  buckets: [0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
})

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest()
}

/**
 * GET /metrics in Prometheus format, for a scraper holding METRICS_TOKEN (sent as a bearer token). Without
 * METRICS_TOKEN nothing is registered: no route (404), no per-request hook, no process sampling.
 * The route is left out of the spec: it is for operators' scrapers, not for API clients.
 */
async function metricsPlugin(app: FastifyInstance): Promise<void> {
  const token = app.config.METRICS_TOKEN
  if (!token) return
  collectProcessMetrics()
  const expected = digest(`Bearer ${token}`)

  app.addHook('onResponse', async (request, reply) => {
    const labels = { method: request.method, route: routeLabel(request), status_code: String(reply.statusCode) }
    requests.inc(labels)
    duration.observe(labels, reply.elapsedTime / 1000)
  })

  const authorize = async (request: FastifyRequest) => {
    // Hashes of equal length, compared in constant time: the comparison tells nothing about the token.
    if (!timingSafeEqual(digest(request.headers.authorization ?? ''), expected)) {
      throw new ProblemError('unauthenticated', 'GET /metrics needs the bearer token configured as METRICS_TOKEN')
    }
  }

  app.get('/metrics', {
    config: { public: true },
    schema: { hide: true },
    onRequest: authorize,
    handler: async (_request, reply) => reply.type(metricsRegistry.contentType).send(await metricsRegistry.metrics()),
  })
}

export default fp(metricsPlugin, { name: 'metrics', dependencies: ['config'] })
