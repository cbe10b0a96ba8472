import { Type, type Static } from '@sinclair/typebox'
import { AllowedActions, ChildParams, CountryCode, CurrencyCode, DateOnly, IF_MATCH_VERSION, ListPage, LooseUuid, MoneyRef, Nullable, PAID_COST_STATUSES, ParentParams, RecordStamps, StringEnum, Text, Timestamp, UpdateBody, Uuid, VersionAdded, VersionList, VersionName, WhoWhenWhy } from '../../shared/schemas.js'

export const FORMS_OF_HELP = ['small_business', 'employment_assistance', 'vocational_training', 'other'] as const
export const OTHER_HELP_KINDS = [
  'relocation',
  'accommodation',
  'continuing_education',
  'childrens_schooling',
  'medical_support',
  'vulnerable_person_support',
] as const
export const REQUEST_STATUSES = ['submitted', 'assessed', 'waitlisted', 'approved', 'rejected', 'withdrawn'] as const
export const REQUEST_ACTIONS = ['assess', 'approve', 'reject', 'withdraw', 'edit'] as const
export const PLAN_STATUSES = ['active', 'completed', 'abandoned'] as const
export const PLAN_ACTIONS = ['disburse', 'complete', 'abandon'] as const
export const DISBURSEMENT_STATUSES = PAID_COST_STATUSES
export const CRISIS_KINDS = ['war', 'conflict', 'disaster'] as const

const FormOfHelp = StringEnum(FORMS_OF_HELP, {
  description:
    'Form of help: `small_business` (start-up of a small business, the most common), `employment_assistance`, `vocational_training` ' +
    '(training or retraining), or `other` (then `other_kind` says which).',
})
const OtherHelpKind = StringEnum(OTHER_HELP_KINDS, {
  description:
    'For `other` help: `relocation`, `accommodation` (finding accommodation), `continuing_education`, `childrens_schooling`, ' +
    '`medical_support`, `vulnerable_person_support`.',
})
const RequestStatus = StringEnum(REQUEST_STATUSES, {
  description:
    '`submitted` → `assessed` (scored by staff; may be re-assessed) → `approved` (a plan with a budget) | `rejected` | `waitlisted` ' +
    '(the in-kind line could not cover it; can be approved later); `withdrawn` by the migrant before a decision.',
})
const PlanStatus = StringEnum(PLAN_STATUSES, {
  description:
    '`active` → `completed` (its disbursements paid and delivered) | `abandoned` (what was not spent is released to the budget line).',
})
const DisbursementStatus = StringEnum(DISBURSEMENT_STATUSES, {
  description: 'Follows its payment request: `requested` → `approved` → `paid`; or `rejected` by the approver, or `cancelled`.',
})

// ---------------------------------------------------------------- money and items

/** A strictly positive amount (an item, a budget or an invoice of nothing is a mistake). */
export const PositiveMoney = (description: string) =>
  Type.Object(
    {
      amount_minor: Type.Integer({ minimum: 1, maximum: 1e13, description: 'Amount in integer minor units of the currency (cents for EUR).' }),
      currency: CurrencyCode('ISO 4217 currency code: the project\'s currency.'),
    },
    { additionalProperties: false, description },
  )

export const ItemInput = Type.Object(
  {
    description: Text('The good or service.', 300),
    quantity: Type.Integer({ minimum: 1, maximum: 100000, description: 'How many units.' }),
    unit_price: PositiveMoney('Price of one unit, in the project\'s currency.'),
  },
  {
    $id: 'ReintegrationItemInput',
    additionalProperties: false,
    description: 'A good or service with its quantity and unit price; the line total is quantity × unit price.',
    examples: [{ description: 'Cordless drill', quantity: 1, unit_price: { amount_minor: 18000, currency: 'EUR' } }],
  },
)

export const Item = Type.Object(
  {
    description: Type.String({ description: 'The good or service.' }),
    quantity: Type.Integer({ description: 'How many units.' }),
    unit_price: MoneyRef('Price of one unit.'),
    total: MoneyRef('Quantity × unit price.'),
  },
  { $id: 'ReintegrationItem', additionalProperties: false, description: 'A good or service with quantity, unit price and line total.' },
)

