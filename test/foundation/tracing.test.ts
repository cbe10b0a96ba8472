import { spawn } from 'node:child_process'
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createSigner } from 'fast-jwt'
import t from 'tap'
import { DEVELOPMENT_JWT_SECRET } from '../../src/config.js'
import { createFreshDatabase } from '../helpers/database.js'

interface OtlpSpan {
  traceId: string
  spanId: string
  parentSpanId?: string
  name: string
  kind: number
  attributes: Array<{ key: string; value: { stringValue?: string } }>
}

/** A minimal OTLP/HTTP (JSON) trace receiver on a free loopback port. */
async function otlpReceiver() {
  const spans: OtlpSpan[] = []
  const server = createServer((request: IncomingMessage, response) => {
    let body = ''
    request.on('data', (chunk) => (body += chunk))
    request.on('end', () => {
      if (request.url === '/v1/traces') {
        const payload = JSON.parse(body) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }> }
        for (const resource of payload.resourceSpans) for (const scope of resource.scopeSpans) spans.push(...scope.spans)
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { spans, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((resolve) => server.close(resolve)) }
}

async function waitFor(predicate: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

t.test('with OTEL_EXPORTER_OTLP_ENDPOINT the server continues an incoming traceparent, traces SQL, exports OTLP and logs the trace id', { skip: process.env.DATABASE_URL ? false : 'needs DATABASE_URL (the pg instrumentation)' }, async (t) => {
  const receiver = await otlpReceiver()
  t.teardown(() => receiver.close())
  const database = await createFreshDatabase()
  t.teardown(() => database.dispose())
  let output = ''
  const env = {
    ...process.env,
    DATABASE_URL: database.url,
    MIGRATE_ON_START: 'false',
    PORT: '0',
    LOG_LEVEL: 'info',
    NODE_ENV: 'development',
    MAX_EVENT_LOOP_DELAY_MS: '0',
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_BSP_SCHEDULE_DELAY: '100',
  }
  // As npm start runs it: telemetry imported before the application.
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', './src/telemetry.ts', 'src/server.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout.on('data', (chunk) => (output += chunk.toString()))
  child.stderr.on('data', (chunk) => (output += chunk.toString()))
  t.teardown(() => child.kill('SIGKILL'))
  await waitFor(() => /Swagger UI: (http:\/\/\S+)\/docs/.test(output), 60_000)
  const base = /Swagger UI: (http:\/\/\S+)\/docs/.exec(output)?.[1] as string
  // The server listens before it has reached its database (readiness says so meanwhile); wait until it is ready.
  for (const deadline = Date.now() + 60_000; !(await fetch(`${base}/readyz`)).ok; ) {
    if (Date.now() > deadline) throw new Error('the server did not become ready')
    await new Promise((resolve) => setTimeout(resolve, 100))
  }

  const traceId = '0af7651916cd43dd8448eb211c80319c'
  const callerSpanId = 'b7ad6b7169203331'
  const token = createSigner({ key: DEVELOPMENT_JWT_SECRET, algorithm: 'HS256', iss: 'avrr-local', aud: 'avrr-api' })({ sub: 'ada', roles: ['admin'] })
  const response = await fetch(`${base}/v1/offices/01900000-0000-7000-8000-000000000001`, {
    headers: { authorization: `Bearer ${token}`, traceparent: `00-${traceId}-${callerSpanId}-01` },
  })
  t.equal(response.status, 404)
  const requestId = response.headers.get('x-request-id')

  await waitFor(() => receiver.spans.some((span) => span.traceId === traceId && span.kind === 2), 15_000)
  const server = receiver.spans.find((span) => span.traceId === traceId && span.kind === 2) as OtlpSpan
  t.equal(server.parentSpanId, callerSpanId, 'the server span continues the caller\'s trace')
  t.equal(server.name, 'GET /v1/offices/:id', 'named by the route pattern, not the URL')
  await waitFor(() => receiver.spans.some((span) => span.traceId === traceId && span.name.startsWith('pg.query')), 15_000)
  const query = receiver.spans.find((span) => span.traceId === traceId && span.name.startsWith('pg.query')) as OtlpSpan
  t.equal(query.parentSpanId, server.spanId, 'each SQL statement is a child of the request span')

  const lines = output.split('\n').filter((line) => line.includes(`"reqId":"${requestId}"`)).map((line) => JSON.parse(line) as { trace_id?: string; span_id?: string })
  t.ok(lines.length >= 2, 'the request was logged')
  t.ok(lines.every((line) => line.trace_id === traceId && line.span_id === server.spanId), 'every log line of the request carries its trace and span id')
})
