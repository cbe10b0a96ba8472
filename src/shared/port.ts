/**
 * A question a module asks of others without importing them (that would make the modules a
 * cycle): the module declares the port, the modules that know the answer implement it, and the
 * composition root (src/modules/index.ts, `wireModules`) plugs them in when the process starts.
 * Asking a port nobody wired throws: a process can never act as if nobody had an answer.
 */
export class Port<T> {
  #provided: T | undefined

  constructor(private readonly question: string) {}

  provide(answer: T): void {
    this.#provided = answer
  }

  get(): T {
    if (this.#provided === undefined) throw new Error(`Nobody answers "${this.question}": wireModules() (src/modules/index.ts) must run before the modules are used`)
    return this.#provided
  }
}
