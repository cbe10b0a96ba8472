import { execFile } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { pinned } from './pinning.js'

const run = promisify(execFile)

export interface OpenLoopResult {
  sent: number
  failures: number
  p50: number
  p99: number
  max: number
}

/** Fixed-rate latency (ms, from each request's scheduled send time), generated in a process pinned to `core`. */
export async function runOpenLoop(
  core: number,
  spec: { url: string; paths: string[]; headers: Record<string, string>; ratePerSecond: number; durationSeconds: number; warmupSeconds: number; postBodies?: string[] },
): Promise<OpenLoopResult> {
  // The spec goes through a file: paths and bodies can exceed what a command line may hold.
  const specPath = path.join(mkdtempSync(path.join(tmpdir(), 'avrr-open-loop-')), 'spec.json')
  writeFileSync(specPath, JSON.stringify(spec))
  const launch = pinned(core, process.execPath, ['--import', 'tsx', 'bench/lib/open-loop-worker.ts', specPath])
  const { stdout } = await run(launch.command, launch.args, { maxBuffer: 16 * 1024 * 1024 })
  return JSON.parse(stdout.trim().split('\n').at(-1) as string) as OpenLoopResult
}
