/**
 * Wakes whoever waits for new events in this process: the webhook dispatcher and long-polling
 * feed readers. Rung by LISTEN/NOTIFY (any instance's commit) and by this instance's own writes.
 */
export class EventSignal {
  private waiters = new Set<() => void>()
  private listeners = new Set<() => void>()

  ring(): void {
    const waiting = this.waiters
    this.waiters = new Set()
    for (const wake of waiting) wake()
    for (const listener of this.listeners) listener()
  }

  onRing(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Resolves at the next ring, or after `ms` at the latest. */
  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer)
        this.waiters.delete(wake)
        resolve()
      }
      const timer = setTimeout(wake, ms)
      this.waiters.add(wake)
    })
  }
}
