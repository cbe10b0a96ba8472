import t from 'tap'
import { checkAnswers, checkLog, checkWrites } from './checks.js'
import { Cluster, faultSuiteUnavailable, postgresBinaries, sleep, startService, waitUntil } from './cluster.js'
import { countByStatus, createOffice, developmentToken, runWriters } from './workload.js'

// The service against a PostgreSQL of its own, which is restarted (fast and immediate) and has its
// sessions killed under concurrent writes: the process stays up, every answer is a success or a 503
// problem, every acknowledged write is in the database, no key took effect twice, and it serves
// again within 5 s of the database.

const bin = postgresBinaries()
{
  t.test('database restarts and killed sessions under concurrent writes', { skip: faultSuiteUnavailable() }, async (t) => {
    if (!bin) return
    const cluster = await Cluster.create(bin)
    t.teardown(() => cluster.destroy())
    await cluster.start()
    await cluster.query('postgres', 'create database avrr')
    const service = startService({ DATABASE_URL: cluster.url('avrr'), DATABASE_POOL_SIZE: '10', HEALTH_CHECK_INTERVAL_MS: '1000' })
    t.teardown(() => service.stop())
    const base = await service.base
    await waitUntil('readiness', async () => (await fetch(`${base}/readyz`)).status === 200, 30_000)
    const token = developmentToken('writer', ['counsellor', 'admin'])
    const officeId = await createOffice(base, token, 'FLT')

    const faults: Array<{ name: string; concurrency: number; fault: () => Promise<void> }> = [
      { name: 'restart -m fast, 10 writers', concurrency: 10, fault: () => cluster.restart('fast') },
      { name: 'restart -m immediate, 50 writers', concurrency: 50, fault: () => cluster.restart('immediate') },
      { name: 'restart -m fast, 50 writers', concurrency: 50, fault: () => cluster.restart('fast') },
      {
        name: 'pg_terminate_backend of every service session, 50 writers',
        concurrency: 50,
        fault: async () => {
          await cluster.query('postgres', "select pg_terminate_backend(pid) from pg_stat_activity where datname = 'avrr' and pid <> pg_backend_pid()")
        },
      },
    ]
    for (const { name, concurrency, fault } of faults) {
      await t.test(name, async (t) => {
        const workload = runWriters({ base, token, officeId, concurrency })
        // Writes are under way (in flight on every connection) when the fault comes.
        await waitUntil('writes acknowledged before the fault', () => workload.result.acknowledged.size >= 5, 30_000)
        await sleep(500)
        await fault()
        const back = Date.now()
        const recoveredAfter = await waitUntil('a write acknowledged after the fault', () => workload.result.answers.some((answer) => answer.at > back && answer.status === 201), 15_000)
        await sleep(1000)
        const result = await workload.stop()
        t.ok(service.alive(), `the process is still running${service.alive() ? '' : `:\n${service.output().slice(-3000)}`}`)
        t.ok(recoveredAfter < 5000, `serves again within 5 s of the database (after ${recoveredAfter} ms)`)
        await checkAnswers(t, result)
        await checkWrites(t, cluster, result)
        t.comment(`${name}: ${JSON.stringify(countByStatus(result.answers))}, ${result.acknowledged.size} acknowledged, ${result.retried.size} retried, recovered after ${recoveredAfter} ms`)
      })
    }
    await checkLog(t, service)
  })
}
