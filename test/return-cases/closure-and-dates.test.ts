import t from 'tap'
import { closureReasonFrom, CLOSURE_REASONS, CASE_WORKFLOW } from '../../src/modules/return-cases/transitions.js'
import { act, caseFixture, createCase, isoDate } from './helpers.js'

t.test('every status a case can close from names its closure reason', async (t) => {
  for (const status of CASE_WORKFLOW.rules.close.from) t.ok(CLOSURE_REASONS[status], `${status} has a reason`)
  t.equal(closureReasonFrom('arrived'), 'returned')
  t.equal(closureReasonFrom('in_reintegration'), 'returned')
  t.equal(closureReasonFrom('no_show'), 'no_show')
  t.equal(closureReasonFrom('cancelled'), 'other')
})

t.test('a closed case records why it closed, and an open one has no reason', async (t) => {
  const fixture = await caseFixture(t)
  const withdrawn = await createCase(fixture.counsellor, fixture.offices.vilnius)
  t.equal(withdrawn.closure_reason, null)
  await act(fixture.counsellor, withdrawn.id, 'withdraw', { reason: 'Decided to stay with relatives' })
  const closedWithdrawn = await act(fixture.counsellor, withdrawn.id, 'close', { reason: 'Withdrawn by the applicant' })
  t.equal(closedWithdrawn.json().closure_reason, 'withdrawn')

  const rejected = await createCase(fixture.counsellor, fixture.offices.vilnius)
  await act(fixture.counsellor, rejected.id, 'submit')
  await act(fixture.approver, rejected.id, 'reject', { reason: 'Holds a valid residence permit' })
  const closedRejected = await act(fixture.counsellor, rejected.id, 'close', { reason: 'Rejected' })
  t.equal(closedRejected.json().closure_reason, 'rejected')

  const stored = await fixture.database.db.selectFrom('return_cases').select(['id', 'closure_reason']).where('id', 'in', [withdrawn.id, rejected.id]).execute()
  t.same(Object.fromEntries(stored.map((row) => [row.id, row.closure_reason])), { [withdrawn.id]: 'withdrawn', [rejected.id]: 'rejected' })
  const event = await fixture.database.db.selectFrom('outbox_events').select('payload').where('entity_id', '=', withdrawn.id).where('event_type', '=', 'return_case.closed').executeTakeFirstOrThrow()
  t.equal((event.payload as Record<string, unknown>).closure_reason, 'withdrawn')
  // The database refuses a closed case without a reason, or an open one with one.
  await t.rejects(fixture.database.db.updateTable('return_cases').set({ closure_reason: null }).where('id', '=', withdrawn.id).execute())
  const open = await createCase(fixture.counsellor, fixture.offices.vilnius)
  await t.rejects(fixture.database.db.updateTable('return_cases').set({ closure_reason: 'other' }).where('id', '=', open.id).execute())
})

t.test('a back-dated case takes the year of its application date, and its history starts on it', async (t) => {
  const fixture = await caseFixture(t)
  const today = await createCase(fixture.counsellor, fixture.offices.vilnius)
  t.equal(today.applied_on, isoDate(0))
  t.match(today.reference, new RegExp(`^VNO-${new Date().getUTCFullYear()}-00001$`))

  const old = await createCase(fixture.counsellor, fixture.offices.vilnius, { applied_on: '2010-08-02', intended_departure_on: '2010-09-15' })
  t.equal(old.applied_on, '2010-08-02')
  t.equal(old.reference, 'VNO-2010-00001', 'numbered in the counter of 2010')
  const second = await createCase(fixture.counsellor, fixture.offices.vilnius, { applied_on: '2010-11-30' })
  t.equal(second.reference, 'VNO-2010-00002')
  const history = await fixture.counsellor({ method: 'GET', url: `/v1/return-cases/${old.id}/history` })
  t.equal(history.json().items[0].occurred_at, '2010-08-02T00:00:00.000Z')

  for (const applied_on of [isoDate(3), '1999-12-31']) {
    const before = await fixture.database.db.selectFrom('return_cases').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()
    const refused = await fixture.counsellor({ method: 'POST', url: '/v1/return-cases', payload: { office_id: fixture.offices.vilnius, legal_status: 'irregular_stay', referral_source: 'self', country_of_return: 'GE', applied_on } })
    t.equal(refused.statusCode, 400, `${applied_on} is refused`)
    const after = await fixture.database.db.selectFrom('return_cases').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()
    t.equal(after.n, before.n, 'nothing written')
  }
})
