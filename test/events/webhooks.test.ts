import t from 'tap'
import { buildTestApp } from '../helpers/app.js'
import { act, approvedCase, createCase, type Json } from '../return-cases/helpers.js'
import { eventsFixture, receiver, until, verify } from './helpers.js'

async function subscribe(caller: (options: object) => Promise<{ statusCode: number; body: string; json(): Json }>, payload: Record<string, unknown>): Promise<Json> {
  const response = await caller({ method: 'POST', url: '/v1/webhook-subscriptions', payload })
  if (response.statusCode !== 201) throw new Error(`subscribe: ${response.statusCode} ${response.body}`)
  return response.json()
}

t.test('deliveries are signed per Standard Webhooks and verify with the reference library', async (t) => {
  const fixture = await eventsFixture(t)
  const hook = await receiver(t)
  const subscription = await subscribe(fixture.admin, { url: hook.url, event_types: ['avrr.return_case.created', 'avrr.return_case.submitted'] })
  t.match(subscription.secret, /^whsec_/, 'the secret is shown on creation')
  const shown = await fixture.admin({ method: 'GET', url: `/v1/webhook-subscriptions/${subscription.id}` })
  t.notOk('secret' in shown.json(), 'and never again')
  const created = await createCase(fixture.counsellor, fixture.offices.vilnius, { project_id: fixture.projectId })
  await act(fixture.counsellor, created.id, 'submit')
  await until(() => hook.received.length >= 2, 'two deliveries')
  const [first, second] = hook.received as [typeof hook.received[0], typeof hook.received[0]]
  const verified = verify(subscription.secret, first)
  t.equal(verified.type, 'avrr.return_case.created')
  t.equal(first.headers['webhook-id'], first.event.id, 'webhook-id is the event id')
  t.equal(second.event.type, 'avrr.return_case.submitted', 'in order, and only the subscribed types')
  t.match(first.headers['content-type'], /application\/cloudevents\+json/)
  t.throws(() => verify(subscription.secret, { ...first, body: first.body.replace('draft', 'closed') }), 'a changed body does not verify')
  await until(async () => {
    const log = await fixture.admin({ method: 'GET', url: `/v1/webhook-subscriptions/${subscription.id}/deliveries` })
    return log.json().items.filter((delivery: Json) => delivery.status === 'succeeded').length === 2
  }, 'the delivery log')
  const log = (await fixture.admin({ method: 'GET', url: `/v1/webhook-subscriptions/${subscription.id}/deliveries` })).json()
  t.match(log.items[0], { status: 'succeeded', attempts: 1, last_status_code: 204, attempt_log: [{ attempt: 1, status_code: 204, error: null }] })
})

async function deliveries(fixture: { admin: (options: object) => Promise<{ json(): Json }> }, subscriptionId: string): Promise<Json[]> {
  return (await fixture.admin({ method: 'GET', url: `/v1/webhook-subscriptions/${subscriptionId}/deliveries?limit=100` })).json().items
}

