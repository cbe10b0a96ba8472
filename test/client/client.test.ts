import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import t from 'tap'
import { generateSchema, SCHEMA_PATH } from '../../clients/typescript/generate.js'
import { buildTestApp } from '../helpers/app.js'

const run = promisify(execFile)
const CLIENT = path.resolve('clients/typescript')

interface Problem {
  type: string
  status: number
  slug: string
  errors: unknown[]
}
interface WorkflowResult {
  created: { id: string; code: string }
  replayed: boolean
  renamed: { name: string; version: number }
  stale?: Problem
  partners: string[]
  missing?: Problem
}

t.test('the typed client: its types are the committed spec\'s, it builds, and a workflow runs against the real server', async (t) => {
  t.equal(await readFile(SCHEMA_PATH, 'utf8'), await generateSchema(), 'clients/typescript/src/schema.ts is generated from openapi/openapi.json (npm run openapi)')

  // Type-checks the client and the example workflow against the generated types, and builds them.
  await run(process.execPath, [path.resolve('node_modules/typescript/bin/tsc'), '-p', path.join(CLIENT, 'tsconfig.json')])

  const { app, token } = await buildTestApp(t)
  await app.listen({ host: '127.0.0.1', port: 0 })
  const baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  const client = (await import(pathToFileURL(path.join(CLIENT, 'dist/src/index.js')).href)) as {
    createAvrrClient(options: { baseUrl: string; token: string }): unknown
  }
  const { officeWorkflow } = (await import(pathToFileURL(path.join(CLIENT, 'dist/examples/workflow.js')).href)) as {
    officeWorkflow(client: unknown, suffix: string): Promise<WorkflowResult>
  }
  const result = await officeWorkflow(client.createAvrrClient({ baseUrl, token: token('ada', ['admin']) }), 'XY')

  t.equal(result.created.code, 'WXY')
  t.ok(result.replayed, 'a repeat with the same Idempotency-Key replays the first response')
  t.match(result.renamed, { name: 'IOM Lithuania', version: 2 }, 'If-Match from the last ETag')
  t.match(result.stale, { type: '/problems/precondition-failed', status: 412, slug: 'precondition-failed' }, 'a stale ETag is a typed problem')
  t.same(result.partners, ['AXY', 'BXY', 'CXY'], 'next_cursor followed over pages of 2')
  t.match(result.missing, { type: '/problems/not-found', status: 404 })
  const offices = await app.inject({ method: 'GET', url: '/v1/offices?limit=100', headers: { authorization: `Bearer ${token('ada', ['admin'])}` } })
  t.equal(offices.json().items.length, 4, 'the retried create made one office, not two')
})