// ---------------------------------------------------------------- request forms

const RequestFormFields = {
  planned_activity: Text('The activity the migrant plans after return, in their words or as agreed in counselling.', 2000),
  form_of_help: FormOfHelp,
  other_kind: Type.Optional(OtherHelpKind),
  skills_and_experience: Text('Skills, training and work experience relevant to the plan.', 4000),
  motivation_statement: Text('Why the migrant wants this help and how they will take part, in their own words.', 4000),
  items: Type.Array(Type.Ref(ItemInput), { minItems: 1, maxItems: 50, description: 'Items or services needed, with estimated costs in the project\'s currency.' }),
}

export const CreateReintegrationRequest = Type.Object(
  {
    scope: StringEnum(['household', 'returnee'] as const, { description: '`household`: for the whole household; `returnee`: for one person (`member_id`).' }),
    member_id: Type.Optional(Uuid('For scope `returnee`: the household member the request is for.')),
    filled_on: Type.Optional(DateOnly('When the form was filled in (not in the future); defaults to today.')),
    ...RequestFormFields,
  },
  {
    $id: 'CreateReintegrationRequest',
    additionalProperties: false,
    description:
      'The reintegration request form, filled in before departure with the help of office staff. One live request per household or returnee: ' +
      'a household request excludes per-returnee requests and the reverse.',
    examples: [
      {
        scope: 'household',
        filled_on: '2010-08-20',
        planned_activity: 'Building and renovation work in Kutaisi with my own tools.',
        form_of_help: 'small_business',
        skills_and_experience: 'Eight years as a builder and tiler in Georgia and Lithuania.',
        motivation_statement: 'With my own tools I can take contracts myself instead of waiting for day work.',
        items: [
          { description: 'Concrete mixer 180 l', quantity: 1, unit_price: { amount_minor: 65000, currency: 'EUR' } },
          { description: 'Power tool set (drill, grinder, saw)', quantity: 1, unit_price: { amount_minor: 120000, currency: 'EUR' } },
        ],
      },
    ],
  },
)

export const UpdateReintegrationRequest = UpdateBody(
  'UpdateReintegrationRequest',
  {
    filled_on: Type.Optional(DateOnly('When the form was filled in (not in the future).')),
    planned_activity: Type.Optional(RequestFormFields.planned_activity),
    form_of_help: Type.Optional(FormOfHelp),
    other_kind: Type.Optional(Nullable(OtherHelpKind)),
    skills_and_experience: Type.Optional(RequestFormFields.skills_and_experience),
    motivation_statement: Type.Optional(RequestFormFields.motivation_statement),
    items: Type.Optional(RequestFormFields.items),
  },
  {
    description: 'Fields of the form to change while it is `submitted` (not yet assessed); `items` replaces the list as a whole.',
    examples: [{ planned_activity: 'Building and renovation work in Kutaisi and Zestaponi.' }],
  },
)

const Score = (what: string, anchors: string) =>
  Type.Object(
    {
      score: Type.Integer({ minimum: 0, maximum: 5, description: `${what} on the 0-5 scale: ${anchors}` }),
      justification: Text('Why this score: the facts it rests on.', 4000),
    },
    { additionalProperties: false, description: `${what}, scored with a written justification.` },
  )

export const FEASIBILITY_ANCHORS =
  '0 no workable plan; 1 a vague idea unrelated to the person\'s skills or the local situation; 2 an idea with major gaps (costs, market or ' +
  'skills); 3 specific and broadly realistic, with gaps that can be closed; 4 specific, realistic, matching the person\'s skills and the ' +
  'situation in the country of origin; 5 as 4, fully costed, with proven skills and a verified local opportunity (premises, buyers, employer).'
export const MOTIVATION_ANCHORS =
  '0 not interested in taking part; 1 passive, expects others to act; 2 interested, commitment unclear; 3 committed, some preparation ' +
  'done; 4 strongly committed, concrete steps taken (contacts, premises, training); 5 takes full responsibility for the result and brings ' +
  'an own contribution (savings, premises, family support).'

