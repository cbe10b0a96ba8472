import { todayIso } from '../../shared/dates.js'

/**
 * Values derived from the household, never typed by hand: ages at the departure date, child
 * and elderly flags, household size and the family type the programme reports on.
 */

export const CHILD_AGE_LIMIT = 18
export const ELDERLY_AGE = 65

export const FAMILY_TYPES = [
  'individual',
  'nuclear_family',
  'married_couple',
  'single_parent_family',
  'single_headed_family',
  'siblings',
  'separated_child_with_guardian',
  'other_close_relatives',
] as const

export type FamilyType = (typeof FAMILY_TYPES)[number]

function dateParts(isoDate: string): [number, number, number] {
  return [Number(isoDate.slice(0, 4)), Number(isoDate.slice(5, 7)), Number(isoDate.slice(8, 10))]
}

/**
 * Age in whole years on a date. A birthday on that very date counts: someone born on
 * 2008-05-01 is 18 on 2026-05-01. Someone born on 29 February turns a year older on 1 March
 * in common years. With only an estimated birth year the person is taken as born on 1 January.
 */
export function ageOn(member: { date_of_birth: string | null; birth_year: number | null }, onDate: string): number | null {
  const [year, month, day] = dateParts(onDate)
  if (member.date_of_birth !== null) {
    const [birthYear, birthMonth, birthDay] = dateParts(member.date_of_birth)
    const hadBirthday = month > birthMonth || (month === birthMonth && day >= birthDay)
    return Math.max(0, year - birthYear - (hadBirthday ? 0 : 1))
  }
  if (member.birth_year !== null) return Math.max(0, year - member.birth_year)
  return null
}

export interface DerivedPerson {
  age: number | null
  age_is_estimated: boolean
  is_child: boolean
  is_elderly: boolean
}

export function derivePerson(member: { date_of_birth: string | null; birth_year: number | null }, onDate: string): DerivedPerson {
  const age = ageOn(member, onDate)
  return {
    age,
    age_is_estimated: member.date_of_birth === null,
    is_child: age !== null && age < CHILD_AGE_LIMIT,
    is_elderly: age !== null && age >= ELDERLY_AGE,
  }
}

/**
 * The family type, from each member's relationship to the principal applicant:
 * - nobody recorded yet: null; one person: `individual`;
 * - a legal guardian in the household: `separated_child_with_guardian` (the principal is the child);
 * - spouse or partner and children: `nuclear_family`; spouse or partner only: `married_couple`;
 * - children and no spouse or partner: `single_parent_family` when the household is the parent
 *   and their children only, `single_headed_family` when one adult heads children and other
 *   dependants (parents, siblings, other relatives);
 * - siblings only: `siblings`; anything else (parents, other relatives, a couple with relatives):
 *   `other_close_relatives`.
 */
export function familyTypeOf(relationships: readonly string[]): FamilyType | null {
  if (relationships.length === 0) return null
  const others = relationships.filter((relationship) => relationship !== 'principal')
  if (relationships.length === 1) return 'individual'
  if (others.includes('legal_guardian')) return 'separated_child_with_guardian'
  const hasPartner = others.includes('spouse_partner')
  const hasChildren = others.includes('child')
  const only = (...allowed: string[]) => others.every((relationship) => allowed.includes(relationship))
  if (hasPartner && hasChildren) return 'nuclear_family'
  if (hasPartner) return only('spouse_partner') ? 'married_couple' : 'other_close_relatives'
  if (hasChildren) return only('child') ? 'single_parent_family' : 'single_headed_family'
  if (only('sibling')) return 'siblings'
  return 'other_close_relatives'
}

export interface Household {
  size: number
  family_type: FamilyType | null
  age_reference_date: string
  age_reference: 'intended_departure' | 'today'
  children: number
  elderly: number
}

export function householdOf(
  members: ReadonlyArray<{ relationship: string; date_of_birth: string | null; birth_year: number | null }>,
  intendedDepartureOn: string | null,
): Household {
  const onDate = intendedDepartureOn ?? todayIso()
  const people = members.map((member) => derivePerson(member, onDate))
  return {
    size: members.length,
    family_type: familyTypeOf(members.map((member) => member.relationship)),
    age_reference_date: onDate,
    age_reference: intendedDepartureOn ? 'intended_departure' : 'today',
    children: people.filter((person) => person.is_child).length,
    elderly: people.filter((person) => person.is_elderly).length,
  }
}
