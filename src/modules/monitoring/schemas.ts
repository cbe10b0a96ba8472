import { Type, type Static } from '@sinclair/typebox'
import { ChildParams, DateOnly, ListPage, ListQuery, LooseUuid, Nullable, ParentParams, StringEnum, Text, Timestamp, Uuid, VersionAdded, VersionList, VersionName } from '../../shared/schemas.js'

export const VISIT_MODES = ['in_person', 'phone', 'video'] as const
export const DIMENSIONS = ['economic', 'social', 'psychosocial'] as const

const InstrumentVersion = (description: string) => VersionName(description, 'sustainability-2027-01')

// ---------------------------------------------------------------- monitoring visits

export const CreateMonitoringVisit = Type.Object(
  {
    visited_on: DateOnly('Date of the visit (not in the future).'),
    visited_by: Type.String({ minLength: 1, maxLength: 200, description: 'Who visited (name and office, or role).' }),
    mode: StringEnum(VISIT_MODES, { description: 'How: `in_person` (at home or at the business), `phone` or `video`.' }),
    findings: Text('What was found: the situation of the household and of the activity, problems, follow-up agreed.', 4000),
    plan_id: Type.Optional(Uuid('The reintegration plan the visit followed up, if any.')),
    activity_running: Type.Optional(
      Nullable(Type.Boolean({ description: 'Whether the supported activity (business, job, training) is running; required when `plan_id` is given.' })),
    ),
  },
  {
    $id: 'CreateMonitoringVisit',
    additionalProperties: false,
    examples: [
      {
        visited_on: '2011-03-14',
        visited_by: 'Tamar K., IOM Tbilisi',
        mode: 'in_person',
        findings: 'Two renovation contracts under way; tools in good condition.',
        activity_running: true,
      },
    ],
  },
)

export const MonitoringVisit = Type.Object(
  {
    id: Uuid('Visit id.'),
    case_id: Uuid('Return case.'),
    plan_id: Nullable(Uuid('Reintegration plan followed up.')),
    visited_on: DateOnly('Date of the visit.'),
    visited_by: Type.String({ description: 'Who visited.' }),
    mode: StringEnum(VISIT_MODES, { description: 'How.' }),
    findings: Type.String({ description: 'What was found.' }),
    activity_running: Nullable(Type.Boolean({ description: 'Whether the supported activity is running (null: no activity followed up).' })),
    recorded_by: Type.String({ description: 'Subject of who recorded the visit.' }),
    recorded_by_office_id: Nullable(Uuid('Partner office that recorded it, when recorded by a partner office.')),
    created_at: Timestamp('When it was recorded.'),
  },
  { $id: 'MonitoringVisit', additionalProperties: false, description: 'A monitoring visit after return.' },
)

export const MonitoringVisitList = ListPage('MonitoringVisitList', MonitoringVisit, 'Visits, in the order recorded.')

// ---------------------------------------------------------------- satisfaction surveys

const Satisfaction = (what: string) =>
  Type.Integer({
    minimum: 1,
    maximum: 5,
    description: `Satisfaction with ${what}: 1 very dissatisfied, 2 dissatisfied, 3 neither, 4 satisfied, 5 very satisfied.`,
  })

export const CreateSatisfactionSurvey = Type.Object(
  {
    member_id: Uuid('The returnee who answered (one survey per returnee).'),
    surveyed_on: DateOnly('Date of the survey (not in the future).'),
    counselling: Satisfaction('pre-departure counselling'),
    travel_arrangements: Satisfaction('travel arrangements'),
    reintegration_assistance: Type.Optional(Nullable(Satisfaction('reintegration assistance (null when none was received)'))),
    comments: Type.Optional(Text('Comments in the returnee\'s words.', 4000)),
  },
  {
    $id: 'CreateSatisfactionSurvey',
    additionalProperties: false,
    examples: [{ member_id: '0193a0b4-4d5e-7f6a-8b7c-8d9e0f1a2b01', surveyed_on: '2011-06-01', counselling: 5, travel_arrangements: 5, reintegration_assistance: 4 }],
  },
)

export const SatisfactionSurvey = Type.Object(
  {
    id: Uuid('Survey id.'),
    case_id: Uuid('Return case.'),
    member_id: Uuid('Returnee who answered.'),
    surveyed_on: DateOnly('Date of the survey.'),
    counselling: Type.Integer({ description: 'Satisfaction with counselling, 1-5.' }),
    travel_arrangements: Type.Integer({ description: 'Satisfaction with travel arrangements, 1-5.' }),
    reintegration_assistance: Nullable(Type.Integer({ description: 'Satisfaction with reintegration assistance, 1-5 (null: none received).' })),
    comments: Nullable(Type.String({ description: 'Comments.' })),
    recorded_by: Type.String({ description: 'Who recorded the survey.' }),
    created_at: Timestamp('When it was recorded.'),
  },
  { $id: 'SatisfactionSurvey', additionalProperties: false, description: 'A returnee\'s satisfaction with counselling, travel and reintegration assistance.' },
)

