import { CHILD_AGE_LIMIT, ELDERLY_AGE, VULNERABILITY_CODES } from '../return-cases/index.js'
import { SATISFIED_AT_OR_ABOVE } from '../monitoring/index.js'

/**
 * What each figure counts, in one place: the SQL of the aggregates, the spec's descriptions and
 * docs/modules/statistics.md say the same thing.
 */

export const GROUP_KEYS = ['country', 'month', 'quarter', 'year', 'sex', 'age_group', 'vulnerability', 'household_type', 'legal_status'] as const
export type GroupKey = (typeof GROUP_KEYS)[number]

/** Derived vulnerability: 65 or older on the departure date (never typed, like a child). */
export const ELDERLY = 'elderly'
export const COUNTED_VULNERABILITIES = [...VULNERABILITY_CODES, ELDERLY] as const
export type CountedVulnerability = (typeof COUNTED_VULNERABILITIES)[number]

export const AGE_GROUPS = ['0-4', '5-11', '12-17', '18-34', '35-64', '65+', 'unknown'] as const

export const RETURN_FIGURES = [
  'cases',
  'returned',
  'arrived',
  'children',
  'individuals',
  'families',
  'family_members',
  'vulnerable',
  'plan_approved',
  'reached_reintegration',
] as const
export type ReturnFigure = (typeof RETURN_FIGURES)[number]

export const GROUP_DESCRIPTIONS: Record<GroupKey, string> = {
  country: 'country of return (ISO 3166-1 alpha-2)',
  month: 'month of departure, `YYYY-MM`',
  quarter: 'calendar quarter of departure, `YYYY-Qn`',
  year: 'year of departure, `YYYY`',
  sex: 'sex as recorded',
  age_group: `age on the departure date: ${AGE_GROUPS.join(', ')}`,
  vulnerability: 'each vulnerability code of the person (a person with two codes is in two groups), `none` without one',
  household_type: '`individual` (travelled in a household of one) or `family` (a household of two or more)',
  legal_status: 'legal-status category of the case',
}

export const FIGURE_DESCRIPTIONS: Record<ReturnFigure, string> = {
  cases: 'Return cases with at least one person counted.',
  returned: 'Persons whose departure was confirmed (a used ticket), departing in the period.',
  arrived: 'Of them, persons whose arrival was confirmed by the partner office.',
  children: `Returned persons under ${CHILD_AGE_LIMIT} on their departure date (a birth year alone counts as born on 1 January).`,
  individuals: 'Returned persons who travelled in a household of one: the principal travelling alone (also when the rest of the household did not board).',
  families: 'Households of two or more returned persons (cases), counted once.',
  family_members: 'Returned persons who travelled in a household of two or more, the principal included; individuals + family members = returned.',
  vulnerable: `Returned persons with at least one vulnerability recorded, or ${ELDERLY_AGE} or older on the departure date; by code in \`vulnerable_by_code\`. Victims of trafficking are counted only for \`protection\`, \`auditor\` and \`admin\`; for everyone else those entries are left out of every figure.`,
  plan_approved: 'Returned persons covered by an approved reintegration plan (of their household or their own).',
  reached_reintegration: 'Returned persons covered by a plan with at least one disbursement whose delivery the partner office confirmed.',
}

export const SATISFACTION_TOPICS = ['counselling', 'travel', 'reintegration'] as const
export type SatisfactionTopic = (typeof SATISFACTION_TOPICS)[number]

export const SATISFACTION_DEFINITION =
  `Per topic, the survey answers given (one survey per returnee; reintegration only when assistance was received) and those at or above ${SATISFIED_AT_OR_ABOVE} on the 1-5 scale (satisfied or very satisfied); the share is satisfied / answers.`

export const SUSTAINABILITY_DIMENSIONS = ['economic', 'social', 'psychosocial'] as const

export const SUSTAINABILITY_DEFINITION =
  'Per instrument version and dimension: the mean score (0-100) of baseline assessments (each returnee\'s first) and of follow-ups (each returnee\'s latest after the first), and the mean change over the returnees who have both with that version.'
