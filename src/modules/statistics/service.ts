import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'
import { UUID_PATTERN } from '../../shared/ids.js'
import { invalidField, notFound } from '../../shared/problems.js'
import { hasRole, isPartnerOnly, type Actor } from '../../shared/roles.js'
import { SATISFIED_AT_OR_ABOVE } from '../monitoring/index.js'
import { budgetReport, findProjectRow, formatAmount, type BudgetReportRecord } from '../projects/index.js'
import { assistanceQuery, returnsAggregate, satisfactionQuery, sustainabilityQuery, type PeriodFilter, type ReturnsFilter, type ReturnsRow, type Scope, type SustainabilityRow } from './aggregates.js'
import { COUNTED_VULNERABILITIES, GROUP_KEYS, RETURN_FIGURES, SATISFACTION_TOPICS, type GroupKey, type SatisfactionTopic } from './definitions.js'
import type { Table } from './formats.js'

/** No office has this id: a partner token without a well-formed office sees nothing. */
const NO_OFFICE = '00000000-0000-0000-0000-000000000000'
const RESTRICTED_CODE = 'victim_of_trafficking'

/** What the caller may count: a partner its own office's cases; trafficking only protection, auditor, admin. */
export function scopeOf(actor: Actor): Scope {
  const includeRestricted = hasRole(actor, 'protection', 'auditor', 'admin')
  if (!isPartnerOnly(actor)) return { includeRestricted }
  return { partnerOfficeId: actor.officeId !== null && UUID_PATTERN.test(actor.officeId) ? actor.officeId : NO_OFFICE, includeRestricted }
}

function visibleCodes(scope: Scope): string[] {
  return COUNTED_VULNERABILITIES.filter((code) => scope.includeRestricted || code !== RESTRICTED_CODE)
}

function checkPeriod(filter: { from?: string; to?: string }): void {
  if (filter.from && filter.to && filter.from > filter.to) throw invalidField('/query/to', `must not be before from (${filter.from})`)
}

export function parseGroupBy(value: string | undefined): GroupKey[] {
  if (value === undefined || value.trim() === '') return []
  const keys = value.split(',').map((key) => key.trim())
  for (const key of keys) {
    if (!(GROUP_KEYS as readonly string[]).includes(key)) throw invalidField('/query/group_by', `${key} is not one of ${GROUP_KEYS.join(', ')}`)
  }
  if (keys.length > 2) throw invalidField('/query/group_by', 'at most two keys')
  if (new Set(keys).size !== keys.length) throw invalidField('/query/group_by', 'a key given twice')
  return keys as GroupKey[]
}

// ---------------------------------------------------------------- returns

export interface ReturnFigures {
  [figure: string]: number | Record<string, number>
}

function presentFigures(row: ReturnsRow, scope: Scope): ReturnFigures {
  const figures: ReturnFigures = {}
  for (const figure of RETURN_FIGURES) figures[figure] = row.figures[figure] ?? 0
  figures.vulnerable_by_code = Object.fromEntries(visibleCodes(scope).map((code) => [code, row.figures[`vulnerable_${code}`] ?? 0]))
  return figures
}

export interface ReturnsStatistic {
  filters: ReturnsFilter
  group_by: GroupKey[]
  restricted_counted: boolean
  partner_office_id: string | null
  totals: ReturnFigures
  groups: Array<{ key: Record<string, string | null>; figures: ReturnFigures }>
}

export async function returnsStatistic(db: Kysely<DB>, actor: Actor, filter: ReturnsFilter, groupByText: string | undefined): Promise<ReturnsStatistic> {
  checkPeriod(filter)
  const groupBy = parseGroupBy(groupByText)
  const scope = scopeOf(actor)
  const { groups, total } = await returnsAggregate(db, filter, groupBy, scope)
  return {
    filters: filter,
    group_by: groupBy,
    restricted_counted: scope.includeRestricted,
    partner_office_id: scope.partnerOfficeId ?? null,
    totals: presentFigures(total, scope),
    groups: groups.map((group) => ({ key: group.keys, figures: presentFigures(group, scope) })),
  }
}

/** The figure columns of a returns table: the figures, then one column per visible vulnerability code. */
function figureColumns(figures: ReturnFigures): string[] {
  return [...RETURN_FIGURES, ...Object.keys(figures.vulnerable_by_code as Record<string, number>).map((code) => `vulnerable_${code}`)]
}

function figureCells(figures: ReturnFigures): number[] {
  const byCode = figures.vulnerable_by_code as Record<string, number>
  return [...RETURN_FIGURES.map((figure) => figures[figure] as number), ...Object.values(byCode)]
}

