import { execFile } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { pinned } from './pinning.js'

const run = promisify(execFile)

export interface LoadSpec {
  url: string
  method: 'POST' | 'GET'
  /** Paths to send, round-robin per request (one path = one hot target). */
  paths: string[]
  headers: Record<string, string>
  body?: string
  /** Bodies to send round-robin instead of one fixed `body` (e.g. different people, so duplicate checks see realistic data). */
  bodies?: string[]
  /** Send a fresh Idempotency-Key with every request (as retrying clients do), so the key's row is part of the work. */
  uniqueIdempotencyKeys?: boolean
  /** Replace `__UNIQUE__` in each body with a value no other request has (e.g. family names, so a duplicate check finds nothing). */
  uniqueBodies?: boolean
  connections: number
  durationSeconds?: number
  /** Total requests instead of a duration. */
  amount?: number
}

export interface LoadResult {
  ok: number
  non2xx: number
  errors: number
  durationSeconds: number
  okPerSecond: number
  latencyP50: number
  latencyP99: number
  statusCounts: Record<string, number>
}

/** Runs autocannon in its own process pinned to `core`, so the load generator never shares the server's core. */
export async function runLoad(core: number, spec: LoadSpec): Promise<LoadResult> {
  // The spec goes through a file: a list of bodies can exceed what a command line may hold.
  const specPath = path.join(mkdtempSync(path.join(tmpdir(), 'avrr-load-')), 'spec.json')
  writeFileSync(specPath, JSON.stringify(spec))
  const launch = pinned(core, process.execPath, ['--import', 'tsx', 'bench/lib/load-worker.ts', specPath])
  const { stdout } = await run(launch.command, launch.args, { maxBuffer: 16 * 1024 * 1024 })
  return JSON.parse(stdout.trim().split('\n').at(-1) as string) as LoadResult
}
