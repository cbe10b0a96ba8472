#!/usr/bin/env node
// Runs the test suite against a real PostgreSQL: DATABASE_URL when set; otherwise a
// throwaway container when a Docker engine answers; otherwise the embedded database.
// Ends with one line `N passed, N failed` counted from tap's results.
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'

async function startContainer() {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers')
    await getContainerRuntimeClient()
  } catch {
    return undefined
  }
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql')
  const container = await new PostgreSqlContainer('postgres:15-alpine').start()
  return container
}

const env = { ...process.env }
let container
if (env.DATABASE_URL) {
  console.log('tests: PostgreSQL from DATABASE_URL')
} else {
  container = await startContainer()
  if (container) {
    env.DATABASE_URL = container.getConnectionUri()
    console.log('tests: PostgreSQL in a testcontainers container')
  } else {
    console.log('tests: no DATABASE_URL and no Docker engine; using the embedded database (PGlite)')
  }
}

// On a server of its own (DATABASE_URL), each test database is named after this run and dropped when the run
// ends, not when its test ends: DROP DATABASE makes PostgreSQL take a checkpoint, and a checkpoint per test
// was a good part of the suite's time; drops issued together share their checkpoints. (A container goes away whole.)
const run = env.DATABASE_URL && !container ? randomBytes(4).toString('hex') : undefined
if (run) env.AVRR_TEST_RUN = run

async function dropRunDatabases() {
  const { default: pg } = await import('pg')
  const admin = new pg.Client({ connectionString: env.DATABASE_URL })
  await admin.connect()
  try {
    const { rows } = await admin.query(String.raw`select datname from pg_database where datname like 'avrr\_test\_' || $1 || '\_%'`, [run])
    const names = rows.map((row) => row.datname)
    const concurrency = 8
    const dropNext = async () => {
      const client = new pg.Client({ connectionString: env.DATABASE_URL })
      await client.connect()
      try {
        for (let name = names.pop(); name !== undefined; name = names.pop()) await client.query(`drop database if exists "${name}" with (force)`)
      } finally {
        await client.end()
      }
    }
    const count = names.length
    await Promise.all(Array.from({ length: concurrency }, dropNext))
    console.log(`tests: dropped the run's ${count} test databases`)
  } finally {
    await admin.end()
  }
}

const args = ['tap', '--reporter=tap', ...process.argv.slice(2)]
const child = spawn('npx', args, { env, stdio: ['ignore', 'pipe', 'inherit'] })
let passed = 0
let failed = 0
const depthOneLine = /^ {4}(not )?ok \d+ /
let buffer = ''
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk)
  buffer += chunk.toString()
  let newline
  while ((newline = buffer.indexOf('\n')) >= 0) {
    const line = buffer.slice(0, newline)
    buffer = buffer.slice(newline + 1)
    // Each test file is a top-level subtest; its direct children are the tests we count.
    const match = depthOneLine.exec(line)
    if (match && !/# SKIP/.test(line)) {
      if (match[1]) failed += 1
      else passed += 1
    }
  }
})
const code = await new Promise((resolve) => child.on('close', resolve))
if (container) await container.stop()
if (run) {
  try {
    await dropRunDatabases()
  } catch (error) {
    console.error(`tests: could not drop the run's test databases (avrr_test_${run}_*): ${error.message}`)
  }
}
if (code !== 0 && failed === 0) failed = 1
console.log(`${passed} passed, ${failed} failed`)
process.exit(code ?? 1)
