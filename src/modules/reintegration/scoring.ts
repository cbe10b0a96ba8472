import type { Kysely, Selectable } from 'kysely'
import type { DB, ReintegrationScoringConfigurationsTable, UrgencyBasisValue } from '../../db/schema.js'
import { currencyExponent } from '../../shared/iso-codes.js'
import { crisisListingOn } from '../crisis-countries/index.js'
import { ageOn, ELDERLY_AGE, RESTRICTED, isRestrictedCode, listCaseMembers, vulnerabilityCodesOfCase } from '../return-cases/index.js'
import type { ScoringConfigurationRecord, UrgencyRecord } from './schemas.js'

/**
 * The selection criteria of the programme, as numbers: feasibility and motivation are scored by
 * staff on 0-5 (anchors in schemas.ts), urgency is derived on 0-5, and the composite weighs the
 * three with the scoring configuration in force (a versioned table managed by admins).
 */

export const SCORE_MAX = 5
/** Returning to a listed war-, conflict- or disaster-affected country. */
export const CRISIS_POINTS = 3
/** One point per distinct vulnerability in the household, up to this many. */
export const MAX_VULNERABILITY_POINTS = 2
export const ELDERLY = 'elderly'

export type ScoringConfigurationRow = Selectable<ReintegrationScoringConfigurationsTable>

export interface DerivedUrgency {
  score: number
  crisisPoints: number
  vulnerabilityPoints: number
  basis: UrgencyBasisValue
}

/**
 * Urgency on a date, derived from facts recorded elsewhere: whether the country of return is on
 * the crisis list that day, and the household's vulnerabilities (codes only: the notes of a
 * restricted entry are never read, and its code is kept as `restricted`).
 */
export async function deriveUrgency(db: Kysely<DB>, caseRow: { id: string; country_of_return: string }, onDate: string): Promise<DerivedUrgency> {
  const crisis = await crisisListingOn(db, caseRow.country_of_return, onDate)
  const recorded = await vulnerabilityCodesOfCase(db, caseRow.id)
  const members = await listCaseMembers(db, caseRow.id)
  const codes = new Set(recorded.map((code) => (isRestrictedCode(code) ? RESTRICTED : code)))
  if (members.some((member) => (ageOn(member, onDate) ?? 0) >= ELDERLY_AGE)) codes.add(ELDERLY)
  const vulnerabilities = [...codes].sort()
  const crisisPoints = crisis ? CRISIS_POINTS : 0
  const vulnerabilityPoints = Math.min(MAX_VULNERABILITY_POINTS, vulnerabilities.length)
  return {
    score: crisisPoints + vulnerabilityPoints,
    crisisPoints,
    vulnerabilityPoints,
    basis: {
      on_date: onDate,
      country: caseRow.country_of_return,
      crisis: crisis ? { id: crisis.id, kind: crisis.kind, valid_from: crisis.valid_from, valid_to: crisis.valid_to, source: crisis.source } : null,
      vulnerabilities,
    },
  }
}

export function explainUrgency(score: number, crisisPoints: number, vulnerabilityPoints: number, basis: UrgencyBasisValue): string {
  const crisis = basis.crisis
    ? `${crisisPoints} for returning to ${basis.country}, listed as ${basis.crisis.kind}-affected on ${basis.on_date} (since ${basis.crisis.valid_from}; source: ${basis.crisis.source})`
    : `0 for returning to ${basis.country}, not on the crisis list on ${basis.on_date}`
  const vulnerable =
    basis.vulnerabilities.length > 0
      ? `${vulnerabilityPoints} for the household's vulnerabilities (${basis.vulnerabilities.join(', ')}; one point each, at most ${MAX_VULNERABILITY_POINTS})`
      : '0 for vulnerabilities (none recorded in the household)'
  return `urgency ${score} = ${crisis} + ${vulnerable}`
}

export function toUrgencyRecord(row: { urgency_score: number; urgency_crisis_points: number; urgency_vulnerability_points: number; urgency_basis: UrgencyBasisValue }): UrgencyRecord {
  const basis = row.urgency_basis
  return {
    score: row.urgency_score,
    crisis_points: row.urgency_crisis_points,
    vulnerability_points: row.urgency_vulnerability_points,
    on_date: basis.on_date,
    country: basis.country,
    crisis: basis.crisis,
    vulnerabilities: basis.vulnerabilities,
    explanation: explainUrgency(row.urgency_score, row.urgency_crisis_points, row.urgency_vulnerability_points, basis),
  }
}

export interface Scores {
  feasibility: number
  urgency: number
  motivation: number
}

export interface Weights {
  feasibility: number
  urgency: number
  motivation: number
}

/**
 * The composite in exact integer units (score × weight, summed): 0..500. Divided by 5 it is the
 * composite on 0-100, which is a multiple of 0.2; ranking compares the integer, never a float.
 */
export function compositeUnits(scores: Scores, weights: Weights): number {
  return scores.feasibility * weights.feasibility + scores.urgency * weights.urgency + scores.motivation * weights.motivation
}

/** Points on 0-100 from integer units (score × weight): exact to one decimal, since units are integers and 5 divides 10. */
export function points(units: number): number {
  return Math.round((units * 10) / SCORE_MAX) / 10
}

export function weightsOf(row: ScoringConfigurationRow): Weights {
  return { feasibility: row.feasibility_weight, urgency: row.urgency_weight, motivation: row.motivation_weight }
}

export function toScoringConfiguration(row: ScoringConfigurationRow): ScoringConfigurationRecord {
  return {
    version: row.version,
    valid_from: row.valid_from,
    weights: weightsOf(row),
    description: row.description,
    created_by: row.created_by,
    created_at: row.created_at.toISOString(),
  }
}

/** The configuration in force on a date: the latest `valid_from` not after it. */
export async function configurationInForce(db: Kysely<DB>, onDate: string): Promise<ScoringConfigurationRow | undefined> {
  return db
    .selectFrom('reintegration_scoring_configurations')
    .selectAll()
    .where('valid_from', '<=', onDate)
    .orderBy('valid_from', 'desc')
    .limit(1)
    .executeTakeFirst()
}

export async function configurationByVersion(db: Kysely<DB>, version: string): Promise<ScoringConfigurationRow | undefined> {
  return db.selectFrom('reintegration_scoring_configurations').selectAll().where('version', '=', version).executeTakeFirst()
}

/** An amount for people: `1234.50 EUR`. */
export function formatMoney(amountMinor: number, currency: string): string {
  const exponent = currencyExponent(currency)
  const sign = amountMinor < 0 ? '-' : ''
  const digits = String(Math.abs(amountMinor)).padStart(exponent + 1, '0')
  const whole = exponent === 0 ? digits : digits.slice(0, -exponent)
  const fraction = exponent === 0 ? '' : `.${digits.slice(-exponent)}`
  return `${sign}${whole}${fraction} ${currency}`
}
