import t from 'tap'
import { sql } from 'kysely'
import { eventsFixture, receiver, until } from './helpers.js'

/**
 * The outcomes of finished attempts are recorded many to a statement: each delivery still gets its
 * own attempt row with its own status, and deliveries acknowledged together share the statement's
 * time (delivered_at is now() of the recording statement).
 */
t.test('outcomes of attempts finished together are recorded in one statement, each one correctly', async (t) => {
  const fixture = await eventsFixture(t)
  const count = 8 // WEBHOOK_CONCURRENCY_PER_SUBSCRIPTION's default: all in flight at once
  // The receiver holds every request until all have arrived, then answers them together: the first
  // with 500, the others with 204.
  let release: () => void = () => undefined
  const allArrived = new Promise<void>((resolve) => (release = resolve))
  let arrived = 0
  const hook = await receiver(t, async (event, attempt) => {
    if (attempt === 1) {
      arrived += 1
      if (arrived === count) release()
      await allArrived
    }
    return event.subject === `office/${first}` && attempt === 1 ? 500 : 204
  })
  let first = ''
  const subscribed = await fixture.admin({ method: 'POST', url: '/v1/webhook-subscriptions', payload: { url: hook.url, event_types: ['avrr.office.created'] } })
  t.equal(subscribed.statusCode, 201)
  const offices: string[] = []
  for (let index = 0; index < count; index += 1) {
    const office = await fixture.admin({ method: 'POST', url: '/v1/offices', payload: { code: `B${String(index).padStart(2, '0')}`, name: `Office ${index}`, country: 'LT', kind: 'partner_office' } })
    t.equal(office.statusCode, 201)
    offices.push(office.json().id as string)
    if (index === 0) first = office.json().id as string
  }
  const db = fixture.database.db
  await until(async () => {
    const { rows } = await sql<{ done: number }>`select count(*)::int as done from webhook_deliveries where status = 'succeeded'`.execute(db)
    return rows[0]?.done === count
  }, 'every delivery acknowledged (the first after its retry)')

  const attempts = await sql<{ entity_id: string; attempt: number; status_code: number | null }>`
    select d.body::json -> 'data' ->> 'entity_id' as entity_id, a.attempt, a.status_code
    from webhook_delivery_attempts a join webhook_deliveries d on d.id = a.delivery_id order by entity_id, a.attempt`.execute(db)
  const expected = offices.flatMap((id) => (id === first ? [{ entity_id: id, attempt: 1, status_code: 500 }, { entity_id: id, attempt: 2, status_code: 204 }] : [{ entity_id: id, attempt: 1, status_code: 204 }]))
  t.strictSame(attempts.rows, expected.sort((a, b) => a.entity_id.localeCompare(b.entity_id) || a.attempt - b.attempt), 'one attempt row per attempt, each with its own outcome')

  const recorded = await sql<{ statements: number }>`select count(distinct delivered_at)::int as statements from webhook_deliveries where id in (
    select delivery_id from webhook_delivery_attempts where attempt = 1 and status_code = 204)`.execute(db)
  t.ok((recorded.rows[0]?.statements ?? count) < count - 1, `the ${count - 1} answered together were recorded in fewer statements (${recorded.rows[0]?.statements})`)
  const health = await sql<{ failing_since: Date | null }>`select failing_since from webhook_subscriptions`.execute(db)
  t.equal(health.rows[0]?.failing_since, null, 'the subscription is healthy again after the retry succeeded')
})
