/** A benchmark file (`bench/<name>.bench.ts`) default-exports one of these; `npm run bench` runs them all. */
export interface Benchmark {
  name: string
  /** Runs against the PostgreSQL server of `databaseUrl` (in a database of its own) and returns a Markdown report. */
  run(databaseUrl: string): Promise<{ report: string; ok: boolean }>
}