export const SatisfactionSurveyList = ListPage('SatisfactionSurveyList', SatisfactionSurvey, 'Surveys of the case, in the order recorded.')

// ---------------------------------------------------------------- sustainability instruments

const AnswerScale = Type.Object(
  {
    code: Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$', description: 'Scale code, referred to by indicators.' }),
    options: Type.Array(
      Type.Object(
        {
          value: Type.Integer({ minimum: 0, maximum: 100, description: 'Value of the answer (higher is more sustainable).' }),
          label: Type.String({ minLength: 1, maxLength: 100, description: 'The answer as read out.' }),
        },
        { additionalProperties: false },
      ),
      { minItems: 2, maxItems: 11, description: 'Possible answers; the lowest value scores 0 and the highest 1.' },
    ),
  },
  { additionalProperties: false, description: 'An answer scale.' },
)

const Indicator = Type.Object(
  {
    code: Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$', description: 'Indicator code (unique in the instrument); answers are keyed by it.' }),
    question: Type.String({ minLength: 1, maxLength: 500, description: 'The question or statement.' }),
    scale: Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$', description: 'Code of its answer scale.' }),
    weight: Type.Integer({ minimum: 1, maximum: 10, description: 'Weight within its dimension.' }),
  },
  { additionalProperties: false, description: 'An indicator.' },
)

const DimensionDefinition = Type.Object(
  {
    dimension: StringEnum(DIMENSIONS, { description: 'The dimension.' }),
    weight: Type.Integer({ minimum: 1, maximum: 100, description: 'Weight of the dimension in the composite, in percent (the three sum to 100).' }),
    indicators: Type.Array(Indicator, { minItems: 1, maxItems: 30, description: 'Indicators of the dimension.' }),
  },
  { additionalProperties: false, description: 'A dimension with its indicators.' },
)

export const InstrumentDefinition = Type.Object(
  {
    answer_scales: Type.Array(AnswerScale, { minItems: 1, maxItems: 20, description: 'Answer scales.' }),
    dimensions: Type.Array(DimensionDefinition, { minItems: 3, maxItems: 3, description: 'Exactly the economic, social and psychosocial dimensions.' }),
  },
  { $id: 'SustainabilityInstrumentDefinition', additionalProperties: false, description: 'Indicators, answer scales and weights.' },
)

export const SustainabilityInstrument = Type.Object(
  {
    version: Type.String({ description: 'Version name, recorded with every assessment scored with it.' }),
    valid_from: DateOnly('Used for assessments from this date until the next version\'s.'),
    description: Type.String({ description: 'What the instrument measures and how it scores.' }),
    definition: Type.Ref(InstrumentDefinition),
    ...VersionAdded,
  },
  {
    $id: 'SustainabilityInstrument',
    additionalProperties: false,
    description:
      'A version of the sustainability scoring instrument. Each answer is scaled to 0-1 (lowest to highest value of its scale); a dimension ' +
      'scores 0-100 as the weighted mean of its indicators; the composite is the weighted mean of the dimensions. Versions never change.',
  },
)

export const CreateSustainabilityInstrument = Type.Object(
  {
    version: InstrumentVersion('Version name.'),
    valid_from: DateOnly('Used from this date (today or later).'),
    description: Text('What the instrument measures and how it scores.', 2000),
    definition: Type.Ref(InstrumentDefinition),
  },
  { $id: 'CreateSustainabilityInstrument', additionalProperties: false },
)

export const SustainabilityInstrumentList = VersionList('SustainabilityInstrumentList', SustainabilityInstrument)

// ---------------------------------------------------------------- sustainability assessments

export const CreateSustainabilityAssessment = Type.Object(
  {
    member_id: Uuid('The returnee assessed.'),
    assessed_on: DateOnly('Date of the assessment (not in the future, not before the returnee\'s previous one).'),
    instrument_version: Type.Optional(InstrumentVersion('Instrument to score with; defaults to the version in force on `assessed_on`.')),
    answers: Type.Record(Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$' }), Type.Integer({ minimum: 0, maximum: 100 }), {
      description: 'The value chosen for every indicator of the instrument, keyed by indicator code.',
      maxProperties: 100,
    }),
    notes: Type.Optional(Text('Notes.', 4000)),
  },
  {
    $id: 'CreateSustainabilityAssessment',
    additionalProperties: false,
    examples: [
      {
        member_id: '0193a0b4-4d5e-7f6a-8b7c-8d9e0f1a2b01',
        assessed_on: '2011-03-14',
        answers: {
          income_covers_needs: 3,
          income_generating_activity: 1,
          debt_manageable: 4,
          access_to_credit: 0,
          adequate_housing: 4,
          access_to_services: 4,
          identity_documents: 1,
          feels_safe: 5,
          part_of_community: 4,
          plans_to_stay: 4,
        },
      },
    ],
  },
)

