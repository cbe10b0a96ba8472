import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { pinned } from './pinning.js'

export interface RunningServer {
  url: string
  /** The server's process id (taskset execs the command, so it is node's own). */
  pid: number
  pinned: boolean
  stop(): Promise<void>
}

/** The node arguments of package.json's `start` script (`node [flags…] dist/src/server.js`), so the server runs exactly as it does in production. */
function startArguments(): string[] {
  const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { start: string } }
  const [command, ...args] = manifest.scripts.start.trim().split(/\s+/)
  if (command !== 'node' || args.at(-1) !== 'dist/src/server.js') throw new Error(`unexpected start script: ${manifest.scripts.start}`)
  return args
}

/**
 * Starts the real server as `npm start` runs it (the compiled dist/src/server.js with the same
 * node flags; bench/run.ts builds it first) in its own process pinned to `core`, and waits
 * until /readyz answers.
 */
export async function startServer(options: { core: number; port: number; env: Record<string, string> }): Promise<RunningServer> {
  return launchServer(options, [...(process.env.BENCH_NODE_FLAGS ? process.env.BENCH_NODE_FLAGS.split(' ') : []), ...startArguments()])
}

/**
 * Starts the bare Fastify + pg reference (bench/lib/bare-server.ts) the same way: its own process,
 * pinned to `core`, the same node flags as the server, ready when /readyz answers.
 */
export async function startBareServer(options: { core: number; port: number; env: Record<string, string> }): Promise<RunningServer> {
  return launchServer(options, [...startArguments().slice(0, -1), '--import', 'tsx', 'bench/lib/bare-server.ts'])
}

async function launchServer(options: { core: number; port: number; env: Record<string, string> }, nodeArguments: string[]): Promise<RunningServer> {
  const launch = pinned(options.core, process.execPath, nodeArguments)
  const child: ChildProcess = spawn(launch.command, launch.args, {
    env: { ...process.env, ...options.env, PORT: String(options.port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const url = `http://127.0.0.1:${options.port}`
  const deadline = Date.now() + 60_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}: ${stderr}`)
    try {
      const response = await fetch(`${url}/readyz`)
      if (response.ok) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`server did not become ready: ${stderr}`)
    }
    await sleep(200)
  }
  return {
    url,
    pid: child.pid as number,
    pinned: launch.pinned,
    stop: async () => {
      if (child.exitCode !== null) return
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await Promise.race([exited, sleep(15_000).then(() => child.kill('SIGKILL'))])
    },
  }
}
