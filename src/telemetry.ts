/**
 * Tracing (OpenTelemetry), loaded before the application with `node --import ./dist/src/telemetry.js`
 * (npm start and the image do), so the instrumented libraries are patched before anything imports them.
 *
 * Off unless OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set: then nothing
 * is loaded, no hook is installed, and a request costs nothing extra. On, the Node SDK traces every HTTP
 * request (server spans continue an incoming W3C `traceparent`), each SQL statement on the pg pool, and
 * outgoing HTTP calls made with fetch/undici or http (which carry `traceparent` on), and exports them
 * over OTLP; the standard OTEL_* variables (OTEL_SERVICE_NAME, OTEL_EXPORTER_OTLP_PROTOCOL,
 * OTEL_TRACES_SAMPLER, …) apply as the SDK reads them.
 */
import { register } from 'node:module'

interface Telemetry {
  shutdown(): Promise<void>
}

let telemetry: Telemetry | undefined

export function tracingEnabled(env: Record<string, string | undefined> = process.env): boolean {
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) && env.OTEL_SDK_DISABLED !== 'true'
}

async function startTracing(): Promise<Telemetry> {
  // Only the instrumented packages are wrapped on import (pg, http, undici), not every module of the app.
  const { createAddHookMessageChannel } = await import('import-in-the-middle')
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel()
  register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions)

  const [{ NodeSDK }, { HttpInstrumentation }, { PgInstrumentation }, { UndiciInstrumentation }] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/instrumentation-http'),
    import('@opentelemetry/instrumentation-pg'),
    import('@opentelemetry/instrumentation-undici'),
  ])
  const sdk = new NodeSDK({
    serviceName: process.env.OTEL_SERVICE_NAME ?? 'avrr-service',
    instrumentations: [
      // Probes and scrapes are not traced: they would be most of the spans and tell nothing.
      new HttpInstrumentation({ ignoreIncomingRequestHook: (request) => ['/healthz', '/readyz', '/metrics'].includes(request.url ?? '') }),
      new PgInstrumentation({ requireParentSpan: true }),
      new UndiciInstrumentation(),
    ],
    // Traces only: metrics are Prometheus (GET /metrics), logs are pino on stdout.
    metricReaders: [],
    logRecordProcessors: [],
  })
  sdk.start()
  await waitForAllMessagesAcknowledged()
  return sdk
}

if (tracingEnabled()) telemetry = await startTracing()

/** Flushes the spans not yet exported; the server calls it last on shutdown. */
export async function shutdownTelemetry(): Promise<void> {
  await telemetry?.shutdown()
}
