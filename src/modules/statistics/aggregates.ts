import { sql, type Kysely, type RawBuilder } from 'kysely'
import type { DB } from '../../db/schema.js'
import { satisfactionAnswers, SATISFIED_AT_OR_ABOVE, sustainabilityScores } from '../monitoring/index.js'
import { reintegrationReach } from '../reintegration/index.js'
import { CHILD_AGE_LIMIT, ELDERLY_AGE, returneeFacts, vulnerabilityFacts } from '../return-cases/index.js'
import { departures } from '../travel/index.js'
import { COUNTED_VULNERABILITIES, ELDERLY, type GroupKey } from './definitions.js'

/**
 * The figures as SQL aggregates: one statement per statistic over the owners' derived tables
 * (return-cases, travel, reintegration, monitoring export them from their faces), so the
 * database counts and Node only formats the few rows of the result.
 */

export interface Scope {
  /** A partner office sees only the cases referred to it. */
  partnerOfficeId?: string
  /** Whether restricted vulnerabilities (victim of trafficking) may be counted. */
  includeRestricted: boolean
}

export interface ReturnsFilter {
  from?: string
  to?: string
  project_id?: string
  office_id?: string
  country?: string
}

/** The SQL of each grouping key over the per-person rows `p`; fixed text, never from the request. */
const GROUP_SQL: Record<GroupKey, string> = {
  country: 'p.country_of_return',
  month: `to_char(p.departed_on, 'YYYY-MM')`,
  quarter: `to_char(p.departed_on, 'YYYY-"Q"Q')`,
  year: `to_char(p.departed_on, 'YYYY')`,
  sex: 'p.sex',
  age_group: `case when p.age is null then 'unknown' when p.age < 5 then '0-4' when p.age < 12 then '5-11' when p.age < ${CHILD_AGE_LIMIT} then '12-17'
    when p.age < 35 then '18-34' when p.age < ${ELDERLY_AGE} then '35-64' else '65+' end`,
  vulnerability: 'vg.code',
  household_type: `case when p.travellers >= 2 then 'family' else 'individual' end`,
  legal_status: 'p.legal_status',
}

function scopedPersons(db: Kysely<DB>, filter: ReturnsFilter, scope: Scope) {
  let query = db
    .selectFrom(departures(db).as('d'))
    .innerJoin(returneeFacts(db).as('f'), 'f.member_id', 'd.member_id')
    .select(['d.member_id', 'd.case_id', 'd.departed_on', 'd.arrived_on', 'f.sex', 'f.date_of_birth', 'f.birth_year', 'f.country_of_return', 'f.legal_status'])
  if (scope.partnerOfficeId !== undefined) query = query.where('f.partner_office_id', '=', scope.partnerOfficeId)
  if (filter.from) query = query.where('d.departed_on', '>=', filter.from)
  if (filter.to) query = query.where('d.departed_on', '<=', filter.to)
  if (filter.project_id) query = query.where('f.project_id', '=', filter.project_id)
  if (filter.country) query = query.where('f.country_of_return', '=', filter.country)
  if (filter.office_id) {
    const office = filter.office_id
    query = query.where((eb) => eb.or([eb('f.office_id', '=', office), eb('f.partner_office_id', '=', office)]))
  }
  return query
}

/**
 * The persons counted, one row each, with what the figures need: age on the departure date,
 * the number of the household's travellers, the visible vulnerability codes, and reintegration.
 */
function personsCte(db: Kysely<DB>, filter: ReturnsFilter, scope: Scope): RawBuilder<unknown> {
  const codes = COUNTED_VULNERABILITIES.filter((code) => code !== ELDERLY)
  return sql`
    persons as (${scopedPersons(db, filter, scope)}),
    households as (
      select t.case_id, count(*)::int as travellers
      from (${departures(db)}) t
      where t.case_id in (select case_id from persons)
      group by t.case_id
    ),
    aged as (
      select persons.*, h.travellers,
        greatest(0, coalesce(date_part('year', age(persons.departed_on, persons.date_of_birth))::int,
          extract(year from persons.departed_on)::int - persons.birth_year)) as age
      from persons join households h on h.case_id = persons.case_id
    ),
    p as (
      select aged.*,
        array(
          select distinct v.code from (${vulnerabilityFacts(db, { includeRestricted: scope.includeRestricted })}) v
          where v.member_id = aged.member_id and v.code in (${sql.join(codes.map((code) => sql.lit(code)))})
        ) || case when aged.age >= ${sql.lit(ELDERLY_AGE)} then array[${sql.lit(ELDERLY)}]::text[] else array[]::text[] end as codes,
        exists (select 1 from (${reintegrationReach(db)}) r where r.case_id = aged.case_id and (r.member_id is null or r.member_id = aged.member_id)) as planned,
        exists (
          select 1 from (${reintegrationReach(db)}) r
          where r.case_id = aged.case_id and (r.member_id is null or r.member_id = aged.member_id) and r.first_delivered_on is not null
        ) as reached
      from aged
    )`
}

