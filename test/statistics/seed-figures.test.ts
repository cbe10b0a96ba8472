import t from 'tap'
import { findProjectByCode } from '../../src/modules/projects/index.js'
import { buildTestApp } from '../helpers/app.js'
import { seedQuietly } from './helpers.js'

t.test('the seeded 2010–2011 project reproduces its published figures', async (t) => {
  const testApp = await buildTestApp(t)
  const db = testApp.database.db
  await seedQuietly(db)
  const project = await findProjectByCode(db, 'LT-REINT-2010')
  const manager = testApp.as('pm', ['approver'])
  const returns = await manager({ method: 'GET', url: `/v1/statistics/returns?project_id=${project!.id}&group_by=country` })
  t.equal(returns.statusCode, 200, returns.body)
  const body = returns.json()
  t.match(body.totals, { returned: 6, arrived: 6, reached_reintegration: 6, plan_approved: 6, individuals: 4, families: 1, family_members: 2, children: 0, cases: 5 })
  t.same(
    body.groups.map((group: { key: { country: string }; figures: { returned: number } }) => [group.key.country, group.figures.returned]),
    [
      ['GE', 4],
      ['IQ', 2],
    ],
    'four Georgians, two Iraqis',
  )
  const byQuarter = (await manager({ method: 'GET', url: `/v1/statistics/returns?project_id=${project!.id}&group_by=quarter` })).json()
  t.same(
    byQuarter.groups.map((group: { key: { quarter: string }; figures: { returned: number } }) => [group.key.quarter, group.figures.returned]),
    [
      ['2010-Q3', 1],
      ['2010-Q4', 2],
      ['2011-Q1', 1],
      ['2011-Q2', 2],
    ],
    'back-dated departures count in their own quarters',
  )
  const report = await manager({ method: 'GET', url: `/v1/projects/${project!.id}/report` })
  t.equal(report.statusCode, 200, report.body)
  t.match(report.json().targets, [
    { measure: 'persons', target: 6, achieved: 6 },
    { measure: 'individuals', target: 4, achieved: 4 },
    { measure: 'families', target: 1, achieved: 1 },
  ])
  t.equal(report.json().budget.totals.total.amount_minor, 3_803_700, 'budget EUR 38,037')
  t.equal(report.json().budget.co_funders[0].share_bp, 7500, 'EU 75 %')
})