export const AssessReintegrationRequest = Type.Object(
  {
    assessed_on: Type.Optional(DateOnly('Date of the assessment (not in the future, not before the form was filled in); defaults to today. Urgency is derived on this date.')),
    feasibility: Score('Feasibility (specific, realistic, fits the person\'s skills and the situation in the country of origin)', FEASIBILITY_ANCHORS),
    motivation: Score('Motivation (readiness to take part actively and take responsibility for the result)', MOTIVATION_ANCHORS),
  },
  {
    $id: 'AssessReintegrationRequest',
    additionalProperties: false,
    description:
      'Staff assessment. Urgency is not typed: it is derived from the crisis-country list and the household\'s vulnerabilities on the ' +
      'assessment date (a body with `urgency` is refused).',
    examples: [
      {
        assessed_on: '2010-08-25',
        feasibility: { score: 4, justification: 'Eight years in construction; builders are in demand in Kutaisi; costed list of tools.' },
        motivation: { score: 4, justification: 'Has already agreed two renovation jobs with neighbours.' },
      },
    ],
  },
)

export const ApproveReintegrationRequest = Type.Object(
  {
    budget: PositiveMoney('Budget of the plan, in the project\'s currency; at most the amount requested. Committed on the in-kind reintegration line.'),
    note: Type.Optional(Text('Why this budget (e.g. a reduced list of items).', 2000)),
    waitlist_if_exhausted: Type.Optional(
      Type.Boolean({
        default: false,
        description:
          'When the in-kind line cannot cover the budget: true puts the request on the waitlist (200, status `waitlisted`, with what was ' +
          'available); false (default) refuses with 409 `budget-line-exhausted` and changes nothing.',
      }),
    ),
  },
  {
    $id: 'ApproveReintegrationRequest',
    additionalProperties: false,
    examples: [{ budget: { amount_minor: 300000, currency: 'EUR' }, waitlist_if_exhausted: true }],
  },
)

export const ReintegrationReason = Type.Object(
  { reason: Text('Why; kept with the decision and in the audit trail.', 2000) },
  { $id: 'ReintegrationReason', additionalProperties: false, examples: [{ reason: 'The plan does not match the person\'s skills and no training is available locally.' }] },
)

const ScoreRecord = (what: string) =>
  Type.Object(
    { score: Type.Integer({ description: 'Score, 0-5.' }), justification: Type.String({ description: 'Written justification.' }) },
    { additionalProperties: false, description: `${what}: score and justification.` },
  )

export const CrisisListingRef = Type.Object(
  {
    id: Uuid('Crisis-country listing relied on.'),
    kind: StringEnum(CRISIS_KINDS, { description: 'Kind of crisis.' }),
    valid_from: DateOnly('Listed from.'),
    valid_to: Nullable(DateOnly('Listed until (null: open).')),
    source: Type.String({ description: 'Source of the listing.' }),
  },
  { $id: 'CrisisListingRef', additionalProperties: false, description: 'The crisis-country listing valid on the assessment date.' },
)

export const Urgency = Type.Object(
  {
    score: Type.Integer({ description: 'Derived urgency, 0-5: crisis points plus vulnerability points.' }),
    crisis_points: Type.Integer({ description: '3 when the country of return is listed as war-, conflict- or disaster-affected on the date, else 0.' }),
    vulnerability_points: Type.Integer({ description: 'One per distinct vulnerability in the household, at most 2.' }),
    on_date: DateOnly('Date the urgency was derived on (the assessment date).'),
    country: CountryCode('Country of return.'),
    crisis: Nullable(Type.Ref(CrisisListingRef, { description: 'The crisis-country listing valid on the date, or null when the country was not listed.' })),
    vulnerabilities: Type.Array(Type.String(), {
      description:
        'Distinct vulnerabilities of the household counted (`elderly` derived from the age on the date). A victim-of-trafficking entry counts ' +
        'and is shown only as `restricted`; its notes are never read.',
    }),
    explanation: Type.String({ description: 'The derivation in words.' }),
  },
  { $id: 'ReintegrationUrgency', additionalProperties: false, description: 'Urgency, derived (never typed) when the request is assessed.' },
)

