import { ProblemError } from '../../shared/problems.js'
import { ageOn, CHILD_AGE_LIMIT } from './household.js'
import { normalizeText } from '../../shared/normalize.js'

export interface FieldError {
  pointer: string
  detail: string
}

export const MAX_HOUSEHOLD_SIZE = 30
export const UNACCOMPANIED_CHILD = 'unaccompanied_or_separated_child'
/** Codes a person may carry more than once (several medical needs, several other notes). */
const REPEATABLE_CODES: ReadonlySet<string> = new Set(['medical_needs', 'other'])

export interface PersonFields {
  given_name: string
  family_name: string
  date_of_birth: string | null
  birth_year: number | null
}

export interface VulnerabilityFields {
  code: string
  escort_needed?: boolean | null
}

/** Field checks of one person (400): names with letters, a birth date or year that is not in the future. */
export function personErrors(person: PersonFields, pointer: string, today: string): FieldError[] {
  const errors: FieldError[] = []
  if (normalizeText(person.given_name) === '') errors.push({ pointer: `${pointer}/given_name`, detail: 'must contain a letter or digit' })
  if (normalizeText(person.family_name) === '') errors.push({ pointer: `${pointer}/family_name`, detail: 'must contain a letter or digit' })
  if (person.date_of_birth !== null && person.birth_year !== null) {
    errors.push({ pointer: `${pointer}/birth_year`, detail: 'give date_of_birth or an estimated birth_year, not both' })
  } else if (person.date_of_birth === null && person.birth_year === null) {
    errors.push({ pointer: `${pointer}/date_of_birth`, detail: 'date_of_birth or an estimated birth_year is required' })
  }
  if (person.date_of_birth !== null && person.date_of_birth > today) errors.push({ pointer: `${pointer}/date_of_birth`, detail: 'must not be in the future' })
  if (person.date_of_birth !== null && person.date_of_birth < '1900-01-01') errors.push({ pointer: `${pointer}/date_of_birth`, detail: 'must be in 1900 or later' })
  if (person.birth_year !== null && person.birth_year > Number(today.slice(0, 4))) errors.push({ pointer: `${pointer}/birth_year`, detail: 'must not be in the future' })
  return errors
}

/** Field checks of a person's new vulnerability entries (400), against the codes they already carry. */
export function vulnerabilityErrors(entries: readonly VulnerabilityFields[], existingCodes: readonly string[], pointer: string): FieldError[] {
  const errors: FieldError[] = []
  const seen = new Set(existingCodes)
  entries.forEach((entry, index) => {
    if (entry.escort_needed !== undefined && entry.escort_needed !== null && entry.code !== 'medical_needs') {
      errors.push({ pointer: `${pointer}/${index}/escort_needed`, detail: 'applies to medical_needs only' })
    }
    if (seen.has(entry.code) && !REPEATABLE_CODES.has(entry.code)) errors.push({ pointer: `${pointer}/${index}/code`, detail: `${entry.code} is already recorded for this person` })
    seen.add(entry.code)
  })
  return errors
}

export function throwIfInvalid(errors: FieldError[], detail = 'One or more fields are not valid'): void {
  if (errors.length > 0) throw new ProblemError('validation-error', detail, { errors })
}

export interface HouseholdPerson {
  relationship: string
  date_of_birth: string | null
  birth_year: number | null
  codes: readonly string[]
  /** Where to point when this person breaks a rule. */
  pointer: string
  /** Index of the unaccompanied-child code in the person's new entries, to point at it. */
  codePointer?: (code: string) => string
}

/**
 * Rules of the household as a whole (422): exactly one principal at most (submission then needs
 * one), an unaccompanied or separated child must be a child and needs a legal guardian in the
 * household, and a household has at most 30 people.
 */
export function householdErrors(people: readonly HouseholdPerson[], onDate: string): FieldError[] {
  const errors: FieldError[] = []
  const principals = people.filter((person) => person.relationship === 'principal')
  for (const extra of principals.slice(1)) {
    errors.push({ pointer: `${extra.pointer}/relationship`, detail: 'a case has exactly one principal applicant' })
  }
  const hasGuardian = people.some((person) => person.relationship === 'legal_guardian')
  for (const person of people) {
    if (!person.codes.includes(UNACCOMPANIED_CHILD)) continue
    const pointer = person.codePointer?.(UNACCOMPANIED_CHILD) ?? `${person.pointer}/vulnerabilities`
    const age = ageOn(person, onDate)
    if (age !== null && age >= CHILD_AGE_LIMIT) errors.push({ pointer, detail: `only a child can be unaccompanied or separated; this person is ${age} on ${onDate}` })
    if (!hasGuardian) errors.push({ pointer, detail: 'an unaccompanied or separated child needs a legal guardian in the household (relationship legal_guardian)' })
  }
  if (people.length > MAX_HOUSEHOLD_SIZE) errors.push({ pointer: people.at(-1)?.pointer ?? '/members', detail: `a household has at most ${MAX_HOUSEHOLD_SIZE} people` })
  return errors
}

export function throwIfHouseholdInvalid(errors: FieldError[]): void {
  if (errors.length > 0) {
    throw new ProblemError('unprocessable-entity', errors.map((error) => error.detail).join('; '), { errors })
  }
}