t.test('failed attempts are retried on 500, timeouts and refused connections, then failed, and can be redelivered', async (t) => {
  const fixture = await eventsFixture(t, { WEBHOOK_TIMEOUT_MS: '1500' })
  const flaky = await receiver(t, (_event, attempt) => (attempt < 3 ? 500 : 200))
  const hanging = await receiver(t, (_event, attempt) => (attempt === 1 ? 'hang' : 200))
  const closed = await receiver(t)
  const refusedUrl = closed.url
  await new Promise<void>((resolve) => { closed.server.closeAllConnections(); closed.server.close(() => resolve()) })
  const types = ['avrr.office.created']
  const onFlaky = await subscribe(fixture.admin, { url: flaky.url, event_types: types })
  const onHanging = await subscribe(fixture.admin, { url: hanging.url, event_types: types })
  const onRefused = await subscribe(fixture.admin, { url: refusedUrl, event_types: types })
  await fixture.admin({ method: 'POST', url: '/v1/offices', payload: { code: 'EVN', name: 'IOM Yerevan', country: 'AM', kind: 'partner_office' } })

  await until(async () => (await deliveries(fixture, onFlaky.id))[0]?.status === 'succeeded', 'the flaky receiver to acknowledge')
  const [afterFlaky] = await deliveries(fixture, onFlaky.id)
  t.same(afterFlaky?.attempt_log.map((attempt: Json) => attempt.status_code), [500, 500, 200], 'retried after each 500 until a 2xx')
  t.equal(flaky.received.length, 3)
  t.equal(new Set(flaky.received.map((delivery) => delivery.headers['webhook-id'])).size, 1, 'every retry carries the same webhook-id')

  await until(async () => (await deliveries(fixture, onHanging.id))[0]?.status === 'succeeded', 'the hanging receiver to acknowledge')
  const [afterTimeout] = await deliveries(fixture, onHanging.id)
  t.match(afterTimeout?.attempt_log[0], { status_code: null, error: /timeout/ }, 'no answer within the timeout is a failed attempt')
  t.ok(afterTimeout?.attempt_log[0].latency_ms >= 1400, 'and took the timeout')

  await until(async () => (await deliveries(fixture, onRefused.id))[0]?.status === 'failed', 'the refused delivery to fail')
  const [failed] = await deliveries(fixture, onRefused.id)
  t.equal(failed?.attempts, 3, 'one attempt and the two retries of the schedule')
  t.match(failed?.last_error, /ECONNREFUSED/)
  t.equal(failed?.next_attempt_at, null)
  const pending = await fixture.admin({ method: 'POST', url: `/v1/webhook-subscriptions/${onFlaky.id}/deliveries/${afterFlaky?.id}:redeliver` })
  t.equal(pending.statusCode, 200, 'an acknowledged delivery can be sent again')
  await until(() => flaky.received.length === 4, 'the redelivery')

  const current = await fixture.admin({ method: 'GET', url: `/v1/webhook-subscriptions/${onRefused.id}` })
  const moved = await fixture.admin({ method: 'PATCH', url: `/v1/webhook-subscriptions/${onRefused.id}`, headers: { 'if-match': current.headers.etag as string }, payload: { url: flaky.url } })
  t.equal(moved.statusCode, 200, moved.body)
  const redelivered = await fixture.admin({ method: 'POST', url: `/v1/webhook-subscriptions/${onRefused.id}/deliveries/${failed?.id}:redeliver` })
  t.equal(redelivered.statusCode, 200, redelivered.body)
  t.equal(redelivered.json().status, 'pending')
  await until(async () => (await deliveries(fixture, onRefused.id))[0]?.status === 'succeeded', 'the redelivery to the new URL')
  const latest = await fixture.admin({ method: 'GET', url: `/v1/webhook-subscriptions/${onRefused.id}` })
  await fixture.admin({ method: 'PATCH', url: `/v1/webhook-subscriptions/${onRefused.id}`, headers: { 'if-match': latest.headers.etag as string }, payload: { status: 'paused' } })
  const again = await fixture.admin({ method: 'POST', url: `/v1/webhook-subscriptions/${onRefused.id}/deliveries/${failed?.id}:redeliver` })
  t.equal(again.statusCode, 200)
  const twice = await fixture.admin({ method: 'POST', url: `/v1/webhook-subscriptions/${onRefused.id}/deliveries/${failed?.id}:redeliver` })
  t.equal(twice.statusCode, 409, 'a delivery still pending is not queued twice')
})

