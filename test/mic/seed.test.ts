import t from 'tap'
import { seedMigrationInformationCentre } from '../../src/cli/seed/mic.js'
import { buildTestApp } from '../helpers/app.js'
import { footprint } from './helpers.js'

t.test('seed: demo enquirers with their consultations, through the service, idempotent', async (t) => {
  const testApp = await buildTestApp(t)
  const db = testApp.database.db
  const first = await seedMigrationInformationCentre(db)
  t.equal(first.length, 3)
  t.ok(first.every((seeded) => seeded.created))
  const again = await seedMigrationInformationCentre(db)
  t.ok(again.every((seeded) => !seeded.created), 'a second run creates nothing')
  t.same(again.map((seeded) => seeded.id), first.map((seeded) => seeded.id))
  const counts = await footprint(testApp)
  t.equal(counts.enquirers, 3)
  t.equal(counts.consultations, 4)
  t.equal(counts.audits, 7, 'every row written through the service, audited')
  const queue = (await testApp.as('connie', ['counsellor'])({ method: 'GET', url: '/v1/mic/follow-ups?due_within=14' })).json()
  t.same(queue.items.map((item: { state: string }) => item.state), ['overdue', 'due', 'due'], 'the queue has an overdue follow-up and two due soon')
})
