import { execFile, execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { pinned } from './pinning.js'

const run = promisify(execFile)

/** pgbench from PATH, else the PostgreSQL 15 packages' copy. */
export function pgbenchPath(): string {
  try {
    return execFileSync('which', ['pgbench'], { encoding: 'utf8' }).trim()
  } catch {
    const fallback = '/usr/lib/postgresql/15/bin/pgbench'
    if (existsSync(fallback)) return fallback
    throw new Error('pgbench not found: install postgresql-client or put pgbench on PATH')
  }
}

export interface PgbenchResult {
  tps: number
  failed: number
}

/**
 * Runs one pgbench script for `seconds` with `clients` connections, pinned to `core`. By default with
 * prepared statements (the fastest pgbench can be, so the baseline is an honest one); `extended` is
 * what node-pg sends (unnamed statements, parsed and planned each time).
 */
export async function runPgbench(
  core: number,
  options: { databaseUrl: string; script: string; clients: number; seconds: number; protocol?: 'prepared' | 'extended' },
): Promise<PgbenchResult> {
  const directory = mkdtempSync(path.join(tmpdir(), 'avrr-pgbench-'))
  const scriptPath = path.join(directory, 'script.sql')
  writeFileSync(scriptPath, options.script)
  const args = ['-n', '-M', options.protocol ?? 'prepared', '-c', String(options.clients), '-j', '1', '-T', String(options.seconds), '-f', scriptPath, options.databaseUrl]
  const launch = pinned(core, pgbenchPath(), args)
  const { stdout } = await run(launch.command, launch.args, { maxBuffer: 16 * 1024 * 1024 })
  const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(stdout)
  if (!tps) throw new Error(`could not read pgbench's tps:\n${stdout}`)
  const failed = /number of failed transactions: (\d+)/.exec(stdout)
  return { tps: Number(tps[1]), failed: failed ? Number(failed[1]) : 0 }
}
