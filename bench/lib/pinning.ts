import { execFileSync } from 'node:child_process'

/** `taskset -c <core>` when the machine has that core and taskset exists; otherwise no pinning (and the report says so). */
export function pinned(core: number, command: string, args: string[]): { command: string; args: string[]; pinned: boolean } {
  try {
    execFileSync('taskset', ['-c', String(core), 'true'], { stdio: 'ignore' })
    return { command: 'taskset', args: ['-c', String(core), command, ...args], pinned: true }
  } catch {
    return { command, args, pinned: false }
  }
}