export const Assessment = Type.Object(
  {
    id: Uuid('Assessment id.'),
    assessed_on: DateOnly('Date of the assessment.'),
    assessed_by: Type.String({ description: 'Subject of the staff member who assessed.' }),
    feasibility: ScoreRecord('Feasibility'),
    motivation: ScoreRecord('Motivation'),
    urgency: Type.Ref(Urgency),
    created_at: Timestamp('When it was recorded.'),
  },
  { $id: 'ReintegrationAssessment', additionalProperties: false, description: 'The current assessment of the request (the latest).' },
)

export const Decision = Type.Object(
  {
    id: Uuid('Decision id.'),
    outcome: StringEnum(['approved', 'rejected', 'waitlisted'] as const, { description: 'What was decided.' }),
    decided_by: Type.String({ description: 'Subject of the approver.' }),
    decided_at: Timestamp('When.'),
    reason: Nullable(Type.String({ description: 'Reason (rejection) or note (approval, waitlisting).' })),
    budget: Nullable(MoneyRef('Budget approved, or asked for when waitlisted.')),
    available: Nullable(MoneyRef('What the in-kind line had available when the request was waitlisted.')),
    plan_id: Nullable(Uuid('The plan created by an approval.')),
  },
  { $id: 'ReintegrationDecision', additionalProperties: false, description: 'A decision on the request.' },
)

export const ReintegrationRequest = Type.Object(
  {
    id: Uuid('Request id.'),
    case_id: Uuid('Return case.'),
    scope: StringEnum(['household', 'returnee'] as const, { description: 'For the household or one returnee.' }),
    member_id: Nullable(Uuid('For a returnee: the household member.')),
    filled_on: DateOnly('When the form was filled in.'),
    planned_activity: Type.String({ description: 'The activity planned after return.' }),
    form_of_help: FormOfHelp,
    other_kind: Nullable(OtherHelpKind),
    skills_and_experience: Type.String({ description: 'Skills and experience.' }),
    motivation_statement: Type.String({ description: 'Motivation in the migrant\'s words.' }),
    items: Type.Array(Type.Ref(Item), { description: 'Items or services needed with estimated costs.' }),
    amount_requested: MoneyRef('Sum of the items\' totals.'),
    status: RequestStatus,
    assessment: Nullable(Type.Ref(Assessment, { description: 'The current (latest) assessment, or null before the request is assessed.' })),
    decisions: Type.Array(Type.Ref(Decision), { description: 'Decisions in order (a waitlisting may be followed by an approval or rejection).' }),
    plan_id: Nullable(Uuid('The reintegration plan, once approved.')),
    withdrawal: WhoWhenWhy('withdrawn_by', 'withdrawn_at', 'Who recorded the withdrawal.', 'Set when withdrawn.'),
    allowed_actions: AllowedActions(REQUEST_ACTIONS, 'Actions the status allows (roles and maker-checker still apply).'),
    created_by: Type.String({ description: 'Subject of who recorded the form.' }),
    ...RecordStamps('When the form was recorded.', { version: IF_MATCH_VERSION }),
  },
  { $id: 'ReintegrationRequest', additionalProperties: false, description: 'A reintegration request form with its assessment and decisions.' },
)

export const ReintegrationRequestList = ListPage('ReintegrationRequestList', ReintegrationRequest, 'Requests of the case, oldest first.')

// ---------------------------------------------------------------- scoring configurations and ranking

const Weights = Type.Object(
  {
    feasibility: Type.Integer({ minimum: 0, maximum: 100, description: 'Weight of feasibility, in percent.' }),
    urgency: Type.Integer({ minimum: 0, maximum: 100, description: 'Weight of urgency, in percent.' }),
    motivation: Type.Integer({ minimum: 0, maximum: 100, description: 'Weight of motivation, in percent.' }),
  },
  { additionalProperties: false, description: 'Weights of the composite, in whole percent, summing to 100.' },
)

export const ScoringConfiguration = Type.Object(
  {
    version: Type.String({ description: 'Version name, quoted in every ranking computed with it.' }),
    valid_from: DateOnly('In force from this date until the next version\'s.'),
    weights: Weights,
    description: Type.String({ description: 'Why these weights.' }),
    ...VersionAdded,
  },
  {
    $id: 'ReintegrationScoringConfiguration',
    additionalProperties: false,
    description: 'A version of the selection weights. Versions are never changed: a new version takes over from its `valid_from` date.',
  },
)