export interface ReturnsRow {
  grouping: number
  keys: Record<string, string | null>
  figures: Record<string, number>
}

function returnsFigures(): RawBuilder<unknown> {
  return sql`
    count(distinct p.case_id)::int as cases,
    count(*)::int as returned,
    (count(*) filter (where p.arrived_on is not null))::int as arrived,
    (count(*) filter (where p.age < ${sql.lit(CHILD_AGE_LIMIT)}))::int as children,
    (count(*) filter (where p.travellers = 1))::int as individuals,
    (count(distinct p.case_id) filter (where p.travellers >= 2))::int as families,
    (count(*) filter (where p.travellers >= 2))::int as family_members,
    (count(*) filter (where cardinality(p.codes) > 0))::int as vulnerable,
    ${sql.join(COUNTED_VULNERABILITIES.map((code) => sql`(count(*) filter (where ${sql.lit(code)} = any(p.codes)))::int as ${sql.ref(`vulnerable_${code}`)}`))},
    (count(*) filter (where p.planned))::int as plan_approved,
    (count(*) filter (where p.reached))::int as reached_reintegration`
}

/** The returns statistic: a row per group (keys by name) and the total (keys all null), in one statement. */
export async function returnsAggregate(db: Kysely<DB>, filter: ReturnsFilter, groupBy: readonly GroupKey[], scope: Scope): Promise<{ groups: ReturnsRow[]; total: ReturnsRow }> {
  const rowsOf = async (keys: readonly GroupKey[]) => {
    const { rows } = await returnsQuery(db, filter, keys, scope).execute(db)
    return (rows as Array<Record<string, unknown>>).map((row) => toReturnsRow(row, keys))
  }
  const all = await rowsOf(groupBy)
  if (groupBy.length === 0) return { groups: [], total: all[0] ?? emptyRow() }
  const groups = all.filter((row) => row.grouping === 0)
  // With a vulnerability grouping a person may be in several groups, so the total is counted apart;
  // otherwise it is the grouping set () of the same statement.
  const total = groupBy.includes('vulnerability') ? (await rowsOf([]))[0] : all.find((row) => row.grouping !== 0)
  return { groups, total: total ?? emptyRow() }
}

function emptyRow(): ReturnsRow {
  return { grouping: 1, keys: {}, figures: {} }
}

/** The statement itself (exported for the benchmark, which runs the same text through pgbench). */
export function returnsQuery(db: Kysely<DB>, filter: ReturnsFilter, groupBy: readonly GroupKey[], scope: Scope): RawBuilder<unknown> {
  const keys = groupBy.map((key) => sql`${sql.raw(GROUP_SQL[key])} as ${sql.ref(key)}`)
  const byVulnerability = groupBy.includes('vulnerability')
  const from = byVulnerability
    ? sql`p cross join lateral unnest(case when cardinality(p.codes) = 0 then array['none']::text[] else p.codes end) as vg(code)`
    : sql`p`
  const groupKeys = groupBy.map((key) => sql.raw(GROUP_SQL[key]))
  const grouping = groupBy.length === 0 ? sql`0` : sql`grouping(${sql.join(groupKeys)})`
  const groupClause =
    groupBy.length === 0 ? sql`` : byVulnerability ? sql`group by ${sql.join(groupKeys)}` : sql`group by grouping sets ((${sql.join(groupKeys)}), ())`
  const order = groupBy.length === 0 ? sql`` : sql`order by ${sql.join(groupBy.map((_, index) => sql.raw(`${index + 2} nulls last`)))}`
  return sql`
    with ${personsCte(db, filter, scope)}
    select ${grouping}::int as grouping, ${sql.join([...keys, returnsFigures()])}
    from ${from}
    ${groupClause}
    ${order}`
}

function toReturnsRow(row: Record<string, unknown>, groupBy: readonly GroupKey[]): ReturnsRow {
  const keys: Record<string, string | null> = {}
  for (const key of groupBy) keys[key] = (row[key] as string | null) ?? null
  const figures: Record<string, number> = {}
  for (const [name, value] of Object.entries(row)) if (name !== 'grouping' && !groupBy.includes(name as GroupKey)) figures[name] = Number(value)
  return { grouping: Number(row.grouping), keys, figures }
}

// ---------------------------------------------------------------- satisfaction

export interface PeriodFilter {
  from?: string
  to?: string
  project_id?: string
}

