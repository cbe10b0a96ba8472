import { trace } from '@opentelemetry/api'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { routeLabel } from '../shared/metrics.js'
import { tracingEnabled } from '../telemetry.js'

/**
 * The ids of the active span for every log line (pino `mixin`), so a log line leads to its trace
 * and a trace to its log lines. Without tracing there is no active span and nothing is added.
 */
export function traceLogFields(): Record<string, string> {
  const span = trace.getActiveSpan()
  if (!span) return {}
  const { traceId, spanId, traceFlags } = span.spanContext()
  return { trace_id: traceId, span_id: spanId, trace_flags: `0${traceFlags.toString(16)}`.slice(-2) }
}

/** Names each request's server span by its route pattern (`GET /v1/return-cases/:id`), never by its URL. */
async function tracingPlugin(app: FastifyInstance): Promise<void> {
  if (!tracingEnabled()) return
  app.addHook('onRequest', async (request) => {
    const span = trace.getActiveSpan()
    if (!span) return
    const route = routeLabel(request)
    span.updateName(`${request.method} ${route}`)
    span.setAttribute('http.route', route)
    span.setAttribute('avrr.request_id', request.id)
  })
}

export default fp(tracingPlugin, { name: 'tracing' })
