#!/usr/bin/env node
// Runs the test suite against a real PostgreSQL: DATABASE_URL when set; otherwise a
// throwaway container when a Docker engine answers; otherwise the embedded database.
// Ends with one line `N passed, N failed` counted from tap's results.
import { spawn } from 'node:child_process'

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
if (code !== 0 && failed === 0) failed = 1
console.log(`${passed} passed, ${failed} failed`)
process.exit(code ?? 1)
