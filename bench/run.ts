import { execFileSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { loadavg } from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { Benchmark } from './lib/benchmark.js'
import { describeMachine } from './lib/machine.js'

/**
 * `npm run bench [name filter]`: runs every `bench/*.bench.ts` against the PostgreSQL server of
 * DATABASE_URL (each benchmark makes and drops a database of its own) and prints one Markdown
 * report. Exits non-zero when a benchmark's correctness checks fail (e.g. an overspend).
 */
async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL
  if (!databaseUrl) throw new Error('DATABASE_URL is required: the benchmarks run against a PostgreSQL server (e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench)')
  const filter = process.argv[2]
  const directory = path.dirname(fileURLToPath(import.meta.url))
  const files = readdirSync(directory)
    .filter((file) => file.endsWith('.bench.ts'))
    .filter((file) => !filter || file.includes(filter))
    .sort()
  if (files.length === 0) throw new Error(`no benchmark matches ${filter}`)

  console.error('building the server (npm run build)…')
  execFileSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' })
  const machine = await describeMachine(databaseUrl)
  console.log(`# Benchmarks, ${new Date().toISOString().slice(0, 10)}`)
  console.log(`machine: ${machine.nproc} CPUs (${machine.cpu}), ${machine.memoryGb} GB; ${machine.postgres}; Node ${machine.node}; load average ${machine.loadAverage.toFixed(1)} at the start\n`)
  let ok = true
  for (const file of files) {
    const benchmark = (await import(pathToFileURL(path.join(directory, file)).href) as { default: Benchmark }).default
    const started = Date.now()
    console.error(`running ${benchmark.name} (${file})…`)
    const outcome = await benchmark.run(databaseUrl)
    console.log(`## ${benchmark.name}\n\n${outcome.report}\n\n(${Math.round((Date.now() - started) / 1000)} s; load average ${loadavg()[0]?.toFixed(1)} at the end)\n`)
    ok &&= outcome.ok
  }
  if (!ok) {
    console.error('a benchmark\'s correctness check failed')
    process.exit(1)
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack ?? error.message : error)
  process.exit(1)
})
