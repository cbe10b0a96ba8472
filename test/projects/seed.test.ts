import t from 'tap'
import { buildTestApp } from '../helpers/app.js'
import { SEED_PROJECT_CODE, seedProjects } from '../../src/cli/seed/projects.js'
import { financeContext as context } from '../ledger/helpers.js'
import { EUR } from './fixtures.js'

t.test('the seed project: EUR 38,037, EU 75 %, lines adding up to the total, active; seeding twice changes nothing', async (t) => {
  const { as, database } = await buildTestApp(t)
  const first = await seedProjects(database.db, context)
  t.equal(first.created, true)
  const second = await seedProjects(database.db, context)
  t.same(second, { projectId: first.projectId, created: false }, 'idempotent')
  t.equal((await database.db.selectFrom('projects').select('id').execute()).length, 1)

  const auditor = as('auditor', ['auditor'])
  const project = (await auditor({ method: 'GET', url: `/v1/projects/${first.projectId}` })).json()
  t.match(project, { code: SEED_PROJECT_CODE, status: 'active', starts_on: '2010-07-01', ends_on: '2011-06-30', total: EUR(3_803_700), allocated: EUR(3_803_700) })
  const report = (await auditor({ method: 'GET', url: `/v1/projects/${first.projectId}/budget-report` })).json()
  t.same(report.lines.map((line: { category: string }) => line.category), ['travel', 'cash_grant', 'in_kind_reintegration'], 'lines for travel, cash grants and in-kind assistance only')
  t.same(project.cost_routing, { excess_baggage: 'travel', insurance: 'travel', accommodation: 'travel' })
  t.same(report.totals.unallocated, EUR(0), 'the budget lines add up to the total')
  t.same(
    report.co_funders.map((coFunder: { share_bp: number; contribution: { amount_minor: number } }) => [coFunder.share_bp, coFunder.contribution.amount_minor]),
    [
      [7500, 2_852_775],
      [2500, 950_925],
    ],
    'the EU contributes 75 %: EUR 28,527.75',
  )
})