const DimensionScores = (description: string) =>
  Type.Object(
    {
      economic: Type.Number({ description: 'Economic dimension, 0-100 (two decimals).' }),
      social: Type.Number({ description: 'Social dimension, 0-100.' }),
      psychosocial: Type.Number({ description: 'Psychosocial dimension, 0-100.' }),
      composite: Type.Number({ description: 'Weighted composite, 0-100.' }),
    },
    { additionalProperties: false, description },
  )

export const SustainabilityAssessment = Type.Object(
  {
    id: Uuid('Assessment id.'),
    case_id: Uuid('Return case.'),
    member_id: Uuid('Returnee assessed.'),
    sequence: Type.Integer({ description: 'The returnee\'s assessments in order: 1 is the baseline, later ones are follow-ups.' }),
    is_baseline: Type.Boolean({ description: 'Whether this is the returnee\'s first (baseline) assessment.' }),
    assessed_on: DateOnly('Date of the assessment.'),
    instrument_version: Type.String({ description: 'Instrument it was scored with.' }),
    answers: Type.Record(Type.String(), Type.Integer(), { description: 'Answers, keyed by indicator code.' }),
    scores: DimensionScores('Scores of this assessment.'),
    baseline: Nullable(
      Type.Object(
        {
          assessment_id: Uuid('The baseline assessment.'),
          assessed_on: DateOnly('Its date.'),
          instrument_version: Type.String({ description: 'Its instrument.' }),
          scores: DimensionScores('Scores of the baseline.'),
        },
        { additionalProperties: false, description: 'For a follow-up: the baseline it is compared with.' },
      ),
    ),
    change_from_baseline: Nullable(
      Type.Object(
        {
          economic: Type.Number({ description: 'Change of the economic score (points).' }),
          social: Type.Number({ description: 'Change of the social score.' }),
          psychosocial: Type.Number({ description: 'Change of the psychosocial score.' }),
          composite: Type.Number({ description: 'Change of the composite.' }),
          same_instrument: Type.Boolean({ description: 'Whether both were scored with the same instrument version (scores are on the same 0-100 scale either way).' }),
        },
        { additionalProperties: false, description: 'For a follow-up: this score minus the baseline\'s; null for the baseline.' },
      ),
    ),
    notes: Nullable(Type.String({ description: 'Notes.' })),
    recorded_by: Type.String({ description: 'Who recorded it.' }),
    created_at: Timestamp('When it was recorded.'),
  },
  {
    $id: 'SustainabilityAssessment',
    additionalProperties: false,
    description: 'A sustainability assessment of a returnee, with the change from the returnee\'s baseline.',
  },
)

export const SustainabilityAssessmentList = ListPage('SustainabilityAssessmentList', SustainabilityAssessment, 'Assessments of the case, in the order recorded.')

export const SustainabilityAssessmentListQuery = ListQuery({ member_id: Type.Optional(Uuid('Only the assessments of this returnee.')) })

export const CaseParams = ParentParams('Return case id.', LooseUuid)
export const VisitParams = ChildParams('Return case id.', 'visit_id', 'Monitoring visit id.', LooseUuid)
export const AssessmentParams = ChildParams('Return case id.', 'assessment_id', 'Sustainability assessment id.', LooseUuid)
export { PageQuery, VersionParams } from '../../shared/schemas.js'

export type CreateMonitoringVisitInput = Static<typeof CreateMonitoringVisit>
export type MonitoringVisitRecord = Static<typeof MonitoringVisit>
export type CreateSatisfactionSurveyInput = Static<typeof CreateSatisfactionSurvey>
export type SatisfactionSurveyRecord = Static<typeof SatisfactionSurvey>
export type InstrumentDefinitionValue = Static<typeof InstrumentDefinition>
export type SustainabilityInstrumentRecord = Static<typeof SustainabilityInstrument>
export type CreateSustainabilityInstrumentInput = Static<typeof CreateSustainabilityInstrument>
export type CreateSustainabilityAssessmentInput = Static<typeof CreateSustainabilityAssessment>
export type SustainabilityAssessmentRecord = Static<typeof SustainabilityAssessment>