export const CreateScoringConfiguration = Type.Object(
  {
    version: VersionName('Version name (lower case, digits, `.`, `_`, `-`).', 'selection-2027-01'),
    valid_from: DateOnly('In force from this date (today or later: past rankings stay explainable).'),
    weights: Weights,
    description: Text('Why these weights.', 2000),
  },
  {
    $id: 'CreateReintegrationScoringConfiguration',
    additionalProperties: false,
    examples: [{ version: 'selection-2027-01', valid_from: '2027-01-01', weights: { feasibility: 40, urgency: 40, motivation: 20 }, description: 'More weight on urgency.' }],
  },
)

export const ScoringConfigurationList = VersionList('ReintegrationScoringConfigurationList', ScoringConfiguration)

const Component = (what: string) =>
  Type.Object(
    {
      score: Type.Integer({ description: 'Score, 0-5.' }),
      weight: Type.Integer({ description: 'Weight in percent (from the configuration).' }),
      points: Type.Number({ description: 'Contribution to the composite: score / 5 × weight.' }),
    },
    { additionalProperties: false, description: `${what}: score, weight and points.` },
  )

export const RankingEntry = Type.Object(
  {
    rank: Type.Integer({ description: 'Position in priority order, from 1.' }),
    request_id: Uuid('Request.'),
    case_id: Uuid('Return case.'),
    case_reference: Type.String({ description: 'Case reference.' }),
    status: StringEnum(['assessed', 'waitlisted'] as const, { description: 'Status of the request.' }),
    scope: StringEnum(['household', 'returnee'] as const, { description: 'For the household or one returnee.' }),
    form_of_help: FormOfHelp,
    assessment_id: Uuid('Assessment the scores come from.'),
    assessed_on: DateOnly('Date of that assessment.'),
    feasibility: Component('Feasibility'),
    urgency: Type.Object(
      {
        score: Type.Integer({ description: 'Derived urgency, 0-5.' }),
        weight: Type.Integer({ description: 'Weight in percent.' }),
        points: Type.Number({ description: 'Contribution to the composite.' }),
        crisis_points: Type.Integer({ description: 'From the crisis-country list.' }),
        vulnerability_points: Type.Integer({ description: 'From the household\'s vulnerabilities.' }),
      },
      { additionalProperties: false, description: 'Urgency (derived at the assessment): score, weight, points and where the score comes from.' },
    ),
    motivation: Component('Motivation'),
    composite: Type.Number({ description: 'Composite priority, 0-100: the sum of the three components\' points.' }),
    amount_requested: MoneyRef('Amount requested.'),
    cumulative_requested: MoneyRef('Sum requested by this and every higher-ranked request.'),
    fits: Type.Boolean({ description: 'Whether the cumulative amount is within what is available on the in-kind line.' }),
    shortfall: MoneyRef('How far the cumulative amount exceeds what is available (zero when it fits).'),
    explanation: Type.String({ description: 'The composite, the urgency derivation and the budget position in words.' }),
  },
  { $id: 'ReintegrationRankingEntry', additionalProperties: false, description: 'One assessed request in the ranking.' },
)

export const Ranking = Type.Object(
  {
    project_id: Uuid('Project.'),
    generated_at: Timestamp('When the ranking was computed.'),
    configuration: Type.Ref(ScoringConfiguration),
    order: Type.Array(Type.String(), { description: 'The sort keys, in order: ties on one key are broken by the next.' }),
    budget_line: Type.Object(
      {
        id: Uuid('The project\'s in-kind reintegration budget line.'),
        allocated: MoneyRef('Allocated to the line.'),
        committed: MoneyRef('Committed (approved plans not yet spent, among others).'),
        spent: MoneyRef('Spent.'),
        available: MoneyRef('Allocated − committed − spent: what new approvals can use.'),
      },
      { additionalProperties: false, description: 'The line the plans are charged to.' },
    ),
    items: Type.Array(Type.Ref(RankingEntry), { description: 'Assessed and waitlisted requests of the project\'s open cases, in priority order.' }),
  },
  {
    $id: 'ReintegrationRanking',
    additionalProperties: false,
    description: 'Assessed requests of a project in priority order against what is left on the in-kind reintegration line.',
  },
)