t.test('events of one case are delivered in order, while other cases go on', async (t) => {
  const fixture = await eventsFixture(t, { WEBHOOK_RETRY_SCHEDULE: '100ms,100ms,100ms,100ms,100ms,100ms,100ms,100ms,100ms,100ms,100ms,100ms,100ms,100ms,100ms,100ms,100ms,100ms,100ms,100ms' })
  const gate: { caseId?: string; open: boolean } = { open: false }
  const hook = await receiver(t, (event) => (event.data.case_id === gate.caseId && !gate.open ? 503 : 200))
  const subscription = await subscribe(fixture.admin, { url: hook.url, event_types: ['avrr.return_case.created', 'avrr.return_case.submitted', 'avrr.return_case.in_counselling'] })
  const blocked = await createCase(fixture.counsellor, fixture.offices.vilnius, { project_id: fixture.projectId })
  gate.caseId = blocked.id
  await act(fixture.counsellor, blocked.id, 'submit')
  await act(fixture.counsellor, blocked.id, 'start-counselling')
  const flowing = await createCase(fixture.counsellor, fixture.offices.vilnius, { project_id: fixture.projectId })
  await act(fixture.counsellor, flowing.id, 'submit')
  await act(fixture.counsellor, flowing.id, 'start-counselling')
  await until(() => hook.received.filter((delivery) => delivery.event.data.case_id === flowing.id && delivery.event.type === 'avrr.return_case.in_counselling').length === 1, 'the other case\'s events')
  const ofBlocked = () => hook.received.filter((delivery) => delivery.event.data.case_id === blocked.id)
  t.ok(ofBlocked().length >= 1, 'the blocked case was attempted')
  t.ok(ofBlocked().every((delivery) => delivery.event.type === 'avrr.return_case.created'), 'while its first event is not acknowledged, the next ones wait')
  gate.open = true
  await until(() => ofBlocked().some((delivery) => delivery.event.type === 'avrr.return_case.in_counselling'), 'the blocked case to catch up')
  const acknowledgedOrder = ofBlocked().map((delivery) => delivery.event.type).filter((type, index, all) => all.indexOf(type) === index)
  t.same(acknowledgedOrder, ['avrr.return_case.created', 'avrr.return_case.submitted', 'avrr.return_case.in_counselling'], 'then they follow in order')
  await until(async () => (await deliveries(fixture, subscription.id)).every((delivery) => delivery.status === 'succeeded'), 'every delivery acknowledged')
  const log = await deliveries(fixture, subscription.id)
  t.equal(log.length, 6, 'six deliveries, all acknowledged')
})

t.test('two instances on one database deliver each event exactly once', async (t) => {
  const fixture = await eventsFixture(t)
  const second = await buildTestApp(t, { WEBHOOK_DELIVERY_ENABLED: 'true', WEBHOOK_POLL_INTERVAL_MS: '100' }, fixture.database)
  const hook = await receiver(t)
  const subscription = await subscribe(fixture.admin, { url: hook.url })
  const writers = [fixture.counsellor, second.as('carla', ['counsellor'])]
  const cases: Json[] = []
  for (let index = 0; index < 12; index += 1) cases.push(await createCase(writers[index % 2] as typeof fixture.counsellor, fixture.offices.vilnius, { project_id: fixture.projectId }))
  await Promise.all(cases.map((created, index) => act(writers[index % 2] as typeof fixture.counsellor, created.id, 'submit')))
  const expected = cases.length * 2
  await until(() => hook.received.filter((delivery) => delivery.event.data.entity_type === 'return_case').length >= expected, 'every case event')
  await new Promise((resolve) => setTimeout(resolve, 500))
  const ids = hook.received.map((delivery) => delivery.event.id as string)
  t.equal(ids.length, new Set(ids).size, 'no event was delivered twice')
  const attempts = await fixture.database.db.selectFrom('webhook_delivery_attempts').select(['instance']).execute()
  t.equal(attempts.length, ids.length, 'one attempt per event')
  await until(async () => (await deliveries(fixture, subscription.id)).every((delivery) => delivery.status === 'succeeded'), 'every delivery acknowledged')
  const log = await deliveries(fixture, subscription.id)
  t.ok(log.every((delivery) => delivery.attempts === 1), 'each with one attempt')
})

