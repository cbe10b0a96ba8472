import t from 'tap'
import { VULNERABLE_PROGRAMME_CODE } from '../../src/cli/seed/vulnerable-programme.js'
import { findProjectByCode } from '../../src/modules/projects/index.js'
import { buildSeededTestApp } from '../helpers/app.js'

// Seeding the 229 returnees of the vulnerable-migrant programme takes minutes on a loaded machine.
t.setTimeout(900_000)

t.test('the seeded 2010–2011 project and vulnerable-migrant programme reproduce their published figures', async (t) => {
  const testApp = await buildSeededTestApp(t)
  const db = testApp.database.db
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

  // The programme for migrants in situations of vulnerability.
  const programme = await findProjectByCode(db, VULNERABLE_PROGRAMME_CODE)
  const figures = (await manager({ method: 'GET', url: `/v1/statistics/returns?project_id=${programme!.id}` })).json().totals
  t.match(figures, { returned: 229, children: 63, family_members: 118, individuals: 111, families: 40, reached_reintegration: 221 }, '229 migrants, 63 children, 118 family members, 221 reintegrated')
  t.equal(figures.individuals + figures.family_members, figures.returned, 'individuals + family members = persons')
  const satisfaction = (await manager({ method: 'GET', url: `/v1/statistics/satisfaction?project_id=${programme!.id}` })).json()
  t.match(satisfaction.topics, [
    { topic: 'counselling', percent_satisfied: 99 },
    { topic: 'travel', percent_satisfied: 100 },
  ])
  const programmeReport = (await manager({ method: 'GET', url: `/v1/projects/${programme!.id}/report` })).json()
  t.match(programmeReport.targets, [
    { measure: 'persons', target: 200, achieved: 229 },
    { measure: 'individuals', target: 80, achieved: 111 },
    { measure: 'families', target: 40, achieved: 40 },
  ])
  // Trafficking victims are counted for protection, never for a counsellor.
  const protection = (await testApp.as('pia', ['protection'])({ method: 'GET', url: `/v1/statistics/returns?project_id=${programme!.id}` })).json().totals
  t.ok(protection.vulnerable_by_code.victim_of_trafficking > 0, 'protection counts the victims of trafficking')
  t.equal(figures.vulnerable_by_code.victim_of_trafficking, undefined, 'a programme manager does not see them')
  t.ok(figures.vulnerable < protection.vulnerable, 'nor counts them among the vulnerable')
})
