import t from 'tap'
import { seedProject2010 } from '../../src/cli/seed.js'
import { buildTestApp } from '../helpers/app.js'
import { quietly } from '../helpers/database.js'

t.test('seed: the 2010–2011 reintegration, selected before departure and delivered after arrival; idempotent', async (t) => {
  const testApp = await buildTestApp(t)
  const db = testApp.database.db
  await quietly(() => seedProject2010(db))

  const plans = await db
    .selectFrom('reintegration_plans as p')
    .innerJoin('return_cases as c', 'c.id', 'p.case_id')
    .innerJoin('reintegration_requests as r', 'r.id', 'p.request_id')
    .select(['c.external_reference', 'c.country_of_return', 'c.status as case_status', 'p.status', 'p.budget_minor', 'p.released_minor', 'r.form_of_help', 'p.items'])
    .orderBy('c.external_reference')
    .execute()
  t.same(
    plans.map((plan) => [plan.external_reference, plan.budget_minor, plan.status, plan.case_status]),
    [
      ['SEED-2010-GE-1', 300_000, 'completed', 'in_reintegration'],
      ['SEED-2010-GE-2', 250_000, 'completed', 'in_reintegration'],
      ['SEED-2010-GE-3', 450_000, 'completed', 'in_reintegration'],
      ['SEED-2011-GE-4', 400_000, 'completed', 'in_reintegration'],
      ['SEED-2011-IQ-1', 600_000, 'completed', 'in_reintegration'],
    ],
    'five plans, paid to suppliers and delivered',
  )
  t.match(JSON.stringify(plans[0]?.items), /Concrete mixer/, 'construction tools for two Georgian returnees')
  t.match(JSON.stringify(plans[1]?.items), /Tile cutter/)
  t.match(JSON.stringify(plans[2]?.items), /Dairy cow/, 'cows for cheese production')
  t.match(JSON.stringify(plans[3]?.items), /clothing/, 'a clothing shop')
  t.match(JSON.stringify(plans[4]?.items), /household appliances/, 'an electrical-appliance shop for the Iraqi family')

  const line = await db
    .selectFrom('budget_lines')
    .innerJoin('projects', 'projects.id', 'budget_lines.project_id')
    .select(['allocated_minor', 'committed_minor', 'spent_minor'])
    .where('projects.code', '=', 'LT-REINT-2010')
    .where('category', '=', 'in_kind_reintegration')
    .executeTakeFirstOrThrow()
  t.same(line, { allocated_minor: 3_043_700, committed_minor: 0, spent_minor: 2_000_000 }, 'EUR 20,000 spent of the EUR 30,437 in-kind line')

  const iraqi = await db
    .selectFrom('reintegration_assessments as a')
    .innerJoin('reintegration_requests as r', 'r.current_assessment_id', 'a.id')
    .innerJoin('return_cases as c', 'c.id', 'r.case_id')
    .select(['a.urgency_score', 'a.urgency_crisis_points'])
    .where('c.external_reference', '=', 'SEED-2011-IQ-1')
    .executeTakeFirstOrThrow()
  t.same(iraqi, { urgency_score: 3, urgency_crisis_points: 3 }, 'return to Iraq was urgent: on the crisis list')
  t.equal((await db.selectFrom('suppliers').select('id').execute()).length, 4)

  const counts = async () => ({
    requests: (await db.selectFrom('reintegration_requests').select('id').execute()).length,
    disbursements: (await db.selectFrom('reintegration_disbursements').select('id').execute()).length,
    suppliers: (await db.selectFrom('suppliers').select('id').execute()).length,
    crisis: (await db.selectFrom('crisis_countries').select('id').execute()).length,
  })
  const first = await counts()
  await quietly(() => seedProject2010(db))
  t.same(await counts(), first, 'a second run adds nothing')
  t.same(first, { requests: 5, disbursements: 5, suppliers: 4, crisis: 1 })
})
