import ExcelJS from 'exceljs'
import t from 'tap'
import { seedOffices } from '../../src/cli/seed/offices.js'
import { partnerCountry, programmeSetup, returnHousehold, type Household } from '../../src/cli/seed/vulnerable-programme.js'
import { buildTestApp } from '../helpers/app.js'

/**
 * Each definition on a small data set whose figures are worked out here:
 * - A (Georgia): a mother and her son, who turns 18 the day after they depart: a family of two, one child.
 * - B (Georgia): a man whose wife did not board: a family of one, so an individual return.
 * - C (Iraq): a woman travelling alone, a victim of trafficking, whose reintegration was delivered.
 * - D: a case withdrawn and closed before travel: counted nowhere, closed as `withdrawn`.
 */
const DEPARTURE = '2022-03-10'

function household(index: number, country: string, members: Household['members'], options: Partial<Household> = {}): Household {
  return { index, country: partnerCountry(country), departsOn: DEPARTURE, members, reintegration: false, ...options }
}

t.test('each figure on a hand-built data set, for staff, partners and protection', async (t) => {
  const testApp = await buildTestApp(t)
  const db = testApp.database.db
  const offices = await seedOffices(db)
  const setup = await programmeSetup(db)
  const ids = (country: string) => ({ officeId: offices.vilnius, projectId: setup.projectId, supplierId: setup.suppliers.get(country) as string })
  const person = (relationship: 'principal' | 'child' | 'spouse_partner', sex: 'female' | 'male', dateOfBirth: string, nationality: string, vulnerabilities: Array<{ code: 'victim_of_trafficking' | 'medical_needs'; notes: string }> = []) => ({
    relationship,
    given_name: 'Test',
    family_name: `${relationship}-${dateOfBirth}`,
    sex,
    date_of_birth: dateOfBirth,
    nationality,
    vulnerabilities,
  })
  const households = [
    household(901, 'GE', [person('principal', 'female', '1985-06-01', 'GE'), person('child', 'male', '2004-03-11', 'GE')]),
    household(902, 'GE', [person('principal', 'male', '1979-01-20', 'GE'), person('spouse_partner', 'female', '1981-02-02', 'GE')], { noShows: [1] }),
    household(903, 'IQ', [person('principal', 'female', '1995-09-09', 'IQ', [{ code: 'victim_of_trafficking', notes: 'Referred by the police' }])], { reintegration: true }),
  ]
  for (const entry of households) await db.transaction().execute((trx) => returnHousehold(trx, entry, ids(entry.country.country)))

  const counsellor = testApp.as('carla', ['counsellor'])
  const created = await counsellor({
    method: 'POST',
    url: '/v1/return-cases',
    payload: { office_id: offices.vilnius, project_id: setup.projectId, legal_status: 'irregular_stay', referral_source: 'self', country_of_return: 'GE', intended_departure_on: DEPARTURE },
  })
  const withdrawnId = created.json().id as string
  await counsellor({ method: 'POST', url: `/v1/return-cases/${withdrawnId}:withdraw`, payload: { reason: 'Found work and stays' } })
  const closed = await counsellor({ method: 'POST', url: `/v1/return-cases/${withdrawnId}:close`, payload: { reason: 'Withdrawn' } })
  t.equal(closed.json().closure_reason, 'withdrawn', 'D closed as withdrawn')

  const returns = async (caller: ReturnType<typeof testApp.as>, query = '') => {
    const response = await caller({ method: 'GET', url: `/v1/statistics/returns?project_id=${setup.projectId}${query}` })
    t.equal(response.statusCode, 200, response.body)
    return response.json()
  }
  const staff = await returns(counsellor, '&group_by=household_type')
  t.match(staff.totals, {
    cases: 3, // A, B, C; D never departed
    returned: 4, // A 2, B 1 (his wife did not board), C 1
    arrived: 4,
    children: 1, // A's son is 17 on the departure date
    individuals: 2, // B (a family of one after the no-show) and C
    families: 1, // A
    family_members: 2,
    vulnerable: 0, // C's only vulnerability is restricted: a counsellor does not count it
    plan_approved: 1,
    reached_reintegration: 1, // C
  })
  t.equal(staff.totals.vulnerable_by_code.victim_of_trafficking, undefined, 'no trafficking column for a counsellor')
  t.equal(staff.restricted_counted, false)
  t.same(
    staff.groups.map((group: { key: { household_type: string }; figures: { returned: number } }) => [group.key.household_type, group.figures.returned]),
    [
      ['family', 2],
      ['individual', 2],
    ],
  )

  const protection = await returns(testApp.as('pia', ['protection']), '&group_by=vulnerability')
  t.equal(protection.totals.vulnerable, 1, 'protection counts C')
  t.equal(protection.totals.vulnerable_by_code.victim_of_trafficking, 1)
  t.same(
    protection.groups.map((group: { key: { vulnerability: string }; figures: { returned: number } }) => [group.key.vulnerability, group.figures.returned]),
    [
      ['none', 3],
      ['victim_of_trafficking', 1],
    ],
  )
  const counsellorByVulnerability = await returns(counsellor, '&group_by=vulnerability')
  t.same(counsellorByVulnerability.groups.map((group: { key: { vulnerability: string } }) => group.key.vulnerability), ['none'], 'a counsellor sees no trafficking group')

  const tbilisi = await returns(testApp.as('tamar', ['partner'], setup.partnerOffices.get('GE')))
  t.match(tbilisi.totals, { cases: 2, returned: 3, children: 1, individuals: 1, families: 1, reached_reintegration: 0 }, 'Tbilisi counts only A and B')
  t.equal(tbilisi.partner_office_id, setup.partnerOffices.get('GE'))

  const ages = await returns(counsellor, '&group_by=age_group,sex')
  t.same(
    ages.groups.map((group: { key: Record<string, string>; figures: { returned: number } }) => [group.key.age_group, group.key.sex, group.figures.returned]),
    [
      ['12-17', 'male', 1],
      ['18-34', 'female', 1],
      ['35-64', 'female', 1],
      ['35-64', 'male', 1],
    ],
  )
  const outside = await returns(counsellor, `&from=2022-03-11`)
  t.equal(outside.totals.returned, 0, 'the period is on the departure date')
  const day = await returns(counsellor, `&from=${DEPARTURE}&to=${DEPARTURE}&country=IQ`)
  t.equal(day.totals.returned, 1)

  for (const [query, pointer] of [
    ['&group_by=colour', '/query/group_by'],
    ['&group_by=country,month,year', '/query/group_by'],
    ['&from=2022-04-01&to=2022-03-01', '/query/to'],
  ] as const) {
    const refused = await counsellor({ method: 'GET', url: `/v1/statistics/returns?project_id=${setup.projectId}${query}` })
    t.equal(refused.statusCode, 400, query)
    t.equal(refused.json().errors?.[0]?.pointer, pointer)
  }

  const satisfaction = (await counsellor({ method: 'GET', url: `/v1/statistics/satisfaction?project_id=${setup.projectId}` })).json()
  t.match(satisfaction.topics, [
    { topic: 'counselling', answers: 3, satisfied: 3 },
    { topic: 'travel', answers: 3 },
    { topic: 'reintegration', answers: 1, satisfied: 1, percent_satisfied: 100 },
  ])
})

