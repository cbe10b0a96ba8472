import t from 'tap'
import { seedOffices } from '../../src/cli/seed/offices.js'
import { seedReturnCases } from '../../src/cli/seed/return-cases.js'
import { buildTestApp } from '../helpers/app.js'
import { createProject } from './helpers.js'

t.test('seed: the 2010–2011 cases, idempotent', async (t) => {
  const testApp = await buildTestApp(t)
  const db = testApp.database.db
  const offices = await seedOffices(db)
  const first = await seedReturnCases(db, { countryOfficeId: offices.vilnius })
  t.equal(first.length, 5)
  t.ok(first.every((seeded) => seeded.created))
  const again = await seedReturnCases(db, { countryOfficeId: (await seedOffices(db)).vilnius })
  t.ok(again.every((seeded) => !seeded.created), 'a second run creates nothing')
  t.same(again.map((seeded) => seeded.id), first.map((seeded) => seeded.id))

  const cases = await db.selectFrom('return_cases').select(['country_of_return', 'status']).execute()
  t.equal(cases.length, 5)
  t.equal(cases.filter((row) => row.country_of_return === 'GE').length, 4, 'four Georgian returnees')
  t.ok(cases.every((row) => row.status === 'in_counselling'), 'without a project the cases wait in counselling')
  const members = await db.selectFrom('case_members').select('nationality').execute()
  t.same(members.map((member) => member.nationality).sort(), ['GE', 'GE', 'GE', 'GE', 'IQ', 'IQ'], 'four Georgian and two Iraqi citizens')
  t.equal((await db.selectFrom('offices').select('id').execute()).length, 3)
  const audited = await db.selectFrom('audit_events').select('action').where('action', '=', 'return_case.created').execute()
  t.equal(audited.length, 5, 'written through the service: audited')

  const iraqi = (await testApp.as('audrey', ['auditor'])({ method: 'GET', url: '/v1/return-cases?country_of_return=IQ' })).json()
  t.match(iraqi.items[0], { household_size: 2, family_type: 'married_couple' })
})

t.test('seed: with an active project the cases are approved and referred', async (t) => {
  const testApp = await buildTestApp(t)
  const db = testApp.database.db
  const offices = await seedOffices(db)
  const projectId = await createProject(testApp, { code: 'LT-REINT-2010', starts_on: '2010-07-01', ends_on: '2011-06-30' })
  await seedReturnCases(db, { countryOfficeId: offices.vilnius, projectId })
  const cases = await db.selectFrom('return_cases').select(['status', 'partner_office_id', 'country_of_return', 'project_id']).execute()
  t.ok(cases.every((row) => row.status === 'approved' && row.project_id === projectId))
  t.ok(cases.every((row) => row.partner_office_id === (row.country_of_return === 'GE' ? offices.tbilisi : offices.baghdad)), 'referred to the partner office of the country')
})