/** The cases in scope, as a subquery of case ids (partner office, project). */
function casesInScope(db: Kysely<DB>, filter: PeriodFilter, scope: Scope) {
  let query = db.selectFrom(returneeFacts(db).as('f')).select('f.case_id')
  if (scope.partnerOfficeId !== undefined) query = query.where('f.partner_office_id', '=', scope.partnerOfficeId)
  if (filter.project_id) query = query.where('f.project_id', '=', filter.project_id)
  return query
}

export interface SatisfactionRow {
  topic: string
  answers: number
  satisfied: number
}

/** Per topic, answers and satisfied answers of the surveys taken in the period. */
export function satisfactionQuery(db: Kysely<DB>, filter: PeriodFilter, scope: Scope): RawBuilder<SatisfactionRow> {
  const conditions = [sql`s.case_id in (${casesInScope(db, filter, scope)})`]
  if (filter.from) conditions.push(sql`s.surveyed_on >= ${filter.from}`)
  if (filter.to) conditions.push(sql`s.surveyed_on <= ${filter.to}`)
  const threshold = sql.lit(SATISFIED_AT_OR_ABOVE)
  return sql<SatisfactionRow>`
    select t.topic, count(t.score)::int as answers, (count(*) filter (where t.score >= ${threshold}))::int as satisfied
    from (${satisfactionAnswers(db)}) s
    cross join lateral (values ('counselling', s.counselling_score), ('travel', s.travel_score), ('reintegration', s.reintegration_score)) as t(topic, score)
    where ${sql.join(conditions, sql` and `)} and t.score is not null
    group by t.topic`
}

// ---------------------------------------------------------------- sustainability

export interface SustainabilityRow {
  instrument_version: string
  dimension: string
  baseline_assessments: number
  baseline_mean: number | null
  follow_up_assessments: number
  follow_up_mean: number | null
  paired: number
  mean_change: number | null
}

/**
 * Per instrument version and dimension: baselines (each returnee's first assessment), follow-ups
 * (the latest after it) and the change over returnees with both in that version. Scores are
 * hundredths of a point; the means come out rounded to two decimals of a 0-100 point.
 */
export function sustainabilityQuery(db: Kysely<DB>, filter: PeriodFilter, scope: Scope): RawBuilder<SustainabilityRow> {
  const conditions = [sql`a.case_id in (${casesInScope(db, filter, scope)})`]
  if (filter.from) conditions.push(sql`a.assessed_on >= ${filter.from}`)
  if (filter.to) conditions.push(sql`a.assessed_on <= ${filter.to}`)
  return sql<SustainabilityRow>`
    with a as (
      select a.*, row_number() over (partition by a.member_id order by a.sequence) as nth,
        row_number() over (partition by a.member_id order by a.sequence desc) as nth_last
      from (${sustainabilityScores(db)}) a
      where ${sql.join(conditions, sql` and `)}
    ),
    scores as (
      select a.member_id, a.instrument_version, a.nth = 1 as baseline, a.nth > 1 and a.nth_last = 1 as follow_up, d.dimension, d.score
      from a cross join lateral (values ('economic', a.economic_score), ('social', a.social_score), ('psychosocial', a.psychosocial_score)) as d(dimension, score)
    ),
    pairs as (
      select b.instrument_version, b.dimension, f.score - b.score as change
      from scores b join scores f on f.member_id = b.member_id and f.dimension = b.dimension and f.instrument_version = b.instrument_version
      where b.baseline and f.follow_up
    )
    select s.instrument_version, s.dimension,
      (count(*) filter (where s.baseline))::int as baseline_assessments,
      round(avg(s.score) filter (where s.baseline) / 100, 2)::float8 as baseline_mean,
      (count(*) filter (where s.follow_up))::int as follow_up_assessments,
      round(avg(s.score) filter (where s.follow_up) / 100, 2)::float8 as follow_up_mean,
      (select count(*) from pairs x where x.instrument_version = s.instrument_version and x.dimension = s.dimension)::int as paired,
      (select round(avg(x.change) / 100, 2) from pairs x where x.instrument_version = s.instrument_version and x.dimension = s.dimension)::float8 as mean_change
    from scores s
    group by s.instrument_version, s.dimension
    order by s.instrument_version, array_position(array['economic', 'social', 'psychosocial'], s.dimension)`
}

// ---------------------------------------------------------------- reintegration by kind of assistance

export interface AssistanceRow {
  form_of_help: string
  plans: number
  delivered_plans: number
}

/** Plans of a project's cases by form of help, and how many had a delivery confirmed. */
export function assistanceQuery(db: Kysely<DB>, projectId: string, scope: Scope): RawBuilder<AssistanceRow> {
  return sql<AssistanceRow>`
    select r.form_of_help, count(*)::int as plans, (count(*) filter (where r.first_delivered_on is not null))::int as delivered_plans
    from (${reintegrationReach(db)}) r
    where r.case_id in (${casesInScope(db, { project_id: projectId }, scope)})
    group by r.form_of_help
    order by r.form_of_help`
}