t.test('a partner office subscribes only to its own cases, and sees only its own subscriptions', async (t) => {
  const fixture = await eventsFixture(t)
  const tbilisi = fixture.as('tamar', ['partner'], fixture.offices.tbilisi)
  const baghdad = fixture.as('bashir', ['partner'], fixture.offices.baghdad)
  const tbilisiHook = await receiver(t)
  const allHook = await receiver(t)
  const own = await subscribe(tbilisi, { url: tbilisiHook.url })
  t.equal(own.office_id, fixture.offices.tbilisi, 'a partner\'s subscription is for its office')
  const foreign = await tbilisi({ method: 'POST', url: '/v1/webhook-subscriptions', payload: { url: tbilisiHook.url, office_id: fixture.offices.baghdad } })
  t.equal(foreign.statusCode, 403, 'not for another office')
  const everything = await tbilisi({ method: 'POST', url: '/v1/webhook-subscriptions', payload: { url: tbilisiHook.url, office_id: null } })
  t.equal(everything.statusCode, 403, 'nor for every event')
  const notPartner = await fixture.admin({ method: 'POST', url: '/v1/webhook-subscriptions', payload: { url: allHook.url, office_id: fixture.offices.vilnius } })
  t.equal(notPartner.statusCode, 400, 'an office-scoped subscription is for a partner office')
  const forBaghdad = await subscribe(fixture.as('ivy', ['integration']), { url: allHook.url, office_id: fixture.offices.baghdad, event_types: ['avrr.office.created'] })
  await subscribe(fixture.admin, { url: allHook.url, event_types: ['avrr.return_case.approved'] })
  t.equal((await baghdad({ method: 'GET', url: `/v1/webhook-subscriptions/${own.id}` })).statusCode, 404, 'another office\'s subscription is not found')
  t.equal((await baghdad({ method: 'GET', url: `/v1/webhook-subscriptions/${own.id}/deliveries` })).statusCode, 404, 'nor its deliveries')
  t.equal((await baghdad({ method: 'DELETE', url: `/v1/webhook-subscriptions/${own.id}`, headers: { 'if-match': '"1"' } })).statusCode, 404, 'nor can it be deleted')
  t.same((await baghdad({ method: 'GET', url: '/v1/webhook-subscriptions' })).json().items.map((item: Json) => item.id), [forBaghdad.id], 'a partner lists its own only')
  t.equal((await fixture.auditor({ method: 'GET', url: '/v1/webhook-subscriptions' })).json().items.length, 3, 'staff list all')

  const georgian = await approvedCase(fixture)
  const iraqi = await approvedCase(fixture, { country_of_return: 'IQ', place_of_return: 'Erbil' })
  const principal = georgian.members[0].id as string
  await fixture.protection({ method: 'POST', url: `/v1/return-cases/${georgian.id}/members/${principal}/vulnerabilities`, payload: { code: 'victim_of_trafficking', notes: 'hotline referral' } })
  await until(() => tbilisiHook.received.some((delivery) => delivery.event.type === 'avrr.member_vulnerability.recorded'), 'the vulnerability event')
  await until(() => allHook.received.filter((delivery) => delivery.event.type === 'avrr.return_case.approved').length === 2, 'both approvals for the all-events subscription')
  t.same([...new Set(tbilisiHook.received.map((delivery) => delivery.event.data.case_id))], [georgian.id], 'the partner\'s webhook gets only its case')
  t.ok(tbilisiHook.received.some((delivery) => delivery.event.type === 'avrr.return_case.referred'), 'including the referral')
  t.notOk(tbilisiHook.received.some((delivery) => delivery.event.data.case_id === iraqi.id))
  const bodies = [...tbilisiHook.received, ...allHook.received].map((delivery) => delivery.body).join('\n')
  t.notMatch(bodies, /victim_of_trafficking|hotline referral|Giorgi|Beridze|1978-03-14/, 'no restricted or personal data in any payload')
  const vulnerability = tbilisiHook.received.find((delivery) => delivery.event.type === 'avrr.member_vulnerability.recorded')
  t.match(vulnerability?.event.data.state, { code: 'restricted', restricted: true })
  verify(own.secret, tbilisiHook.received[0] as never)
})

