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
