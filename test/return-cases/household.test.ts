import t from 'tap'
import { ageOn } from '../../src/modules/return-cases/access.js'
import { familyTypeOf, householdOf } from '../../src/modules/return-cases/household.js'
import { nameKey, normalizeText, searchWords } from '../../src/shared/normalize.js'
import { caseFixture, createCase, isoDate, person } from './helpers.js'

t.test('ageOn: whole years on the date, a birthday on that very day counts', async (t) => {
  const born = (date_of_birth: string) => ({ date_of_birth, birth_year: null })
  t.equal(ageOn(born('2008-05-01'), '2026-05-01'), 18, 'the 18th birthday on the departure day: 18')
  t.equal(ageOn(born('2008-05-01'), '2026-04-30'), 17, 'the day before: 17')
  t.equal(ageOn(born('2008-05-02'), '2026-05-01'), 17)
  t.equal(ageOn(born('1961-12-24'), '2026-12-24'), 65)
  t.equal(ageOn(born('1961-12-25'), '2026-12-24'), 64)
  t.equal(ageOn(born('2008-02-29'), '2026-02-28'), 17, 'born on 29 February: not yet on 28 February of a common year')
  t.equal(ageOn(born('2008-02-29'), '2026-03-01'), 18, 'but on 1 March')
  t.equal(ageOn(born('2008-02-29'), '2028-02-29'), 20, 'and on the day itself in a leap year')
  t.equal(ageOn({ date_of_birth: null, birth_year: 1960 }, '2026-01-01'), 66, 'an estimated year counts from 1 January')
  t.equal(ageOn({ date_of_birth: null, birth_year: null }, '2026-01-01'), null)
})

t.test('family types follow the relationships to the principal', async (t) => {
  const cases: Array<[string[], string | null]> = [
    [[], null],
    [['principal'], 'individual'],
    [['principal', 'spouse_partner', 'child', 'child'], 'nuclear_family'],
    [['principal', 'spouse_partner'], 'married_couple'],
    [['principal', 'child', 'child'], 'single_parent_family'],
    [['principal', 'child', 'parent'], 'single_headed_family'],
    [['principal', 'sibling', 'sibling'], 'siblings'],
    [['principal', 'legal_guardian'], 'separated_child_with_guardian'],
    [['principal', 'legal_guardian', 'sibling'], 'separated_child_with_guardian'],
    [['principal', 'parent'], 'other_close_relatives'],
    [['principal', 'other_relative', 'sibling'], 'other_close_relatives'],
    [['principal', 'spouse_partner', 'parent'], 'other_close_relatives'],
  ]
  for (const [relationships, expected] of cases) t.equal(familyTypeOf(relationships), expected, `${relationships.join(', ') || 'nobody'} → ${expected}`)
  t.match(householdOf([], null), { size: 0, family_type: null, age_reference: 'today' })
})

t.test('normalization ignores case and accents', async (t) => {
  t.equal(normalizeText('Šarūnas ĄŽUOLAS'), 'sarunas azuolas')
  t.equal(normalizeText("Đorđe Łukasz-Müller O'Brien"), 'dorde lukasz muller o brien')
  t.equal(nameKey(' Zainab ', 'Al-Jabouri'), 'zainab|al jabouri')
  t.same(searchWords('  VNO-2026-00042 '), ['vno', '2026', '00042'])
  t.same(searchWords('%_'), [])
})

t.test('derived fields on the case: ages at the departure date, child and elderly flags, household size and type', async (t) => {
  const fixture = await caseFixture(t)
  const departure = '2027-06-15'
  const created = await createCase(fixture.counsellor, fixture.offices.vilnius, {
    intended_departure_on: departure,
    members: [
      person({ given_name: 'Maka', sex: 'female', date_of_birth: '1990-01-01' }),
      person({ relationship: 'spouse_partner', given_name: 'Irakli', date_of_birth: '1988-06-16' }),
      person({ relationship: 'child', given_name: 'Ana', sex: 'female', date_of_birth: '2009-06-15' }),
      person({ relationship: 'child', given_name: 'Saba', date_of_birth: '2009-06-16' }),
      person({ relationship: 'parent', given_name: 'Tamaz', date_of_birth: '1962-06-15' }),
      person({ relationship: 'other_relative', given_name: 'Eteri', sex: 'female', date_of_birth: undefined, birth_year: 1961 }),
    ],
  })
  const byName = (name: string) => created.members.find((member: { given_name: string }) => member.given_name === name)
  t.match(byName('Ana'), { age: 18, is_child: false, is_elderly: false }, 'an 18th birthday on the departure day: no longer a child')
  t.match(byName('Saba'), { age: 17, is_child: true }, 'one day younger: still a child')
  t.match(byName('Tamaz'), { age: 65, is_elderly: true, is_child: false }, 'a 65th birthday on the departure day: elderly')
  t.match(byName('Irakli'), { age: 38, is_elderly: false })
  t.match(byName('Eteri'), { age: 66, age_is_estimated: true, is_elderly: true })
  t.same(created.household, { size: 6, family_type: 'nuclear_family', age_reference_date: departure, age_reference: 'intended_departure', children: 1, elderly: 2 })

  const moved = await fixture.counsellor({
    method: 'PATCH',
    url: `/v1/return-cases/${created.id}`,
    headers: { 'if-match': '"1"' },
    payload: { intended_departure_on: '2027-06-14' },
  })
  const movedByName = (name: string) => moved.json().members.find((member: { given_name: string }) => member.given_name === name)
  t.match(movedByName('Ana'), { age: 17, is_child: true }, 'moving the departure a day earlier makes her a child again')
  t.match(movedByName('Tamaz'), { age: 64, is_elderly: false })
  t.match(moved.json().household, { children: 2, elderly: 1 })

  const undated = await createCase(fixture.counsellor, fixture.offices.vilnius, { intended_departure_on: undefined, members: [person({ date_of_birth: isoDate(-365 * 10) })] })
  t.match(undated.household, { age_reference: 'today', age_reference_date: isoDate(0), size: 1, family_type: 'individual' })
  t.match(undated.members[0], { is_child: true })

  const typed = await fixture.counsellor({ method: 'POST', url: '/v1/return-cases', payload: { ...createdBody(fixture.offices.vilnius), household: { size: 9 } } })
  t.equal(typed.statusCode, 400, 'derived fields cannot be typed')
})

function createdBody(officeId: string) {
  return {
    office_id: officeId,
    legal_status: 'other',
    referral_source: 'ngo',
    country_of_return: 'GE',
  }
}

t.test('derived fields in the list: household size and family type', async (t) => {
  const fixture = await caseFixture(t)
  await createCase(fixture.counsellor, fixture.offices.vilnius, {
    members: [person(), person({ relationship: 'spouse_partner', given_name: 'Nana', sex: 'female', date_of_birth: '1982-02-02' })],
  })
  const list = (await fixture.counsellor({ method: 'GET', url: '/v1/return-cases' })).json()
  t.match(list.items[0], { household_size: 2, family_type: 'married_couple', principal: { given_name: 'Giorgi', family_name: 'Beridze', nationality: 'GE' } })
})
