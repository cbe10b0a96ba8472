import t from 'tap'
import { sql } from 'kysely'
import { act, approvedCase, caseFixture, createCase, person } from './helpers.js'

t.test('list and search: every filter, accent- and case-insensitive text, keyset pages', async (t) => {
  const fixture = await caseFixture(t)
  const { vilnius } = fixture.offices
  const kaunas = (await fixture.admin({ method: 'POST', url: '/v1/offices', payload: { code: 'KUN', name: 'IOM Kaunas', country: 'LT', kind: 'country_office' } })).json().id
  const giorgi = await approvedCase(fixture, { intended_departure_on: '2027-03-01' })
  const sarunas = await createCase(fixture.counsellor, vilnius, {
    country_of_return: 'LT',
    intended_departure_on: '2027-05-10',
    members: [person({ given_name: 'Šarūnas', family_name: 'Žukauskas', nationality: 'LT', vulnerabilities: [{ code: 'medical_needs', notes: 'dialysis', escort_needed: true }] })],
  })
  await new Promise((resolve) => setTimeout(resolve, 20))
  const midpoint = new Date().toISOString()
  await new Promise((resolve) => setTimeout(resolve, 20))
  const family = await createCase(fixture.counsellor, kaunas, {
    country_of_return: 'IQ',
    intended_departure_on: '2027-07-20',
    members: [
      person({ given_name: 'Ahmed', family_name: 'Al-Jabouri', nationality: 'IQ' }),
      person({ relationship: 'parent', given_name: 'Hussein', family_name: 'Al-Jabouri', nationality: 'IQ', date_of_birth: '1950-01-01' }),
    ],
  })
  const search = async (query: string) => {
    const response = await fixture.auditor({ method: 'GET', url: `/v1/return-cases?${query}` })
    t.equal(response.statusCode, 200, `${query} answers`)
    return (response.json().items as Array<{ id: string }>).map((item) => item.id)
  }
  t.same(await search(''), [family.id, sarunas.id, giorgi.id], 'newest first')
  t.same(await search('status=approved'), [giorgi.id])
  t.same(await search(`office_id=${kaunas}`), [family.id])
  t.same(await search(`partner_office_id=${fixture.offices.tbilisi}`), [giorgi.id])
  t.same(await search('country_of_return=LT'), [sarunas.id])
  t.same(await search('nationality=IQ'), [family.id])
  t.same(await search('vulnerability=medical_needs'), [sarunas.id])
  t.same(await search('vulnerability=elderly'), [family.id], 'elderly is derived from the date of birth at the departure date')
  t.same(await search(`created_from=${midpoint}`), [family.id])
  t.same(await search(`created_to=${midpoint}`), [sarunas.id, giorgi.id])
  t.same(await search('departure_from=2027-05-10'), [family.id, sarunas.id], 'departure bounds are inclusive')
  t.same(await search('departure_to=2027-05-10'), [sarunas.id, giorgi.id])
  t.same(await search('departure_from=2027-04-01&departure_to=2027-06-01'), [sarunas.id])
  t.same(await search('q=sarunas'), [sarunas.id], 'accents are ignored')
  t.same(await search(`q=${encodeURIComponent('ŽUKAUSK')}`), [sarunas.id], 'case is ignored and a prefix matches')
  t.same(await search('q=jabouri'), [family.id], 'a hyphenated name matches by its parts')
  t.same(await search(`q=${encodeURIComponent('al-jab hus')}`), [family.id], 'every word must match')
  t.same(await search('q=ahmed%20giorgi'), [], 'words of different cases do not combine')
  t.same(await search(`q=${giorgi.reference}`), [giorgi.id], 'the reference matches')
  t.same(await search(`q=${giorgi.reference.toLowerCase().slice(0, 3)}`), [sarunas.id, giorgi.id], 'by the office code part')
  t.same(await search('q=beridze&status=draft'), [], 'filters combine')
  t.same(await search('q=uskas'), [], 'words match from the start of a name, not inside it')

  const refused = await fixture.auditor({ method: 'GET', url: '/v1/return-cases?q=%25%25' })
  t.equal(refused.statusCode, 400, 'a query with no letters is refused')
  const badStatus = await fixture.auditor({ method: 'GET', url: '/v1/return-cases?status=lost' })
  t.equal(badStatus.statusCode, 400)
  const badCountry = await fixture.auditor({ method: 'GET', url: '/v1/return-cases?nationality=XX' })
  t.equal(badCountry.statusCode, 400)
  const badCursor = await fixture.auditor({ method: 'GET', url: '/v1/return-cases?cursor=bm9wZQ' })
  t.equal(badCursor.statusCode, 400)
  t.equal(badCursor.json().errors[0].pointer, '/query/cursor')

  const seen: string[] = []
  let cursor: string | null = null
  do {
    const query: string = cursor ? `limit=1&cursor=${cursor}` : 'limit=1'
    const page = (await fixture.auditor({ method: 'GET', url: `/v1/return-cases?${query}` })).json()
    t.ok(page.items.length <= 1)
    seen.push(...page.items.map((item: { id: string }) => item.id))
    cursor = page.next_cursor
  } while (cursor)
  t.same(seen, [family.id, sarunas.id, giorgi.id], 'pages follow each other without gaps or repeats')
})