/** The statistic as one table: a `group` row per group and a `total` row (its keys empty). */
export function returnsTable(statistic: ReturnsStatistic, name = 'returns'): Table {
  return {
    name,
    columns: ['row', ...statistic.group_by, ...figureColumns(statistic.totals)],
    rows: [
      ...statistic.groups.map((group) => ['group', ...statistic.group_by.map((key) => group.key[key] ?? null), ...figureCells(group.figures)]),
      ['total', ...statistic.group_by.map(() => null), ...figureCells(statistic.totals)],
    ],
  }
}

// ---------------------------------------------------------------- satisfaction

export interface SatisfactionTopicFigures {
  topic: SatisfactionTopic
  answers: number
  satisfied: number
  /** satisfied / answers, four decimals; null without answers. */
  share_satisfied: number | null
  /** The share as a whole percentage, as reports quote it. */
  percent_satisfied: number | null
}

export interface SatisfactionStatistic {
  filters: PeriodFilter
  threshold: number
  partner_office_id: string | null
  topics: SatisfactionTopicFigures[]
}

export async function satisfactionStatistic(db: Kysely<DB>, actor: Actor, filter: PeriodFilter): Promise<SatisfactionStatistic> {
  checkPeriod(filter)
  const scope = scopeOf(actor)
  const { rows } = await satisfactionQuery(db, filter, scope).execute(db)
  const byTopic = new Map(rows.map((row) => [row.topic, row]))
  return {
    filters: filter,
    threshold: SATISFIED_AT_OR_ABOVE,
    partner_office_id: scope.partnerOfficeId ?? null,
    topics: SATISFACTION_TOPICS.map((topic) => {
      const answers = Number(byTopic.get(topic)?.answers ?? 0)
      const satisfied = Number(byTopic.get(topic)?.satisfied ?? 0)
      return {
        topic,
        answers,
        satisfied,
        share_satisfied: answers === 0 ? null : Math.round((satisfied / answers) * 10_000) / 10_000,
        percent_satisfied: answers === 0 ? null : Math.round((satisfied / answers) * 100),
      }
    }),
  }
}

export function satisfactionTable(statistic: SatisfactionStatistic): Table {
  return {
    name: 'satisfaction',
    columns: ['topic', 'answers', 'satisfied', 'share_satisfied', 'percent_satisfied'],
    rows: statistic.topics.map((topic) => [topic.topic, topic.answers, topic.satisfied, topic.share_satisfied, topic.percent_satisfied]),
  }
}

// ---------------------------------------------------------------- sustainability

export interface SustainabilityStatistic {
  filters: PeriodFilter
  partner_office_id: string | null
  items: SustainabilityRow[]
}

export async function sustainabilityStatistic(db: Kysely<DB>, actor: Actor, filter: PeriodFilter): Promise<SustainabilityStatistic> {
  checkPeriod(filter)
  const scope = scopeOf(actor)
  const { rows } = await sustainabilityQuery(db, filter, scope).execute(db)
  return {
    filters: filter,
    partner_office_id: scope.partnerOfficeId ?? null,
    items: rows.map((row) => ({
      instrument_version: row.instrument_version,
      dimension: row.dimension,
      baseline_assessments: Number(row.baseline_assessments),
      baseline_mean: row.baseline_mean === null ? null : Number(row.baseline_mean),
      follow_up_assessments: Number(row.follow_up_assessments),
      follow_up_mean: row.follow_up_mean === null ? null : Number(row.follow_up_mean),
      paired: Number(row.paired),
      mean_change: row.mean_change === null ? null : Number(row.mean_change),
    })),
  }
}

export const SUSTAINABILITY_COLUMNS = ['instrument_version', 'dimension', 'baseline_assessments', 'baseline_mean', 'follow_up_assessments', 'follow_up_mean', 'paired', 'mean_change'] as const

export function sustainabilityTable(statistic: SustainabilityStatistic): Table {
  return { name: 'sustainability', columns: [...SUSTAINABILITY_COLUMNS], rows: statistic.items.map((item) => SUSTAINABILITY_COLUMNS.map((column) => item[column])) }
}

// ---------------------------------------------------------------- the donor report

export interface TargetFigure {
  measure: 'persons' | 'individuals' | 'families' | 'children' | 'vulnerable'
  target: number | null
  achieved: number
}

export interface DonorReport {
  project: { id: string; code: string; title: string; starts_on: string; ends_on: string; currency: string }
  period: { from: string | null; to: string | null }
  generated_at: string
  restricted_counted: boolean
  targets: TargetFigure[]
  returns: ReturnFigures
  returns_by_country: Array<{ country: string; figures: ReturnFigures }>
  returns_by_quarter: Array<{ quarter: string; figures: ReturnFigures }>
  reintegration: { plan_approved: number; reached_reintegration: number; by_form_of_help: Array<{ form_of_help: string; plans: number; delivered_plans: number }> }
  satisfaction: SatisfactionTopicFigures[]
  budget: BudgetReportRecord
}

