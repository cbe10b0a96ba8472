import t from 'tap'
import { emitContactReminders, scheduleContactReminders } from '../../src/modules/reintegration/contact-reminders.js'
import { approvedCase, expectStatus, isoDate, markArrived, reintegrationFixture, type Caller, type Json } from './helpers.js'

const QUEUE = '/v1/reintegration/contact-deadlines'

t.test('the work queue and its reminders', async (t) => {
  const f = await reintegrationFixture(t)
  // Thirty days, so the due days below do not depend on the month the test runs in.
  const project = await f.finance({ method: 'GET', url: `/v1/projects/${f.projectId}` })
  await expectStatus(
    await f.finance({ method: 'PATCH', url: `/v1/projects/${f.projectId}`, headers: { 'if-match': project.headers.etag as string }, payload: { contact_period: { months: 0, days: 30 } } }),
    200,
    'contact period',
  )
  const arrived = async (arrivedOn: string, overrides: Record<string, unknown> = {}, contact = false) => {
    const record = await approvedCase(f, overrides)
    await markArrived(f, record.id, 'arrived', { arrivedOn, contact })
    return record.id as string
  }
  const dueSoon = await arrived(isoDate(-27)) // due in 3 days
  const overdue = await arrived(isoDate(-40)) // 10 days overdue
  const later = await arrived(isoDate(-10)) // due in 20 days
  const contacted = await arrived(isoDate(-29), {}, true) // due tomorrow, but the returnee got in touch
  const baghdad = await arrived(isoDate(-35), { country_of_return: 'IQ', place_of_return: 'Basra' }) // 5 days overdue, another office
  const notArrived = (await approvedCase(f)).id as string

  const ids = (page: Json) => (page.items as Json[]).map((item) => item.case_id)
  const list = async (caller: Caller, query = '') => expectStatus(await caller({ method: 'GET', url: `${QUEUE}${query}` }), 200, `list ${query}`)

  t.test('cases due within the window and every overdue one, earliest due first; a partner office sees only its own', async (t) => {
    const staff = await list(f.auditor)
    t.same(ids(staff), [overdue, baghdad, dueSoon], 'due within 7 days by default, overdue first')
    t.match(staff.items[0], { overdue: true, days_until_due: -10, contact_due_on: isoDate(-10), status: 'awaiting_contact', partner_office_id: f.offices.tbilisi })
    t.match(staff.items[2], { overdue: false, days_until_due: 3 })
    t.same(ids(await list(f.auditor, '?due_within=30')), [overdue, baghdad, dueSoon, later], 'a wider window')
    t.same(ids(await list(f.auditor, '?due_within=0')), [overdue, baghdad], 'overdue only')
    t.notOk([...ids(await list(f.auditor, '?due_within=366'))].some((id) => id === contacted || id === notArrived), 'neither a contacted case nor one not yet arrived')
    t.same(ids(await list(f.partnerTbilisi, '?due_within=30')), [overdue, dueSoon, later], 'Tbilisi sees the cases referred to it')
    t.same(ids(await list(f.partnerBaghdad)), [baghdad], 'Baghdad sees its own')
    const foreign = await f.partnerTbilisi({ method: 'GET', url: `${QUEUE}?partner_office_id=${f.offices.baghdad}` })
    t.equal(foreign.statusCode, 403, 'a partner office cannot ask for another office\'s cases')
    t.same(ids(await list(f.counsellor, `?partner_office_id=${f.offices.baghdad}`)), [baghdad], 'staff narrow the list to one office')
    t.equal((await f.auditor({ method: 'GET', url: `${QUEUE}?due_within=-1` })).statusCode, 400)
  })

  t.test('the CSV export holds what the list shows the caller', async (t) => {
    const csv = await f.partnerTbilisi({ method: 'GET', url: `${QUEUE}?due_within=30`, headers: { accept: 'text/csv' } })
    t.equal(csv.statusCode, 200)
    t.match(csv.headers['content-type'], /text\/csv/)
    const lines = csv.body.trim().split(/\r?\n/)
    t.match(lines[0], /case_id/)
    t.same(lines.slice(1).map((line) => line.split(',')[0]), [overdue, dueSoon, later], 'Tbilisi exports its own cases, in the list\'s order')
    t.notOk(csv.body.includes(baghdad), 'nothing of another office')
  })

  t.test('keyset pages: each case once, in order, until next_cursor is null; a forged cursor is 400', async (t) => {
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const page: Json = await list(f.auditor, `?due_within=30&limit=1${cursor ? `&cursor=${cursor}` : ''}`)
      seen.push(...ids(page))
      cursor = page.next_cursor
    } while (cursor)
    t.same(seen, [overdue, baghdad, dueSoon, later])
    const forged = Buffer.from(JSON.stringify(['not-a-date', 'x'])).toString('base64url')
    const bad = await f.auditor({ method: 'GET', url: `${QUEUE}?cursor=${forged}` })
    t.equal(bad.statusCode, 400)
    t.match(bad.json(), { errors: [{ pointer: '/query/cursor' }] })
  })

  const reminders = async () =>
    f.db.selectFrom('outbox_events').select(['event_type', 'entity_id', 'payload']).where('event_type', 'in', ['contact_deadline.contact_due_soon', 'contact_deadline.contact_overdue']).orderBy('sequence').execute()
  const pairs = async () => (await reminders()).map((event) => `${event.event_type.replace('contact_deadline.contact_', '')} ${event.entity_id}`).sort()
  const silent = { info: () => undefined, warn: (details: object) => t.fail(`reminders failed: ${JSON.stringify(details)}`) }

  t.test('reminders: written by the job in the service process, each once, also when runs race; none when disabled', async (t) => {
    const disabled = scheduleContactReminders(f.db, silent, { intervalMs: 0, dueSoonDays: 7 })
    await new Promise((resolve) => setTimeout(resolve, 50))
    await disabled()
    t.same(await reminders(), [], 'an interval of 0 writes nothing')

    const stop = scheduleContactReminders(f.db, silent, { intervalMs: 60_000, dueSoonDays: 7 })
    await new Promise((resolve) => setTimeout(resolve, 50))
    await stop()
    t.same(await pairs(), [`due_soon ${dueSoon}`, `overdue ${baghdad}`, `overdue ${overdue}`].sort(), 'due in 3 days: due soon; past due: overdue')
    const event = (await reminders()).find((row) => row.entity_id === baghdad)
    t.match(event?.payload, { case_id: baghdad, partner_office_id: f.offices.baghdad, contact_due_on: isoDate(-5), days_until_due: -5 })

    t.same(await emitContactReminders(f.db, { today: isoDate(0), dueSoonDays: 7 }), { due_soon: 0, overdue: 0 }, 'the same day again: nothing new')
    const twoWeeksOn = { today: isoDate(14), dueSoonDays: 7 }
    const racing = await Promise.all([emitContactReminders(f.db, twoWeeksOn), emitContactReminders(f.db, twoWeeksOn), emitContactReminders(f.db, twoWeeksOn)])
    t.same(
      racing.reduce((sum, counts) => ({ due_soon: sum.due_soon + counts.due_soon, overdue: sum.overdue + counts.overdue }), { due_soon: 0, overdue: 0 }),
      { due_soon: 1, overdue: 1 },
      'three racing runs claim each new reminder once between them',
    )
    t.same(
      await pairs(),
      [`due_soon ${dueSoon}`, `overdue ${baghdad}`, `overdue ${overdue}`, `due_soon ${later}`, `overdue ${dueSoon}`].sort(),
      'two weeks on: the later case is due soon, the first one overdue; nothing twice, nothing for the contacted case',
    )
  })
})
