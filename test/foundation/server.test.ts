import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createSigner } from 'fast-jwt'
import t from 'tap'
import { DEVELOPMENT_JWT_SECRET } from '../../src/config.js'

interface Started {
  child: ChildProcess
  output: () => string
  exited: Promise<number | null>
}

/** Starts the real server (`src/server.ts`) on the embedded database in its own directory. */
function startServer(dataDir: string): Started {
  let output = ''
  const env: Record<string, string | undefined> = { ...process.env, DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'info', NODE_ENV: 'development' }
  delete env.DATABASE_URL
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout?.on('data', (chunk) => (output += chunk.toString()))
  child.stderr?.on('data', (chunk) => (output += chunk.toString()))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return { child, output: () => output, exited }
}

async function waitFor(predicate: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

t.test('the server runs on the embedded database over real HTTP, guards its directory and shuts down gracefully', async (t) => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'avrr-server-'))
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }))
  const server = startServer(dataDir)
  t.teardown(() => server.child.kill('SIGKILL'))
  await waitFor(() => /Swagger UI: (http:\/\/\S+)\/docs/.test(server.output()), 60_000)
  const base = /Swagger UI: (http:\/\/\S+)\/docs/.exec(server.output())?.[1] as string
  t.match(server.output(), /npm run token/, 'the log says how to get a token')

  t.equal((await fetch(`${base}/healthz`)).status, 200, 'liveness answers at once, even while start-up work sheds load')
  // Start-up (migrations, schema compilation) blocks the event loop for a moment; until the load
  // sampler catches up, requests may be shed with 503, so wait for readiness as a client would.
  for (let attempt = 0; attempt < 50 && (await fetch(`${base}/readyz`)).status !== 200; attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  const docs = await fetch(`${base}/docs/`)
  t.equal(docs.status, 200)
  t.match(docs.headers.get('content-security-policy') ?? '', /default-src/, 'Swagger UI is served with a CSP')
  const unauthenticated = await fetch(`${base}/v1/offices`)
  t.equal(unauthenticated.status, 401)
  t.equal(unauthenticated.headers.get('content-type'), 'application/problem+json; charset=utf-8')
  t.equal(unauthenticated.headers.get('x-content-type-options'), 'nosniff', 'security headers are set')
  const token = createSigner({ key: DEVELOPMENT_JWT_SECRET, algorithm: 'HS256', iss: 'avrr-local', aud: 'avrr-api' })({ sub: 'ada', roles: ['admin'] })
  const created = await fetch(`${base}/v1/offices`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ code: 'VNO', name: 'IOM Vilnius', country: 'LT', kind: 'country_office' }),
  })
  t.equal(created.status, 201)

  const second = startServer(dataDir)
  t.teardown(() => second.child.kill('SIGKILL'))
  t.not(await second.exited, 0, 'a second server on the same directory exits')
  t.match(second.output(), /in use by another process/, 'with a clear message')

  // A request in flight when SIGTERM arrives still completes.
  const inFlight = fetch(`${base}/v1/offices`, { headers: { authorization: `Bearer ${token}` } })
  await new Promise((resolve) => setTimeout(resolve, 5))
  server.child.kill('SIGTERM')
  t.equal((await inFlight).status, 200, 'the in-flight request is answered')
  t.equal(await server.exited, 0, 'the server exits cleanly')
  t.match(server.output(), /shutting down/)
})