export const RankingQuery = Type.Object(
  {
    configuration_version: Type.Optional(
      Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{1,63}$', description: 'Rank with this configuration version instead of the one in force today (e.g. to explain an earlier selection).' }),
    ),
  },
  { additionalProperties: false },
)

// ---------------------------------------------------------------- plans and disbursements

export const ReintegrationPlan = Type.Object(
  {
    id: Uuid('Plan id.'),
    request_id: Uuid('The approved request.'),
    case_id: Uuid('Return case.'),
    project_id: Uuid('Project paying for it.'),
    budget_line_id: Uuid('In-kind reintegration line the budget is committed on.'),
    budget: MoneyRef('Approved budget.'),
    items: Type.Array(Type.Ref(Item), { description: 'Items and services of the plan (from the request).' }),
    status: PlanStatus,
    disbursed: Type.Ref('Money', {
      description: 'What disbursements use of the budget: the amount of each requested or approved one and the paid amount of each paid one.',
    }),
    spent: MoneyRef('Paid to suppliers.'),
    available: MoneyRef('Budget − disbursed: the most a new disbursement may be.'),
    released: MoneyRef('Given back to the budget line when the plan was completed or abandoned.'),
    approved_by: Type.String({ description: 'Approver of the request.' }),
    approved_at: Timestamp('When approved.'),
    closure: Nullable(
      Type.Object(
        {
          closed_by: Type.String({ description: 'Who completed or abandoned the plan (for a plan that completed itself: who recorded its last payment or delivery).' }),
          closed_at: Timestamp('When.'),
          reason: Nullable(Type.String({ description: 'Why (required to abandon).' })),
        },
        { additionalProperties: false, description: 'Set once completed or abandoned.' },
      ),
    ),
    allowed_actions: AllowedActions(PLAN_ACTIONS, 'Actions the status allows.'),
    ...RecordStamps('When the plan was created.'),
  },
  { $id: 'ReintegrationPlan', additionalProperties: false, description: 'A reintegration plan: an approved request with its budget, paid out to suppliers.' },
)

export const ReintegrationPlanList = ListPage('ReintegrationPlanList', ReintegrationPlan, 'Plans of the case, oldest first.')

export const CompletePlan = Type.Object(
  { note: Type.Optional(Text('Why the plan is complete although not all of its budget was used.', 2000)) },
  { $id: 'CompleteReintegrationPlan', additionalProperties: false },
)

export const CreateDisbursement = Type.Object(
  {
    supplier_id: Uuid('The registered supplier paid: of the plan\'s country and registered by the partner office the case is referred to.'),
    items: Type.Array(Type.Ref(ItemInput), { minItems: 1, maxItems: 50, description: 'Items or services invoiced.' }),
    amount: Type.Optional(PositiveMoney('Invoice total; when given it must equal the sum of the items (it is derived otherwise).')),
    invoice_number: Type.String({ minLength: 1, maxLength: 60, description: 'The supplier\'s invoice number (an invoice is paid once).' }),
    invoice_date: DateOnly('Invoice date (not in the future).'),
  },
  {
    $id: 'CreateDisbursement',
    additionalProperties: false,
    description: 'A payment to a supplier against the plan. There is no payee field: a disbursement is always paid to the named supplier, never to the returnee.',
    examples: [
      {
        supplier_id: '0190f0a4-7d1c-7b7e-9a7e-2f1c3d4e5f60',
        items: [{ description: 'Concrete mixer 180 l', quantity: 1, unit_price: { amount_minor: 65000, currency: 'EUR' } }],
        invoice_number: 'KS-2010-0457',
        invoice_date: '2010-10-05',
      },
    ],
  },
)

export const ConfirmDelivery = Type.Object(
  {
    delivered_on: DateOnly('When the goods or services were delivered (not in the future).'),
    delivered_items: Text('What was delivered, as checked by the partner office.', 2000),
    notes: Type.Optional(Text('Notes (condition, missing items, photos taken).', 2000)),
  },
  {
    $id: 'ConfirmDisbursementDelivery',
    additionalProperties: false,
    examples: [{ delivered_on: '2010-10-08', delivered_items: 'Concrete mixer handed over at the returnee\'s home in Kutaisi.', notes: 'Serial number recorded.' }],
  },
)

