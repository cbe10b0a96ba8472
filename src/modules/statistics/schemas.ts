import { Type } from '@sinclair/typebox'
import { CountryCode, DateOnly, Nullable, StringEnum, Timestamp, Uuid } from '../../shared/schemas.js'
import {
  COUNTED_VULNERABILITIES,
  FIGURE_DESCRIPTIONS,
  GROUP_DESCRIPTIONS,
  GROUP_KEYS,
  RETURN_FIGURES,
  SATISFACTION_DEFINITION,
  SATISFACTION_TOPICS,
  SUSTAINABILITY_DEFINITION,
  SUSTAINABILITY_DIMENSIONS,
} from './definitions.js'

const Count = (description: string) => Type.Integer({ minimum: 0, description })

const period = {
  from: Type.Optional(DateOnly('First day of the period (inclusive).')),
  to: Type.Optional(DateOnly('Last day of the period (inclusive).')),
}

export const ReturnsQuery = Type.Object(
  {
    from: Type.Optional(DateOnly('First departure date counted (inclusive).')),
    to: Type.Optional(DateOnly('Last departure date counted (inclusive).')),
    project_id: Type.Optional(Uuid('Only cases of this project.')),
    office_id: Type.Optional(Uuid('Only cases handled by this country office or referred to this partner office.')),
    country: Type.Optional(CountryCode('Only returns to this country.')),
    group_by: Type.Optional(
      Type.String({
        maxLength: 60,
        description: `One or two comma-separated keys: ${GROUP_KEYS.map((key) => `\`${key}\` (${GROUP_DESCRIPTIONS[key]})`).join('; ')}.`,
        examples: ['country,quarter'],
      }),
    ),
  },
  { additionalProperties: false },
)

export const PeriodQuery = Type.Object(
  { ...period, project_id: Type.Optional(Uuid('Only cases of this project.')) },
  { additionalProperties: false },
)

export const ReportQuery = Type.Object(period, { additionalProperties: false })

const figureProperties = Object.fromEntries(RETURN_FIGURES.map((figure) => [figure, Count(FIGURE_DESCRIPTIONS[figure])]))

export const ReturnFigures = Type.Object(
  {
    ...figureProperties,
    vulnerable_by_code: Type.Record(StringEnum(COUNTED_VULNERABILITIES, { description: 'Vulnerability code.' }), Count('Persons with the code.'), {
      description: `Returned persons per vulnerability code (${COUNTED_VULNERABILITIES.join(', ')}; \`elderly\` is 65+ on the departure date). \`victim_of_trafficking\` appears only for protection, auditor and admin.`,
    }),
  },
  { $id: 'ReturnFigures', additionalProperties: false, description: 'The figures of a group of returns; each is defined in docs/modules/statistics.md.' },
)

const filterEcho = Type.Object(
  {
    from: Type.Optional(Type.String({ format: 'date', description: 'First day of the period.' })),
    to: Type.Optional(Type.String({ format: 'date', description: 'Last day of the period.' })),
    project_id: Type.Optional(Type.String({ format: 'uuid', description: 'Project filter.' })),
    office_id: Type.Optional(Type.String({ format: 'uuid', description: 'Office filter.' })),
    country: Type.Optional(Type.String({ description: 'Country filter.' })),
  },
  { additionalProperties: false, description: 'The filters applied.' },
)

const scopeFields = {
  partner_office_id: Nullable(Type.String({ format: 'uuid', description: 'For a partner caller: the office whose cases alone are counted.' })),
}

export const ReturnsStatistic = Type.Object(
  {
    filters: filterEcho,
    group_by: Type.Array(StringEnum(GROUP_KEYS, { description: 'Grouping key.' }), { description: 'The grouping keys, in order.' }),
    restricted_counted: Type.Boolean({ description: 'Whether victims of trafficking are counted (protection, auditor, admin).' }),
    ...scopeFields,
    totals: Type.Ref(ReturnFigures),
    groups: Type.Array(
      Type.Object(
        {
          key: Type.Record(Type.String(), Nullable(Type.String({ description: 'Value of the key.' })), { description: 'The value of each grouping key.' }),
          figures: Type.Ref(ReturnFigures),
        },
        { additionalProperties: false },
      ),
      { description: 'One entry per group with at least one person, in key order.' },
    ),
  },
  {
    $id: 'ReturnsStatistic',
    additionalProperties: false,
    description: 'Returns for a period: totals, and the groups when grouped.',
  },
)

const TopicFigures = Type.Object(
  {
    topic: StringEnum(SATISFACTION_TOPICS, { description: 'Survey topic.' }),
    answers: Count('Answers given on the topic.'),
    satisfied: Count('Answers at or above the threshold.'),
    share_satisfied: Nullable(Type.Number({ description: 'satisfied / answers, four decimals; null without answers.' })),
    percent_satisfied: Nullable(Type.Integer({ description: 'The share as a whole percentage.' })),
  },
  { $id: 'SatisfactionTopicFigures', additionalProperties: false, description: 'Satisfaction with one topic.' },
)

