import type { Kysely } from 'kysely'
import type { DB, UrgencyBasisValue } from '../../db/schema.js'
import { notFound } from '../../shared/problems.js'
import { budgetLineForCost, findProjectRow } from '../projects/index.js'
import { ENDED_CASE_STATUSES } from './cases.js'
import {
  compositeUnits,
  configurationByVersion,
  configurationInForce,
  explainUrgency,
  formatMoney,
  points,
  toScoringConfiguration,
  weightsOf,
  type Weights,
} from './scoring.js'
import type { RankingEntryRecord, RankingRecord } from './schemas.js'
import { todayIso } from '../../shared/dates.js'
import { caseFacts } from '../return-cases/index.js'

/** The sort keys, in order: each breaks the ties of the one before, and the last is unique. */
export const RANKING_ORDER = [
  'composite, highest first',
  'urgency, highest first',
  'feasibility, highest first',
  'motivation, highest first',
  'amount requested, smallest first (it leaves more for others)',
  'form filled in, earliest first',
  'request id (creation order), first first',
]

interface Candidate {
  request_id: string
  case_id: string
  case_reference: string
  status: 'assessed' | 'waitlisted'
  scope: 'household' | 'returnee'
  form_of_help: RankingEntryRecord['form_of_help']
  filled_on: string
  amount_requested_minor: number
  assessment_id: string
  assessed_on: string
  feasibility_score: number
  motivation_score: number
  urgency_score: number
  urgency_crisis_points: number
  urgency_vulnerability_points: number
  urgency_basis: UrgencyBasisValue
  units: number
}

function compare(a: Candidate, b: Candidate): number {
  return (
    b.units - a.units ||
    b.urgency_score - a.urgency_score ||
    b.feasibility_score - a.feasibility_score ||
    b.motivation_score - a.motivation_score ||
    a.amount_requested_minor - b.amount_requested_minor ||
    a.filled_on.localeCompare(b.filled_on) ||
    a.request_id.localeCompare(b.request_id)
  )
}

function explain(candidate: Candidate, weights: Weights, composite: number, cumulative: number, available: number, currency: string): string {
  const part = (name: string, score: number, weight: number) => `${name} ${score}/5 × ${weight} % = ${points(score * weight)}`
  const scores = [
    part('feasibility', candidate.feasibility_score, weights.feasibility),
    part('urgency', candidate.urgency_score, weights.urgency),
    part('motivation', candidate.motivation_score, weights.motivation),
  ].join(' + ')
  const urgency = explainUrgency(candidate.urgency_score, candidate.urgency_crisis_points, candidate.urgency_vulnerability_points, candidate.urgency_basis)
  const position =
    cumulative <= available
      ? `with those ranked above it, ${formatMoney(cumulative, currency)} of ${formatMoney(available, currency)} available: fits`
      : `with those ranked above it, ${formatMoney(cumulative, currency)} against ${formatMoney(available, currency)} available: ${formatMoney(cumulative - available, currency)} short`
  return `composite ${composite} = ${scores}; ${urgency}; ${position}`
}

/**
 * The assessed and waitlisted requests of a project's open cases in priority order, each with its
 * components, composite and the amount requested, walked against what is left on the project's
 * in-kind reintegration line. The composite uses the weights of the configuration in force today,
 * or of the version asked for, and names it.
 */
export async function rankingOfProject(db: Kysely<DB>, projectId: string, options: { configurationVersion?: string } = {}): Promise<RankingRecord> {
  const project = await findProjectRow(db, projectId)
  if (!project) throw notFound('Project', projectId)
  const configuration = options.configurationVersion
    ? await configurationByVersion(db, options.configurationVersion)
    : await configurationInForce(db, todayIso())
  if (!configuration) throw notFound('Scoring configuration', options.configurationVersion ?? `in force on ${todayIso()}`)
  const weights = weightsOf(configuration)
  const line = await budgetLineForCost(db, project.id, 'in_kind')
  const available = Number(line.allocated_minor) - Number(line.committed_minor) - Number(line.spent_minor)

  const rows = await db
    .selectFrom('reintegration_requests as r')
    .innerJoin(caseFacts(db).as('c'), 'c.id', 'r.case_id')
    .innerJoin('reintegration_assessments as a', 'a.id', 'r.current_assessment_id')
    .select([
      'r.id as request_id',
      'r.case_id',
      'c.reference as case_reference',
      'r.status',
      'r.scope',
      'r.form_of_help',
      'r.filled_on',
      'r.amount_requested_minor',
      'a.id as assessment_id',
      'a.assessed_on',
      'a.feasibility_score',
      'a.motivation_score',
      'a.urgency_score',
      'a.urgency_crisis_points',
      'a.urgency_vulnerability_points',
      'a.urgency_basis',
    ])
    .where('c.project_id', '=', project.id)
    .where('c.status', 'not in', ENDED_CASE_STATUSES)
    .where('r.status', 'in', ['assessed', 'waitlisted'])
    .execute()

  const candidates: Candidate[] = rows.map((row) => ({
    ...row,
    status: row.status as Candidate['status'],
    amount_requested_minor: Number(row.amount_requested_minor),
    units: compositeUnits({ feasibility: row.feasibility_score, urgency: row.urgency_score, motivation: row.motivation_score }, weights),
  }))
  candidates.sort(compare)

  const currency = project.currency
  const money = (amount_minor: number) => ({ amount_minor, currency })
  let cumulative = 0
  const items: RankingEntryRecord[] = candidates.map((candidate, index) => {
    cumulative += candidate.amount_requested_minor
    const composite = points(candidate.units)
    return {
      rank: index + 1,
      request_id: candidate.request_id,
      case_id: candidate.case_id,
      case_reference: candidate.case_reference,
      status: candidate.status,
      scope: candidate.scope,
      form_of_help: candidate.form_of_help,
      assessment_id: candidate.assessment_id,
      assessed_on: candidate.assessed_on,
      feasibility: { score: candidate.feasibility_score, weight: weights.feasibility, points: points(candidate.feasibility_score * weights.feasibility) },
      urgency: {
        score: candidate.urgency_score,
        weight: weights.urgency,
        points: points(candidate.urgency_score * weights.urgency),
        crisis_points: candidate.urgency_crisis_points,
        vulnerability_points: candidate.urgency_vulnerability_points,
      },
      motivation: { score: candidate.motivation_score, weight: weights.motivation, points: points(candidate.motivation_score * weights.motivation) },
      composite,
      amount_requested: money(candidate.amount_requested_minor),
      cumulative_requested: money(cumulative),
      fits: cumulative <= available,
      shortfall: money(Math.max(0, cumulative - available)),
      explanation: explain(candidate, weights, composite, cumulative, available, currency),
    }
  })

  return {
    project_id: project.id,
    generated_at: new Date().toISOString(),
    configuration: toScoringConfiguration(configuration),
    order: RANKING_ORDER,
    budget_line: {
      id: line.id,
      allocated: money(Number(line.allocated_minor)),
      committed: money(Number(line.committed_minor)),
      spent: money(Number(line.spent_minor)),
      available: money(available),
    },
    items,
  }
}
