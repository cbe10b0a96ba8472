import t from 'tap'
import { buildTestApp } from '../helpers/app.js'
import { counsellorOf, createEnquirer, daysFromToday, ENQUIRERS, recordConsultation } from './helpers.js'

const QUEUE = '/v1/mic/follow-ups'

t.test('the queue lists open follow-ups overdue or due within the window, the earliest first', async (t) => {
  const testApp = await buildTestApp(t)
  const counsellor = counsellorOf(testApp)
  const ona = await createEnquirer(testApp)
  const jonas = await createEnquirer(testApp, { given_name: 'Jonas', family_name: 'Kazlauskas' })
  const heldOn = daysFromToday(-20)
  const at = (followUpOn: string, extra: Record<string, unknown> = {}) => ({ held_on: heldOn, referrals: [], follow_up_on: followUpOn, ...extra })
  const overdue = await recordConsultation(testApp, ona.id, at(daysFromToday(-3)))
  const today = await recordConsultation(testApp, jonas.id, at(daysFromToday(0), { counsellor: 'laima' }))
  const soon = await recordConsultation(testApp, ona.id, at(daysFromToday(5)))
  const later = await recordConsultation(testApp, jonas.id, at(daysFromToday(20)))
  const done = await recordConsultation(testApp, ona.id, at(daysFromToday(-1)))
  await recordConsultation(testApp, ona.id, { held_on: heldOn, referrals: [], follow_up_on: null })
  const markedDone = await counsellor({ method: 'PATCH', url: `${ENQUIRERS}/${ona.id}/consultations/${done.id}`, headers: { 'if-match': '"1"' }, payload: { follow_up_done_on: daysFromToday(0) } })
  t.equal(markedDone.statusCode, 200)

  const queue = await counsellor({ method: 'GET', url: QUEUE })
  t.equal(queue.statusCode, 200)
  const items = queue.json().items
  t.same(items.map((item: { consultation_id: string }) => item.consultation_id), [overdue.id, today.id, soon.id], 'default window: seven days; done and unplanned follow-ups are left out')
  t.match(items[0], { enquirer_id: ona.id, given_name: 'Ona', family_name: 'Petraitienė', state: 'overdue', days_until_due: -3, follow_up_on: daysFromToday(-3), held_on: heldOn })
  t.match(items[1], { state: 'due', days_until_due: 0, counsellor: 'laima' })
  t.match(items[2], { state: 'due', days_until_due: 5 })

  const ids = async (query: string) => (await counsellor({ method: 'GET', url: `${QUEUE}?${query}` })).json().items.map((item: { consultation_id: string }) => item.consultation_id)
  t.same(await ids('due_within=0'), [overdue.id, today.id], 'due_within=0: overdue and due today')
  t.same(await ids('due_within=30'), [overdue.id, today.id, soon.id, later.id])
  t.same(await ids('counsellor=laima'), [today.id])

  const first = (await counsellor({ method: 'GET', url: `${QUEUE}?due_within=30&limit=3` })).json()
  t.equal(first.items.length, 3)
  t.same(await ids(`due_within=30&limit=3&cursor=${first.next_cursor}`), [later.id], 'the next page continues after the last due date and id')

  t.equal((await counsellor({ method: 'GET', url: `${QUEUE}?due_within=366` })).statusCode, 400)
  t.equal((await counsellor({ method: 'GET', url: `${QUEUE}?due_within=-1` })).statusCode, 400)
  const wrongCursor = await counsellor({ method: 'GET', url: `${QUEUE}?cursor=${Buffer.from(JSON.stringify(['not-a-date', 'x'])).toString('base64url')}` })
  t.equal(wrongCursor.statusCode, 400, 'a cursor this queue did not issue is a 400, not a database error')
  t.equal(wrongCursor.json().errors[0].pointer, '/query/cursor')
  const impossibleDay = await counsellor({ method: 'GET', url: `${QUEUE}?cursor=${Buffer.from(JSON.stringify(['2026-02-30', overdue.id])).toString('base64url')}` })
  t.equal(impossibleDay.statusCode, 400, 'a cursor naming a day that does not exist is a 400 too')
})
