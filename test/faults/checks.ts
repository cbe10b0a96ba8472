import type { Test } from 'tap'
import type { Cluster, ServiceProcess } from './cluster.js'
import { countByStatus, type WorkloadResult } from './workload.js'

export async function checkAnswers(t: Test, result: WorkloadResult): Promise<void> {
  const counts = countByStatus(result.answers)
  const unexpected = Object.keys(counts).map(Number).filter((status) => status !== 201 && status !== 503)
  t.same(unexpected, [], `every answer is a 201 or a 503 (${JSON.stringify(counts)})`)
  t.equal(result.answers.filter((answer) => !answer.wellFormed).length, 0, 'every 503 is problem+json with Retry-After')
  t.equal(result.transportErrors, 0, 'no request was left without an answer')
}

/** Every acknowledged write is in the database, with the id it was acknowledged with; no key took effect twice. */
export async function checkWrites(t: Test, cluster: Cluster, result: WorkloadResult, database = 'avrr'): Promise<void> {
  const rows = await cluster.query<{ external_reference: string; id: string }>(database, 'select external_reference, id::text as id from return_cases where external_reference = any($1)', [[...result.attempted]])
  const byKey = new Map<string, string[]>()
  for (const row of rows) byKey.set(row.external_reference, [...(byKey.get(row.external_reference) ?? []), row.id])
  const lost = [...result.acknowledged].filter(([key, id]) => byKey.get(key)?.[0] !== id)
  t.same(lost, [], `no acknowledged write is lost (${result.acknowledged.size} acknowledged)`)
  const doubled = [...byKey].filter(([, ids]) => ids.length > 1)
  t.same(doubled, [], 'no key took effect twice')
  const retriedAndAcknowledged = [...result.retried].filter((key) => result.acknowledged.has(key)).length
  t.comment(`${retriedAndAcknowledged} writes were acknowledged after a retry`)
}

export async function checkLog(t: Test, service: ServiceProcess): Promise<void> {
  t.notMatch(service.output(), /uncaughtException|unhandledRejection|shutting down: finishing/, 'the service never began to shut down')
  t.notMatch(service.output(), /"statusCode":500|unhandled error/, 'no request failed with a 500')
}