export const Disbursement = Type.Object(
  {
    id: Uuid('Disbursement id.'),
    plan_id: Uuid('Plan.'),
    case_id: Uuid('Return case.'),
    supplier: Type.Object(
      { id: Uuid('Supplier.'), name: Type.String({ description: 'Supplier name.' }), office_id: Uuid('Partner office that registered the supplier.') },
      { additionalProperties: false, description: 'The supplier paid (bank details are on the supplier, for those who may see them).' },
    ),
    items: Type.Array(Type.Ref(Item), { description: 'Items invoiced.' }),
    amount: MoneyRef('Invoice total: the sum of the items.'),
    invoice_number: Type.String({ description: 'Invoice number.' }),
    invoice_date: DateOnly('Invoice date.'),
    status: DisbursementStatus,
    payment_request_id: Uuid('The payment request (maker-checker) that pays the supplier.'),
    paid_amount: Nullable(MoneyRef('Amount paid, once paid.')),
    delivery: Nullable(
      Type.Object(
        {
          delivered_on: DateOnly('When delivered.'),
          delivered_items: Type.String({ description: 'What was delivered.' }),
          notes: Nullable(Type.String({ description: 'Notes.' })),
          confirmed_by: Type.String({ description: 'Partner-office user who confirmed.' }),
          confirmed_at: Timestamp('When confirmed.'),
        },
        { additionalProperties: false, description: 'Delivery as confirmed by the partner office.' },
      ),
    ),
    created_by: Type.String({ description: 'Who requested the disbursement (the maker of its payment).' }),
    ...RecordStamps('When requested.'),
  },
  { $id: 'Disbursement', additionalProperties: false, description: 'A payment to a supplier for goods or services of a plan, confirmed delivered by the partner office.' },
)

export const DisbursementList = ListPage('DisbursementList', Disbursement, 'Disbursements of the plan, oldest first.')

// ---------------------------------------------------------------- parameters

export const CaseParams = ParentParams('Return case id.', LooseUuid)
export const RequestParams = ChildParams('Return case id.', 'request_id', 'Reintegration request id.', LooseUuid)
export const PlanParams = ChildParams('Return case id.', 'plan_id', 'Reintegration plan id.', LooseUuid)
export const DisbursementParams = Type.Object({ ...PlanParams.properties, disbursement_id: LooseUuid('Disbursement id.') })
export const ProjectParams = ParentParams('Project id.')
export { PageQuery, VersionParams } from '../../shared/schemas.js'

export type ItemInputValue = Static<typeof ItemInput>
export type ItemRecord = Static<typeof Item>
export type CreateReintegrationRequestInput = Static<typeof CreateReintegrationRequest>
export type UpdateReintegrationRequestInput = Static<typeof UpdateReintegrationRequest>
export type AssessReintegrationRequestInput = Static<typeof AssessReintegrationRequest>
export type ApproveReintegrationRequestInput = Static<typeof ApproveReintegrationRequest>
export type ReintegrationRequestRecord = Static<typeof ReintegrationRequest>
export type AssessmentRecord = Static<typeof Assessment>
export type DecisionRecord = Static<typeof Decision>
export type UrgencyRecord = Static<typeof Urgency>
export type ScoringConfigurationRecord = Static<typeof ScoringConfiguration>
export type CreateScoringConfigurationInput = Static<typeof CreateScoringConfiguration>
export type RankingRecord = Static<typeof Ranking>
export type RankingEntryRecord = Static<typeof RankingEntry>
export type ReintegrationPlanRecord = Static<typeof ReintegrationPlan>
export type CreateDisbursementInput = Static<typeof CreateDisbursement>
export type ConfirmDeliveryInput = Static<typeof ConfirmDelivery>
export type DisbursementRecord = Static<typeof Disbursement>
export type RequestAction = (typeof REQUEST_ACTIONS)[number]
export type PlanAction = (typeof PLAN_ACTIONS)[number]