t.test('rotating the secret: both sign during the overlap, then only the new one', async (t) => {
  const fixture = await eventsFixture(t)
  const hook = await receiver(t)
  const subscription = await subscribe(fixture.admin, { url: hook.url, event_types: ['avrr.office.created'] })
  const office = (code: string) => fixture.admin({ method: 'POST', url: '/v1/offices', payload: { code, name: `Office ${code}`, country: 'AM', kind: 'partner_office' } })
  const rotated = await fixture.admin({ method: 'POST', url: `/v1/webhook-subscriptions/${subscription.id}:rotate-secret`, payload: { overlap_hours: 2 } })
  t.equal(rotated.statusCode, 200, rotated.body)
  const newSecret = rotated.json().secret as string
  t.not(newSecret, subscription.secret)
  t.ok(rotated.json().previous_secret_expires_at)
  await office('RT1')
  await until(() => hook.received.length === 1, 'a delivery during the overlap')
  t.equal(String(hook.received[0]?.headers['webhook-signature']).split(' ').length, 2, 'two signatures')
  t.ok(verify(subscription.secret, hook.received[0] as never), 'the old secret verifies')
  t.ok(verify(newSecret, hook.received[0] as never), 'the new secret verifies')
  const final = await fixture.admin({ method: 'POST', url: `/v1/webhook-subscriptions/${subscription.id}:rotate-secret`, payload: { overlap_hours: 0 } })
  const latest = final.json().secret as string
  await office('RT2')
  await until(() => hook.received.length === 2, 'a delivery after the overlap')
  t.ok(verify(latest, hook.received[1] as never), 'the newest secret verifies')
  t.throws(() => verify(newSecret, hook.received[1] as never), 'the replaced secret no longer does')
  const audit = await fixture.database.db.selectFrom('audit_events').select('changes').where('entity_type', '=', 'webhook_subscription').execute()
  t.notMatch(JSON.stringify(audit), /whsec_/, 'secrets never reach the audit trail')
})

t.test('paused subscriptions hold deliveries; a subscription failing for days is disabled, and that is an event', async (t) => {
  const fixture = await eventsFixture(t)
  const hook = await receiver(t)
  const subscription = await subscribe(fixture.admin, { url: hook.url, event_types: ['avrr.office.created'] })
  const paused = await fixture.admin({ method: 'PATCH', url: `/v1/webhook-subscriptions/${subscription.id}`, headers: { 'if-match': '"1"' }, payload: { status: 'paused' } })
  t.equal(paused.statusCode, 200, paused.body)
  await fixture.admin({ method: 'POST', url: '/v1/offices', payload: { code: 'PS1', name: 'Paused', country: 'AM', kind: 'partner_office' } })
  await until(async () => (await deliveries(fixture, subscription.id)).length === 1, 'the delivery to be kept')
  await new Promise((resolve) => setTimeout(resolve, 400))
  t.equal(hook.received.length, 0, 'nothing is sent while paused')
  await fixture.admin({ method: 'PATCH', url: `/v1/webhook-subscriptions/${subscription.id}`, headers: { 'if-match': '"2"' }, payload: { status: 'active' } })
  await until(() => hook.received.length === 1, 'the held delivery once resumed')
  await until(async () => (await deliveries(fixture, subscription.id))[0]?.status === 'succeeded', 'its acknowledgement to be recorded')

  hook.setResponder(() => 500)
  // It has been failing for six days (the limit is five).
  await fixture.database.db.updateTable('webhook_subscriptions').set({ failing_since: new Date(Date.now() - 6 * 86_400_000) }).where('id', '=', subscription.id).execute()
  await fixture.admin({ method: 'POST', url: '/v1/offices', payload: { code: 'PS2', name: 'Failing', country: 'AM', kind: 'partner_office' } })
  await until(async () => (await fixture.admin({ method: 'GET', url: `/v1/webhook-subscriptions/${subscription.id}` })).json().status === 'disabled', 'the subscription to be disabled')
  const disabled = (await fixture.admin({ method: 'GET', url: `/v1/webhook-subscriptions/${subscription.id}` })).json()
  t.match(disabled.disabled_reason, /failed since/)
  await until(async () => (await fixture.admin({ method: 'GET', url: '/v1/events?type=avrr.webhook_subscription.disabled' })).json().items.length === 1, 'the disabled event')
  const [event] = (await fixture.admin({ method: 'GET', url: '/v1/events?type=avrr.webhook_subscription.disabled' })).json().items
  t.equal(event.data.entity_id, subscription.id)
  await fixture.admin({ method: 'POST', url: '/v1/offices', payload: { code: 'PS3', name: 'After', country: 'AM', kind: 'partner_office' } })
  await new Promise((resolve) => setTimeout(resolve, 500))
  t.equal((await deliveries(fixture, subscription.id)).filter((delivery) => delivery.event_type === 'avrr.office.created').length, 2, 'a disabled subscription takes no new deliveries')
})