export const SatisfactionStatistic = Type.Object(
  {
    filters: filterEcho,
    threshold: Type.Integer({ description: 'Answers at or above this score (1-5) are satisfied.' }),
    ...scopeFields,
    topics: Type.Array(Type.Ref(TopicFigures), { description: 'Counselling, travel and reintegration, always in this order.' }),
  },
  { $id: 'SatisfactionStatistic', additionalProperties: false, description: SATISFACTION_DEFINITION },
)

export const SustainabilityStatistic = Type.Object(
  {
    filters: filterEcho,
    ...scopeFields,
    items: Type.Array(
      Type.Object(
        {
          instrument_version: Type.String({ description: 'Version of the instrument the scores were computed with.' }),
          dimension: StringEnum(SUSTAINABILITY_DIMENSIONS, { description: 'Dimension.' }),
          baseline_assessments: Count('Baseline assessments (each returnee\'s first).'),
          baseline_mean: Nullable(Type.Number({ description: 'Mean baseline score, 0-100.' })),
          follow_up_assessments: Count('Follow-ups (each returnee\'s latest after the first).'),
          follow_up_mean: Nullable(Type.Number({ description: 'Mean follow-up score, 0-100.' })),
          paired: Count('Returnees with a baseline and a follow-up in this version.'),
          mean_change: Nullable(Type.Number({ description: 'Mean of follow-up minus baseline over the paired returnees.' })),
        },
        { additionalProperties: false },
      ),
      { description: 'Per instrument version and dimension.' },
    ),
  },
  { $id: 'SustainabilityStatistic', additionalProperties: false, description: SUSTAINABILITY_DEFINITION },
)

export const DonorReport = Type.Object(
  {
    project: Type.Object(
      {
        id: Uuid('Project id.'),
        code: Type.String({ description: 'Project code.' }),
        title: Type.String({ description: 'Title.' }),
        starts_on: Type.String({ format: 'date', description: 'Start of the project.' }),
        ends_on: Type.String({ format: 'date', description: 'End of the project.' }),
        currency: Type.String({ description: 'Currency of the budget.' }),
      },
      { additionalProperties: false, description: 'The project reported on.' },
    ),
    period: Type.Object(
      { from: Nullable(Type.String({ format: 'date', description: 'First departure date counted.' })), to: Nullable(Type.String({ format: 'date', description: 'Last departure date counted.' })) },
      { additionalProperties: false, description: 'The reporting period (both null: the whole project).' },
    ),
    generated_at: Timestamp('When the report was produced.'),
    restricted_counted: Type.Boolean({ description: 'Whether victims of trafficking are counted.' }),
    targets: Type.Array(
      Type.Object(
        {
          measure: StringEnum(['persons', 'individuals', 'families', 'children', 'vulnerable'] as const, { description: 'What is counted (persons = returned).' }),
          target: Nullable(Type.Integer({ description: 'The project\'s target, if it set one.' })),
          achieved: Count('Achieved, by the returns definitions.'),
        },
        { additionalProperties: false },
      ),
      { description: 'Targets against achieved.' },
    ),
    returns: Type.Ref(ReturnFigures),
    returns_by_country: Type.Array(Type.Object({ country: Type.String({ description: 'Country of return.' }), figures: Type.Ref(ReturnFigures) }, { additionalProperties: false }), {
      description: 'Returns per country of return.',
    }),
    returns_by_quarter: Type.Array(Type.Object({ quarter: Type.String({ description: 'Quarter of departure, YYYY-Qn.' }), figures: Type.Ref(ReturnFigures) }, { additionalProperties: false }), {
      description: 'Returns per quarter of departure.',
    }),
    reintegration: Type.Object(
      {
        plan_approved: Count('Returned persons covered by an approved plan.'),
        reached_reintegration: Count('Returned persons reached by a confirmed delivery.'),
        by_form_of_help: Type.Array(
          Type.Object(
            { form_of_help: Type.String({ description: 'Kind of assistance.' }), plans: Count('Approved plans.'), delivered_plans: Count('Plans with a delivery confirmed.') },
            { additionalProperties: false },
          ),
          { description: 'Plans of the project\'s cases by kind of assistance (whole project).' },
        ),
      },
      { additionalProperties: false, description: 'Reintegration.' },
    ),
    satisfaction: Type.Array(Type.Ref(TopicFigures), { description: 'Satisfaction per topic, of the surveys in the period.' }),
    budget: Type.Unsafe<unknown>({ $ref: 'BudgetReport#', description: 'The budget report of the project (spend per line and per co-funder share), always for the whole project.' }),
  },
  { $id: 'DonorReport', additionalProperties: false, description: 'The donor report of a project.' },
)

export const STATISTICS_SCHEMAS = [ReturnFigures, ReturnsStatistic, TopicFigures, SatisfactionStatistic, SustainabilityStatistic, DonorReport]
