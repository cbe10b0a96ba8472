import t from 'tap'
import ExcelJS from 'exceljs'
import { buildTestApp } from '../helpers/app.js'
import { projectBody } from './fixtures.js'

/** Children and vulnerable targets: kept with the project, refused when impossible, and reported in every format. */
t.test('children and vulnerable targets round-trip, are checked, and appear in the donor report in JSON, CSV and XLSX', async (t) => {
  const { as } = await buildTestApp(t)
  const finance = as('fiona', ['finance'])
  const auditor = as('audrey', ['auditor'])

  const created = await finance({ method: 'POST', url: '/v1/projects', payload: projectBody({ targets: { persons: 200, individuals: 80, families: 40, children: 63, vulnerable: 150 } }) })
  t.equal(created.statusCode, 201)
  const project = created.json()
  t.same(project.targets, { persons: 200, individuals: 80, families: 40, children: 63, vulnerable: 150 })
  t.same((await auditor({ method: 'GET', url: `/v1/projects/${project.id}` })).json().targets, project.targets, 'read back as created')

  const older = await finance({ method: 'POST', url: '/v1/projects', payload: projectBody({ targets: { persons: 6, individuals: 4, families: 1 } }) })
  t.same(older.json().targets, { persons: 6, individuals: 4, families: 1, children: null, vulnerable: null }, 'left out, they are no target')

  for (const [what, targets, pointer] of [
    ['children above persons', { persons: 10, individuals: 2, families: 2, children: 11 }, '/body/targets/children'],
    ['vulnerable above persons', { persons: 10, individuals: 2, families: 2, vulnerable: 12 }, '/body/targets/vulnerable'],
    ['a negative target', { persons: 10, individuals: 2, families: 2, children: -1 }, '/body/targets/children'],
    ['a fractional target', { persons: 10, individuals: 2, families: 2, vulnerable: 1.5 }, '/body/targets/vulnerable'],
  ] as const) {
    const refused = await finance({ method: 'PATCH', url: `/v1/projects/${project.id}`, headers: { 'if-match': '"1"' }, payload: { targets } })
    t.equal(refused.statusCode, 400, `${what} is refused`)
    t.ok(refused.json().errors.some((error: { pointer: string }) => error.pointer === pointer), `${what} points at ${pointer}`)
  }
  t.same((await auditor({ method: 'GET', url: `/v1/projects/${project.id}` })).json().targets.children, 63, 'nothing was written')

  const kept = await finance({ method: 'PATCH', url: `/v1/projects/${project.id}`, headers: { 'if-match': '"1"' }, payload: { targets: { persons: 220, individuals: 80, families: 40 } } })
  t.equal(kept.statusCode, 200)
  t.same(kept.json().targets, { persons: 220, individuals: 80, families: 40, children: 63, vulnerable: 150 }, 'an update that leaves them out keeps them')

  const url = `/v1/projects/${project.id}/report`
  const report = (await auditor({ method: 'GET', url })).json()
  const target = (measure: string) => report.targets.find((entry: { measure: string }) => entry.measure === measure)
  t.match(target('children'), { target: 63, achieved: 0 })
  t.match(target('vulnerable'), { target: 150, achieved: 0 })

  const csv = (await auditor({ method: 'GET', url, headers: { accept: 'text/csv' } })).body
  t.match(csv, /targets,children,target,63/)
  t.match(csv, /targets,vulnerable,target,150/)

  const xlsx = await auditor({ method: 'GET', url, headers: { accept: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' } })
  const workbook = new ExcelJS.Workbook()
  await workbook.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer)
  const cells: string[] = []
  workbook.worksheets[0]!.eachRow((row) => cells.push((row.values as unknown[]).slice(1).join(',')))
  t.ok(cells.includes('targets,children,target,63'), 'children target in the spreadsheet')
  t.ok(cells.includes('targets,vulnerable,target,150'), 'vulnerable target in the spreadsheet')
})
