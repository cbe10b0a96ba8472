import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { buildTestApp } from '../helpers/app.js'

const run = promisify(execFile)

function cli(script: string, args: string[], env: Record<string, string | undefined>) {
  return run(process.execPath, ['--import', 'tsx', `src/cli/${script}.ts`, ...args], { env: { ...process.env, ...env } })
}

t.test('npm run token prints a token alone on its last line that the service accepts', async (t) => {
  const { app } = await buildTestApp(t)
  const office = '01900000-0000-7000-8000-000000000001'
  const { stdout } = await cli('token', ['--sub', 'alice', '--roles', 'counsellor,approver', '--office', office], { NODE_ENV: 'development' })
  const token = stdout.trim().split('\n').at(-1) as string
  t.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/)
  const claims = app.jwt.verify<{ sub: string; roles: string[]; office_id: string }>(token)
  t.match(claims, { sub: 'alice', roles: ['counsellor', 'approver'], office_id: office })
  await t.rejects(cli('token', ['--sub', 'x', '--roles', 'wizard'], {}), /unknown roles: wizard/)
  await t.rejects(cli('token', ['--sub', 'x', '--roles', 'partner'], {}), /needs --office/)
})

t.test('npm run migrate reports status and reverts the latest migration', async (t) => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'avrr-migrate-'))
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }))
  const env = { DATABASE_URL: undefined, DATA_DIR: dataDir }
  t.match((await cli('migrate', ['up'], env)).stdout, /applied 20261123160000_foundation/)
  t.notMatch((await cli('migrate', ['status'], env)).stdout, /pending/)
  t.match((await cli('migrate', ['down'], env)).stdout, /reverted/)
  t.match((await cli('migrate', ['status'], env)).stdout, /pending/)
  await t.rejects(cli('migrate', ['sideways'], env), /usage/)
})
