import t from 'tap'
import { buildTestApp } from '../helpers/app.js'
import { newId } from '../../src/shared/ids.js'
import type { ProblemError } from '../../src/shared/problems.js'
import { commitFunds, spendFunds } from '../../src/modules/projects/ledger.js'
import { formatAmount } from '../../src/modules/projects/report.js'
import { negotiateReportType } from '../../src/modules/projects/routes.js'
import { splitByShares } from '../../src/modules/projects/shares.js'
import { financeContext as context } from '../ledger/helpers.js'
import { createProjectWithLines, EUR } from './fixtures.js'

t.test('largest-remainder shares are whole minor units that sum exactly to the amount', async (t) => {
  t.same(splitByShares(1001, [3333, 3333, 3334]), [334, 333, 334], 'leftover units go to the largest remainders, ties to the first listed')
  t.same(splitByShares(3803700, [7500, 2500]), [2852775, 950925], 'the 2010–2011 project: EU 75 %, state budget 25 %')
  t.same(splitByShares(1, [3333, 3333, 3334]), [0, 0, 1])
  t.same(splitByShares(0, [5000, 5000]), [0, 0])
  t.same(splitByShares(10, [1, 9999]), [0, 10])
  const big = Number.MAX_SAFE_INTEGER
  const parts = splitByShares(big, [3333, 3333, 3334])
  t.equal(BigInt(parts[0]!) + BigInt(parts[1]!) + BigInt(parts[2]!), BigInt(big), 'exact beyond 2^53 / 10000')
  for (let amount = 0; amount < 500; amount += 7) {
    const split = splitByShares(amount, [1234, 4321, 4445])
    t.equal(split.reduce((sum, part) => sum + part, 0), amount)
  }
  t.throws(() => splitByShares(100, [5000, 4999]), RangeError, 'shares must sum to 10000')
  t.throws(() => splitByShares(1.5, [10000]), RangeError)
})

t.test('amounts in the CSV are exact decimals of the currency\'s minor unit', async (t) => {
  t.equal(formatAmount(3803700, 'EUR'), '38037.00')
  t.equal(formatAmount(5, 'EUR'), '0.05')
  t.equal(formatAmount(0, 'EUR'), '0.00')
  t.equal(formatAmount(1500, 'JPY'), '1500')
  t.equal(formatAmount(1234, 'KWD'), '1.234')
  t.equal(formatAmount(9_007_199_254_740_991, 'EUR'), '90071992547409.91')
})

t.test('the report\'s media type follows Accept', async (t) => {
  t.equal(negotiateReportType(undefined), 'application/json')
  t.equal(negotiateReportType('*/*'), 'application/json')
  t.equal(negotiateReportType('text/csv'), 'text/csv')
  t.equal(negotiateReportType('text/*'), 'text/csv')
  t.equal(negotiateReportType('text/csv;q=0.5, application/json'), 'application/json')
  t.equal(negotiateReportType('application/json;q=0.2, text/csv;q=0.9'), 'text/csv')
  for (const accept of ['application/xml', 'text/csv;q=0']) {
    try {
      negotiateReportType(accept)
      t.fail(`${accept} should not be acceptable`)
    } catch (error) {
      t.equal((error as ProblemError).slug, 'not-acceptable', `${accept} is 406`)
    }
  }
})

t.test('budget report: lines, totals and co-funder shares that add up, as JSON and CSV', async (t) => {
  const { as, database } = await buildTestApp(t)
  const db = database.db
  const finance = as('fiona', ['finance'])
  const project = await createProjectWithLines(
    finance,
    { Tickets: ['travel', 10_000], Grants: ['cash_grant', 5_000], '=Other': ['other', 1_000] },
    {
      project: {
        code: 'LT-REPORT-1',
        total: EUR(20_000),
        co_funders: [
          { name: 'European Union', share_bp: 3333 },
          { name: 'State budget', share_bp: 3333 },
          { name: 'Municipality', share_bp: 3334 },
        ],
      },
    },
  )
  const ticket = { type: 'ticket' as const, id: newId() }
  const grant = { type: 'cash_grant' as const, id: newId() }
  await db.transaction().execute(async (trx) => {
    await commitFunds(trx, context, { budgetLineId: project.lines.Tickets!.id, amount: EUR(2_000), source: ticket })
    await spendFunds(trx, context, { budgetLineId: project.lines.Tickets!.id, amount: EUR(701), source: ticket })
    await commitFunds(trx, context, { budgetLineId: project.lines.Grants!.id, amount: EUR(300), source: grant })
    await spendFunds(trx, context, { budgetLineId: project.lines.Grants!.id, amount: EUR(300), source: grant })
  })

  const response = await as('auditor', ['auditor'])({ method: 'GET', url: `/v1/projects/${project.id}/budget-report` })
  t.equal(response.statusCode, 200)
  t.match(response.headers['content-type'], /^application\/json/)
  const report = response.json()
  t.same(
    report.lines.map((line: Record<string, { amount_minor: number }>) => [line.name, line.allocated!.amount_minor, line.committed!.amount_minor, line.spent!.amount_minor, line.available!.amount_minor]),
    [
      ['Tickets', 10_000, 1_299, 701, 8_000],
      ['Grants', 5_000, 0, 300, 4_700],
      ['=Other', 1_000, 0, 0, 1_000],
    ],
  )
  t.same(report.totals, { total: EUR(20_000), allocated: EUR(16_000), unallocated: EUR(4_000), committed: EUR(1_299), spent: EUR(1_001), available: EUR(13_700) })
  t.same(
    report.co_funders.map((coFunder: { name: string; spent: { amount_minor: number }; contribution: { amount_minor: number } }) => [coFunder.name, coFunder.spent.amount_minor, coFunder.contribution.amount_minor]),
    [
      ['European Union', 334, 6_666],
      ['State budget', 333, 6_666],
      ['Municipality', 334, 6_668],
    ],
    'an odd spend of 1001 splits into whole units summing exactly to 1001',
  )

  const csv = await finance({ method: 'GET', url: `/v1/projects/${project.id}/budget-report`, headers: { accept: 'text/csv' } })
  t.equal(csv.statusCode, 200)
  t.equal(csv.headers['content-type'], 'text/csv; charset=utf-8')
  t.equal(csv.headers['content-disposition'], 'attachment; filename="budget-report-LT-REPORT-1.csv"')
  t.equal(
    csv.body,
    [
      'row,category,name,share_bp,allocated,committed,spent,available,contribution,currency',
      'line,travel,Tickets,,100.00,12.99,7.01,80.00,,EUR',
      'line,cash_grant,Grants,,50.00,0.00,3.00,47.00,,EUR',
      "line,other,'=Other,,10.00,0.00,0.00,10.00,,EUR",
      'total,,,,160.00,12.99,10.01,137.00,200.00,EUR',
      'co_funder,,European Union,3333,,,3.34,,66.66,EUR',
      'co_funder,,State budget,3333,,,3.33,,66.66,EUR',
      'co_funder,,Municipality,3334,,,3.34,,66.68,EUR',
      '',
    ].join('\r\n'),
    'one table a spreadsheet opens; a name a spreadsheet would run as a formula is defused',
  )
  const refused = await finance({ method: 'GET', url: `/v1/projects/${project.id}/budget-report`, headers: { accept: 'application/xml' } })
  t.equal(refused.statusCode, 406)
  t.equal(refused.json().type, '/problems/not-acceptable')
  t.equal((await finance({ method: 'GET', url: `/v1/projects/01900000-0000-7000-8000-000000000000/budget-report` })).statusCode, 404)
})