t.test('each filter has an index behind it', async (t) => {
  const fixture = await caseFixture(t)
  const indexes = await sql<{ indexname: string; indexdef: string }>`select indexname, indexdef from pg_indexes where tablename in ('return_cases', 'case_members', 'member_vulnerabilities', 'case_search_terms')`.execute(fixture.database.db)
  const definitions = indexes.rows.map((row) => row.indexdef)
  for (const [filter, pattern] of [
    ['status', /ON public\.return_cases USING btree \(status, id\)/],
    ['office', /ON public\.return_cases USING btree \(office_id, id\)/],
    ['partner office', /ON public\.return_cases USING btree \(partner_office_id, id\)/],
    ['country of return', /ON public\.return_cases USING btree \(country_of_return, id\)/],
    ['created range', /ON public\.return_cases USING btree \(created_at, id\)/],
    ['departure range', /ON public\.return_cases USING btree \(intended_departure_on, id\)/],
    ['nationality', /ON public\.case_members USING btree \(nationality, case_id\)/],
    ['vulnerability', /ON public\.member_vulnerabilities USING btree \(code, case_id\)/],
    ['free text', /ON public\.case_search_terms USING btree \(term text_pattern_ops, case_id\)/],
    ['duplicates', /ON public\.case_members USING btree \(name_key, nationality, date_of_birth\)/],
  ] as const) {
    t.ok(definitions.some((definition) => pattern.test(definition)), `${filter}: ${pattern}`)
  }
})

t.test('possible duplicates on create and on adding a member; nothing is merged', async (t) => {
  const fixture = await caseFixture(t)
  const { vilnius } = fixture.offices
  const first = await createCase(fixture.counsellor, vilnius)
  const same = await createCase(fixture.counsellor, vilnius, { members: [person({ given_name: 'GIORGI', family_name: 'Bérídze' })] })
  t.same(same.possible_duplicates, [
    {
      member_id: same.members[0].id,
      matching_case_id: first.id,
      matching_case_reference: first.reference,
      matching_case_status: 'draft',
      matching_member_id: first.members[0].id,
    },
  ], 'same normalized names, date of birth and nationality in another open case')
  const otherBirthday = await createCase(fixture.counsellor, vilnius, { members: [person({ date_of_birth: '1978-03-15' })] })
  t.same(otherBirthday.possible_duplicates, [], 'another date of birth is another person')
  const otherNationality = await createCase(fixture.counsellor, vilnius, { members: [person({ nationality: 'AM' })] })
  t.same(otherNationality.possible_duplicates, [], 'another nationality is another person')
  t.equal((await fixture.auditor({ method: 'GET', url: '/v1/return-cases' })).json().items.length, 4, 'every case was created: nothing merged')

  await act(fixture.counsellor, same.id, 'withdraw', { reason: 'Duplicate of the first request' })
  await act(fixture.counsellor, same.id, 'close', { reason: 'Duplicate' })
  const added = await fixture.counsellor({ method: 'POST', url: `/v1/return-cases/${otherNationality.id}/members`, payload: person({ relationship: 'sibling' }) })
  t.equal(added.statusCode, 201)
  t.same(
    added.json().possible_duplicates.map((match: { matching_case_id: string }) => match.matching_case_id),
    [first.id],
    'adding a member finds the same person in open cases, not in closed ones',
  )
})
