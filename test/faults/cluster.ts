import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'

const run = promisify(execFile)

/** The machine's PostgreSQL binaries (Debian layout), newest first; undefined when there are none. */
export function postgresBinaries(): string | undefined {
  const root = '/usr/lib/postgresql'
  if (!existsSync(root)) return undefined
  const versions = readdirSync(root)
    .filter((version) => existsSync(path.join(root, version, 'bin', 'initdb')) && existsSync(path.join(root, version, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a))
  return versions[0] ? path.join(root, versions[0], 'bin') : undefined
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

const isRoot = process.getuid?.() === 0

/**
 * A PostgreSQL cluster of a test's own, in a temporary directory on a free loopback port, which the
 * test may stop, restart and crash at will. PostgreSQL refuses to run as root, so as root it runs as
 * the `postgres` user (runuser).
 */
export class Cluster {
  private constructor(
    private readonly bin: string,
    readonly directory: string,
    readonly port: number,
  ) {}

  static async create(bin: string): Promise<Cluster> {
    const directory = mkdtempSync(path.join(tmpdir(), 'avrr-faults-pg-'))
    if (isRoot) chownSync(directory, ...(await postgresIds()))
    const cluster = new Cluster(bin, directory, await freePort())
    await cluster.pg('initdb', ['-D', cluster.dataDir, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale=C'])
    return cluster
  }

  get dataDir(): string {
    return path.join(this.directory, 'data')
  }

  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`
  }

  async start(): Promise<void> {
    const options = [
      `-p ${this.port}`,
      '-c listen_addresses=127.0.0.1',
      `-c unix_socket_directories=${this.directory}`,
      // The fault tests crash the server, not the machine: the OS keeps what was written.
      '-c fsync=off',
      '-c max_connections=200',
    ].join(' ')
    await this.pg('pg_ctl', ['-D', this.dataDir, '-o', options, '-l', path.join(this.directory, 'log'), '-w', '-t', '30', 'start'])
  }

  /** `fast` ends every session and checkpoints; `immediate` kills the server outright (crash recovery on start). */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await this.pg('pg_ctl', ['-D', this.dataDir, '-m', mode, '-w', '-t', '30', 'stop'])
  }

  async restart(mode: 'fast' | 'immediate'): Promise<void> {
    await this.stop(mode)
    await this.start()
  }

  async query<Row extends pg.QueryResultRow = pg.QueryResultRow>(database: string, text: string, values: unknown[] = []): Promise<Row[]> {
    const client = new pg.Client({ connectionString: this.url(database) })
    await client.connect()
    try {
      return (await client.query<Row>(text, values)).rows
    } finally {
      await client.end()
    }
  }

  async destroy(): Promise<void> {
    await this.stop('immediate').catch(() => undefined)
    rmSync(this.directory, { recursive: true, force: true })
  }

  private async pg(program: string, args: string[]): Promise<void> {
    const binary = path.join(this.bin, program)
    const [command, commandArgs] = isRoot ? ['runuser', ['-u', 'postgres', '--', binary, ...args]] : [binary, args]
    await run(command, commandArgs, { cwd: this.directory, timeout: 60_000 })
  }
}

async function postgresIds(): Promise<[number, number]> {
  const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])])
  return [Number(uid.stdout.trim()), Number(gid.stdout.trim())]
}

export interface ServiceProcess {
  child: ChildProcess
  base: Promise<string>
  output(): string
  exited: Promise<number | null>
  alive(): boolean
  stop(): Promise<void>
}

/** The real server (src/server.ts) in a process of its own, against the given database, on a free port. */
export function startService(env: Record<string, string>): ServiceProcess {
  let output = ''
  let exitCode: number | null | undefined
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', NODE_ENV: 'test', RATE_LIMIT_MAX: '1000000', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let announce: (base: string) => void
  let fail: (error: Error) => void
  const base = new Promise<string>((resolve, reject) => {
    announce = resolve
    fail = reject
  })
  const collect = (chunk: Buffer) => {
    output += chunk.toString()
    const found = /Swagger UI: (http:\/\/\S+)\/docs/.exec(output)
    if (found) announce(found[1] as string)
  }
  child.stdout?.on('data', collect)
  child.stderr?.on('data', collect)
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      exitCode = code
      fail(new Error(`the service exited (${code}) before listening:\n${output}`))
      resolve(code)
    }),
  )
  return {
    child,
    base,
    output: () => output,
    exited,
    alive: () => exitCode === undefined,
    async stop() {
      if (exitCode !== undefined) return
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
      await exited
      clearTimeout(timer)
    },
  }
}

/** Why the fault suite cannot run here, or undefined when it can. */
export function faultSuiteUnavailable(): string | undefined {
  return postgresBinaries() ? undefined : "the fault suite needs the machine's PostgreSQL binaries (/usr/lib/postgresql/*/bin: initdb, pg_ctl); none found"
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export async function waitUntil(what: string, predicate: () => Promise<boolean> | boolean, timeoutMs: number): Promise<number> {
  const started = Date.now()
  for (;;) {
    if (await Promise.resolve().then(predicate).catch(() => false)) return Date.now() - started
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(50)
  }
}
