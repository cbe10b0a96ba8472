import { execFileSync } from 'node:child_process'
import { cpus, loadavg, totalmem } from 'node:os'
import pg from 'pg'

export interface Machine {
  nproc: number
  cpu: string
  memoryGb: number
  node: string
  postgres: string
  /** 1-minute load average when the run started: other work on a shared machine skews every figure. */
  loadAverage: number
}

/** What the figures were measured on: every figure is a whole-machine figure. */
export async function describeMachine(databaseUrl: string): Promise<Machine> {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    const { rows } = await client.query<{ version: string }>('select version()')
    return {
      nproc: Number(execFileSync('nproc', { encoding: 'utf8' }).trim()),
      cpu: cpus()[0]?.model ?? 'unknown',
      memoryGb: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      postgres: (rows[0]?.version ?? 'unknown').split(' on ')[0] ?? 'unknown',
      loadAverage: loadavg()[0] ?? 0,
    }
  } finally {
    await client.end()
  }
}
