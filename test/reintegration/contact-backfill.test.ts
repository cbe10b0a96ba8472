import t from 'tap'
import { createMigrator, migrateToLatest } from '../../src/db/migrator.js'
import { addCalendarPeriod } from '../../src/shared/dates.js'
import { approvedCase, reintegrationFixture } from './helpers.js'

t.test('cases that arrived before deadlines were tracked get one from their arrival; those in reintegration count as contacted', async (t) => {
  const f = await reintegrationFixture(t)
  const arrived = (await approvedCase(f)).id as string
  const inReintegration = (await approvedCase(f, { place_of_return: 'Batumi' })).id as string
  const stillApproved = (await approvedCase(f, { place_of_return: 'Tbilisi' })).id as string
  const arrivedAt = new Date('2026-01-31T12:00:00Z')
  await f.db.updateTable('return_cases').set({ status: 'arrived', updated_at: arrivedAt }).where('id', '=', arrived).execute()
  await f.db.updateTable('return_cases').set({ status: 'in_reintegration', updated_at: arrivedAt }).where('id', '=', inReintegration).execute()

  // Back to before the contact deadlines, then forward again: the migration meets these cases as existing data.
  const migrator = createMigrator(f.db)
  for (;;) {
    const { results, error } = await migrator.migrateDown()
    if (error) throw error
    if (results?.[0]?.migrationName === '20261202150000_contact_deadlines') break
  }
  await migrateToLatest(f.db)

  const rows = await f.db.selectFrom('reintegration_contact_deadlines').selectAll().orderBy('case_id').execute()
  t.same(rows.map((row) => row.case_id).sort(), [arrived, inReintegration].sort(), 'only the arrived cases get a deadline')
  const byCase = new Map(rows.map((row) => [row.case_id, row]))
  t.match(byCase.get(arrived), { arrived_on: '2026-01-31', due_on: addCalendarPeriod('2026-01-31', { months: 1, days: 0 }), status: 'awaiting_contact', contacted_on: null })
  t.equal(byCase.get(arrived)?.due_on, '2026-02-28', 'one calendar month, to the end of February')
  t.match(byCase.get(inReintegration), { status: 'contacted', contacted_on: null, contact_channel: null, contact_recorded_by: 'system:before-contact-tracking' })
  t.notOk(byCase.has(stillApproved))
  const project = await f.db.selectFrom('projects').select(['contact_period_months', 'contact_period_days']).where('id', '=', f.projectId).executeTakeFirstOrThrow()
  t.same(project, { contact_period_months: 1, contact_period_days: 0 }, 'existing projects get the one-month default')
})