export async function donorReport(db: Kysely<DB>, actor: Actor, projectId: string, period: { from?: string; to?: string }): Promise<DonorReport> {
  checkPeriod(period)
  const project = await findProjectRow(db, projectId)
  if (!project) throw notFound('Project', projectId)
  const scope = scopeOf(actor)
  const filter: ReturnsFilter = { project_id: project.id, ...period }
  const [totals, byCountry, byQuarter, assistance, satisfaction, budget] = await Promise.all([
    returnsAggregate(db, filter, [], scope),
    returnsAggregate(db, filter, ['country'], scope),
    returnsAggregate(db, filter, ['quarter'], scope),
    assistanceQuery(db, project.id, scope).execute(db),
    satisfactionStatistic(db, actor, { project_id: project.id, ...period }),
    budgetReport(db, project.id),
  ])
  const returns = presentFigures(totals.total, scope)
  const achieved = (figure: string) => returns[figure] as number
  return {
    project: { id: project.id, code: project.code, title: project.title, starts_on: project.starts_on, ends_on: project.ends_on, currency: project.currency },
    period: { from: period.from ?? null, to: period.to ?? null },
    generated_at: new Date().toISOString(),
    restricted_counted: scope.includeRestricted,
    targets: [
      { measure: 'persons', target: project.target_persons, achieved: achieved('returned') },
      { measure: 'individuals', target: project.target_individuals, achieved: achieved('individuals') },
      { measure: 'families', target: project.target_families, achieved: achieved('families') },
      { measure: 'children', target: project.target_children, achieved: achieved('children') },
      { measure: 'vulnerable', target: project.target_vulnerable, achieved: achieved('vulnerable') },
    ],
    returns,
    returns_by_country: byCountry.groups.map((group) => ({ country: group.keys.country ?? '', figures: presentFigures(group, scope) })),
    returns_by_quarter: byQuarter.groups.map((group) => ({ quarter: group.keys.quarter ?? '', figures: presentFigures(group, scope) })),
    reintegration: {
      plan_approved: achieved('plan_approved'),
      reached_reintegration: achieved('reached_reintegration'),
      by_form_of_help: assistance.rows.map((row) => ({ form_of_help: row.form_of_help, plans: Number(row.plans), delivered_plans: Number(row.delivered_plans) })),
    },
    satisfaction: satisfaction.topics,
    budget,
  }
}

/**
 * The donor report as one long table (section, item, measure, value), the same in CSV and in
 * the XLSX sheet: every number of the JSON, amounts as exact decimals of the project currency.
 */
export function donorReportTable(report: DonorReport): Table {
  const rows: Table['rows'] = []
  const add = (section: string, item: string, measure: string, value: string | number | null) => rows.push([section, item, measure, value])
  for (const target of report.targets) {
    add('targets', target.measure, 'target', target.target)
    add('targets', target.measure, 'achieved', target.achieved)
  }
  const addFigures = (section: string, item: string, figures: ReturnFigures) => {
    for (const [name, value] of Object.entries(figures)) {
      if (typeof value === 'number') add(section, item, name, value)
      else for (const [code, count] of Object.entries(value)) add(section, item, `vulnerable_${code}`, count)
    }
  }
  addFigures('returns', 'total', report.returns)
  for (const group of report.returns_by_country) addFigures('returns_by_country', group.country, group.figures)
  for (const group of report.returns_by_quarter) addFigures('returns_by_quarter', group.quarter, group.figures)
  add('reintegration', 'total', 'plan_approved', report.reintegration.plan_approved)
  add('reintegration', 'total', 'reached_reintegration', report.reintegration.reached_reintegration)
  for (const kind of report.reintegration.by_form_of_help) {
    add('reintegration', kind.form_of_help, 'plans', kind.plans)
    add('reintegration', kind.form_of_help, 'delivered_plans', kind.delivered_plans)
  }
  for (const topic of report.satisfaction) {
    add('satisfaction', topic.topic, 'answers', topic.answers)
    add('satisfaction', topic.topic, 'satisfied', topic.satisfied)
    add('satisfaction', topic.topic, 'percent_satisfied', topic.percent_satisfied)
  }
  const amount = (value: { amount_minor: number; currency: string }) => formatAmount(value.amount_minor, value.currency)
  for (const line of report.budget.lines) {
    for (const measure of ['allocated', 'committed', 'spent', 'available'] as const) add('budget_lines', line.name, measure, amount(line[measure]))
  }
  for (const measure of ['total', 'allocated', 'committed', 'spent', 'available'] as const) add('budget_totals', 'total', measure, amount(report.budget.totals[measure]))
  for (const coFunder of report.budget.co_funders) {
    add('co_funders', coFunder.name, 'share_bp', coFunder.share_bp)
    add('co_funders', coFunder.name, 'contribution', amount(coFunder.contribution))
    add('co_funders', coFunder.name, 'spent', amount(coFunder.spent))
  }
  return { name: 'donor report', columns: ['section', 'item', 'measure', 'value'], rows }
}