t.test('JSON, CSV and XLSX give the same numbers; anything else is 406', async (t) => {
  const testApp = await buildTestApp(t)
  const db = testApp.database.db
  const offices = await seedOffices(db)
  const setup = await programmeSetup(db)
  const members = (country: string, count: number) =>
    Array.from({ length: count }, (_, index) => ({
      relationship: index === 0 ? ('principal' as const) : ('child' as const),
      given_name: 'Test',
      family_name: `Family ${index}`,
      sex: index % 2 === 0 ? ('female' as const) : ('male' as const),
      date_of_birth: index === 0 ? '1980-01-01' : `201${index}-05-05`,
      nationality: country,
    }))
  for (const [index, country, size] of [
    [911, 'GE', 3],
    [912, 'TJ', 1],
    [913, 'TJ', 2],
  ] as const) {
    await db.transaction().execute((trx) =>
      returnHousehold(trx, household(index, country, members(country, size), { reintegration: true }), { officeId: offices.vilnius, projectId: setup.projectId, supplierId: setup.suppliers.get(country) as string }),
    )
  }
  const auditor = testApp.as('audrey', ['auditor'])
  const url = `/v1/statistics/returns?project_id=${setup.projectId}&group_by=country`
  const json = (await auditor({ method: 'GET', url })).json()
  const csv = await auditor({ method: 'GET', url, headers: { accept: 'text/csv' } })
  t.match(csv.headers['content-type'], /text\/csv/)
  const [header, ...lines] = csv.body.trim().split('\r\n').map((line) => line.split(','))
  const xlsx = await auditor({ method: 'GET', url, headers: { accept: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' } })
  t.equal(xlsx.statusCode, 200)
  const workbook = new ExcelJS.Workbook()
  await workbook.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer)
  const sheetRows: unknown[][] = []
  workbook.worksheets[0]!.eachRow((row) => sheetRows.push((row.values as unknown[]).slice(1)))
  t.same(sheetRows[0], header, 'the same columns')
  const expected = [
    ...json.groups.map((group: { key: { country: string }; figures: Record<string, unknown> }) => ['group', group.key.country, group.figures]),
    ['total', '', json.totals],
  ]
  t.equal(lines.length, expected.length)
  expected.forEach(([row, country, figures], index) => {
    const line = lines[index] as string[]
    const cells = sheetRows[index + 1] as unknown[]
    t.equal(line[0], row)
    t.equal(line[1], country)
    for (const [position, column] of (header as string[]).entries()) {
      if (position < 2) continue
      const value = column.startsWith('vulnerable_') && column !== 'vulnerable' ? figures.vulnerable_by_code[column.slice('vulnerable_'.length)] : figures[column]
      t.equal(Number(line[position]), value, `CSV ${row} ${country} ${column}`)
      t.equal(cells[position], value, `XLSX ${row} ${country} ${column}`)
    }
  })
  t.match(json.totals, { returned: 6, families: 2, family_members: 5, individuals: 1, children: 3 })

  for (const path of [url, `/v1/statistics/satisfaction`, `/v1/statistics/sustainability`, `/v1/projects/${setup.projectId}/report`]) {
    const refused = await auditor({ method: 'GET', url: path, headers: { accept: 'application/xml' } })
    t.equal(refused.statusCode, 406, `${path} as XML is 406`)
  }
  const reportCsv = await auditor({ method: 'GET', url: `/v1/projects/${setup.projectId}/report`, headers: { accept: 'text/csv' } })
  t.match(reportCsv.body, /targets,persons,achieved,6/)
  const html = await auditor({ method: 'GET', url: `/v1/projects/${setup.projectId}/report`, headers: { accept: 'text/html' } })
  t.match(html.headers['content-type'], /text\/html/)
  t.equal((html.body.match(/<svg /g) ?? []).length, 4, 'four charts: by country, by quarter, satisfaction, spend per line')
  t.notMatch(html.body, /<script/i)
})