t.test('bad subscriptions are 4xx and write nothing', async (t) => {
  const fixture = await eventsFixture(t)
  const refuse = async (payload: Record<string, unknown>, status: number, what: string) => {
    const response = await fixture.admin({ method: 'POST', url: '/v1/webhook-subscriptions', payload })
    t.equal(response.statusCode, status, `${what}: ${response.body}`)
  }
  await refuse({ url: 'ftp://example.org/x' }, 400, 'only http(s)')
  await refuse({ url: 'not a url' }, 400, 'an absolute URL')
  await refuse({ url: 'http://user:pw@127.0.0.1:9/x' }, 400, 'no credentials')
  await refuse({ url: 'http://10.0.0.5/x' }, 400, 'no private address')
  await refuse({ url: 'http://169.254.169.254/latest/meta-data' }, 400, 'no metadata address')
  await refuse({ url: 'http://[::ffff:10.0.0.1]/x' }, 400, 'no private address behind IPv6')
  await refuse({ url: 'http://127.0.0.1:9/x', event_types: ['avrr.nothing.happened'] }, 400, 'only catalogue types')
  await refuse({ url: 'http://127.0.0.1:9/x', surprise: true }, 400, 'no unknown fields')
  const count = await fixture.database.db.selectFrom('webhook_subscriptions').select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow()
  t.equal(Number(count.count), 0)
  const production = await buildTestApp(t, { NODE_ENV: 'production', JWT_SECRET: 'a-production-secret-of-at-least-32-chars!' }, fixture.database)
  const admin = production.as('ada', ['admin'])
  const http = await admin({ method: 'POST', url: '/v1/webhook-subscriptions', payload: { url: 'http://tool.example.org/x' } })
  t.equal(http.statusCode, 400, 'production takes https only')
  const loopback = await admin({ method: 'POST', url: '/v1/webhook-subscriptions', payload: { url: 'https://127.0.0.1/x' } })
  t.equal(loopback.statusCode, 400, 'and no loopback in production')
  const localhost = await admin({ method: 'POST', url: '/v1/webhook-subscriptions', payload: { url: 'https://localhost/x' } })
  t.equal(localhost.statusCode, 400, 'also by name')
})

t.test('each subscription gets at most WEBHOOK_CONCURRENCY_PER_SUBSCRIPTION deliveries at once, and one at its limit does not hold up another', async (t) => {
  const fixture = await eventsFixture(t, { WEBHOOK_CONCURRENCY_PER_SUBSCRIPTION: '2' })
  const slowReceiver = async () => {
    const state = { now: 0, most: 0 }
    const hook = await receiver(t, async () => {
      state.now += 1
      state.most = Math.max(state.most, state.now)
      await new Promise((resolve) => setTimeout(resolve, 150))
      state.now -= 1
      return 204
    })
    return { hook, state }
  }
  const first = await slowReceiver()
  const second = await slowReceiver()
  for (const hook of [first.hook, second.hook]) await subscribe(fixture.admin, { url: hook.url, event_types: ['avrr.office.created'] })
  // Offices have no case: each event is its own ordering key, so all of them may go out in parallel.
  for (let index = 0; index < 8; index += 1) {
    const created = await fixture.admin({ method: 'POST', url: '/v1/offices', payload: { code: `P${index}X`, name: `Partner ${index}`, country: 'GE', kind: 'partner_office' } })
    t.equal(created.statusCode, 201)
  }
  const offices = (hook: typeof first.hook) => hook.received.filter((delivery) => delivery.event.type === 'avrr.office.created').length
  await until(() => offices(first.hook) >= 8 && offices(second.hook) >= 8, 'every office event at both receivers')
  t.equal(first.state.most, 2, 'the first subscription had two deliveries in flight at most, and used both')
  t.equal(second.state.most, 2, 'so did the second, beside it')
})
