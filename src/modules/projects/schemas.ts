import { Type, type Static } from '@sinclair/typebox'
import { ChildParams, DateOnly, IF_MATCH_VERSION, ListPage, ListQuery, MoneyRef, Nullable, ParentParams, RecordStamps, StringEnum, Text, Timestamp, UpdateBody, Uuid } from '../../shared/schemas.js'

export const PROJECT_STATUSES = ['planned', 'active', 'closed'] as const
export const BUDGET_CATEGORIES = ['travel', 'excess_baggage', 'cash_grant', 'in_kind_reintegration', 'insurance', 'accommodation', 'other'] as const
export const COST_KINDS = ['ticket', 'excess_baggage', 'insurance', 'accommodation', 'cash_grant', 'in_kind'] as const

export const ProjectStatus = StringEnum(PROJECT_STATUSES, {
  description: '`planned`: being set up, nothing can be charged; `active`: cases attach and costs are committed; `closed`: books closed, read-only.',
})

export const BudgetCategory = StringEnum(BUDGET_CATEGORIES, {
  description:
    'What the line pays for: `travel` (tickets), `excess_baggage`, `cash_grant` (on arrival), `in_kind_reintegration` (supplier payments), ' +
    '`insurance` (travel insurance), `accommodation` (nights before departure), `other`.',
})

/** The category of the line each kind of cost is charged to, unless the project routes the kind elsewhere. */
export const COST_KIND_CATEGORIES = {
  ticket: 'travel',
  excess_baggage: 'excess_baggage',
  insurance: 'insurance',
  accommodation: 'accommodation',
  cash_grant: 'cash_grant',
  in_kind: 'in_kind_reintegration',
} as const satisfies Record<(typeof COST_KINDS)[number], (typeof BUDGET_CATEGORIES)[number]>

const fallbackCategory = (kind: (typeof COST_KINDS)[number]) =>
  Type.Optional(
    StringEnum(BUDGET_CATEGORIES, {
      description: `The category of the line that pays a cost of kind \`${kind}\` when the project has no \`${COST_KIND_CATEGORIES[kind]}\` line.`,
    }),
  )

export const CostRouting = Type.Object(
  {
    ticket: fallbackCategory('ticket'),
    excess_baggage: fallbackCategory('excess_baggage'),
    insurance: fallbackCategory('insurance'),
    accommodation: fallbackCategory('accommodation'),
    cash_grant: fallbackCategory('cash_grant'),
    in_kind: fallbackCategory('in_kind'),
  },
  {
    $id: 'CostRouting',
    additionalProperties: false,
    description:
      'Where a cost goes when the project has no budget line of its own category: cost kind (`ticket`, `excess_baggage`, `insurance`, ' +
      '`accommodation`, `cash_grant`, `in_kind`) → the category of the fallback line. A line of the cost\'s own category always comes first; ' +
      'a cost with neither is refused with 409 `no-budget-line-for-cost`.',
    examples: [{ excess_baggage: 'travel', insurance: 'travel', accommodation: 'travel' }],
  },
)

export const CoFunder = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200, description: 'Name of the co-funder (unique within the project).', examples: ['European Union'] }),
    share_bp: Type.Integer({ minimum: 1, maximum: 10000, description: 'Share of the project in basis points (7500 = 75 %). The shares of a project sum to exactly 10000.', examples: [7500] }),
  },
  { $id: 'CoFunder', additionalProperties: false, description: 'A co-funder of the project and its share.' },
)

const targetFields = {
  persons: Nullable(Type.Integer({ minimum: 0, maximum: 1_000_000, description: 'Persons the project aims to assist (counted like `returned`); null: no target.', examples: [200] })),
  individuals: Nullable(Type.Integer({ minimum: 0, maximum: 1_000_000, description: 'Of them, persons returning alone (counted like `individuals`); null: no target.', examples: [80] })),
  families: Nullable(Type.Integer({ minimum: 0, maximum: 1_000_000, description: 'Families the project aims to assist (counted like `families`); null: no target.', examples: [40] })),
  children: Nullable(Type.Integer({ minimum: 0, maximum: 1_000_000, description: 'Of the persons, children: under 18 on the departure date (counted like `children`); null: no target.', examples: [60] })),
  vulnerable: Nullable(Type.Integer({ minimum: 0, maximum: 1_000_000, description: 'Of the persons, vulnerable persons: at least one vulnerability recorded, or 65 or older on the departure date (counted like `vulnerable`); null: no target.', examples: [150] })),
}
const targetsRule = 'When persons is set, individuals plus families cannot exceed it (each family counts at least one person), nor can children or vulnerable.'

export const ProjectTargets = Type.Object(targetFields, {
  $id: 'ProjectTargets',
  additionalProperties: false,
  description: `What the project aims to reach, with the definitions of the donor report's achieved figures. ${targetsRule}`,
  examples: [{ persons: 200, individuals: 80, families: 40, children: null, vulnerable: null }],
})

/** Targets as sent: children and vulnerable may be left out (null on create; unchanged on update). */
export const ProjectTargetsInput = Type.Object(
  { ...targetFields, children: Type.Optional(targetFields.children), vulnerable: Type.Optional(targetFields.vulnerable) },
  {
    $id: 'ProjectTargetsInput',
    additionalProperties: false,
    description: `What the project aims to reach. children and vulnerable may be left out: null on create, kept as they are on update. ${targetsRule}`,
    examples: [{ persons: 200, individuals: 80, families: 40, children: 60, vulnerable: 150 }],
  },
)

export const CashGrantRule = Type.Union(
  [
    Type.Object(
      {
        kind: Type.Literal('per_person', { description: 'An amount per adult and per child returning.' }),
        adult: MoneyRef('Grant per adult (18 or older), in the project currency.'),
        child: MoneyRef('Grant per child (under 18), in the project currency.'),
      },
      { additionalProperties: false, title: 'Per person' },
    ),
    Type.Object(
      {
        kind: Type.Literal('per_household', { description: 'One flat amount per returning household.' }),
        flat: MoneyRef('Grant per household, in the project currency.'),
      },
      { additionalProperties: false, title: 'Per household' },
    ),
  ],
  {
    $id: 'CashGrantRule',
    description: 'How the cash grant on arrival is computed for the project\'s cases.',
    examples: [{ kind: 'per_person', adult: { amount_minor: 20000, currency: 'EUR' }, child: { amount_minor: 10000, currency: 'EUR' } }],
  },
)

export const ContactPeriod = Type.Object(
  {
    months: Type.Integer({ minimum: 0, maximum: 24, description: 'Calendar months after the arrival day (31 January + 1 month = the last day of February).', examples: [1] }),
    days: Type.Integer({ minimum: 0, maximum: 366, description: 'Days added after the months.', examples: [0] }),
  },
  {
    $id: 'ContactPeriod',
    additionalProperties: false,
    description:
      'How long after arrival a returnee has to contact the partner office before the reintegration assistance can lapse: months, then days, ' +
      'at least one of them more than zero. Default one calendar month. A case keeps the period in force on its arrival day.',
    examples: [{ months: 1, days: 0 }],
  },
)

const editableProjectFields = {
  title: Type.String({ minLength: 1, maxLength: 300, description: 'Title of the project.', examples: ['Reintegration assistance for migrants returning from Lithuania'] }),
  starts_on: DateOnly('First day of the project period.'),
  ends_on: DateOnly('Last day of the project period (on or after starts_on).'),
  total: MoneyRef('Total budget. Its currency is the project currency: every budget line and ledger entry is kept in it.'),
  co_funders: Type.Array(Type.Ref(CoFunder), {
    minItems: 1,
    maxItems: 20,
    description: 'Co-funders in reporting order; their shares sum to exactly 10000 basis points.',
  }),
  targets: Type.Ref(ProjectTargets, { description: 'Persons, individuals, families, children and vulnerable persons the project aims to assist.' }),
  second_approval_threshold: Nullable(MoneyRef('Payments above this amount need a second approval; null: one approval always suffices.')),
  cash_grant_rule: Nullable(Type.Ref(CashGrantRule, { description: 'How cash grants on arrival are computed; null: entered case by case.' })),
  contact_period: Type.Ref(ContactPeriod, { description: 'The time a returnee has after arrival to contact the partner office (default one month).' }),
  cost_routing: Type.Ref(CostRouting, { description: 'Fallback budget-line categories for cost kinds the project has no line of their own for; `{}`: none.' }),
}

const projectCode = Type.String({
  pattern: '^[A-Z0-9][A-Z0-9-]{1,31}$',
  description: 'Short unique project code (capitals, digits and hyphens). Editable while the project is planned.',
  examples: ['LT-REINT-2010'],
})

export const Project = Type.Object(
  {
    id: Uuid('Project id.'),
    code: projectCode,
    ...editableProjectFields,
    currency: Type.String({ description: 'The project currency (ISO 4217), the currency of `total`.', examples: ['EUR'] }),
    status: ProjectStatus,
    allocated: MoneyRef('Sum of the budget lines\' allocations; never more than `total`.'),
    ...RecordStamps('When the project was registered.', { updated: 'When the project was last changed.', version: IF_MATCH_VERSION }),
  },
  { $id: 'Project', additionalProperties: false, description: 'A co-funded project that pays for the programme\'s work.', examples: [{"id": "0193a0b4-2a3b-7c4d-8e5f-6a7b8c9d0e1f", "code": "LT-REINT-2010", "title": "Reintegration assistance for migrants returning voluntarily from Lithuania", "starts_on": "2010-07-01", "ends_on": "2011-06-30", "total": {"amount_minor": 3803700, "currency": "EUR"}, "co_funders": [{"name": "European Union (European Return Fund)", "share_bp": 7500}, {"name": "State budget of the Republic of Lithuania", "share_bp": 2500}], "targets": {"persons": 6, "individuals": 4, "families": 1, "children": null, "vulnerable": null}, "second_approval_threshold": {"amount_minor": 150000, "currency": "EUR"}, "cash_grant_rule": {"kind": "per_person", "adult": {"amount_minor": 20000, "currency": "EUR"}, "child": {"amount_minor": 10000, "currency": "EUR"}}, "contact_period": {"months": 1, "days": 0}, "cost_routing": {"excess_baggage": "travel", "insurance": "travel", "accommodation": "travel"}, "currency": "EUR", "status": "active", "allocated": {"amount_minor": 3803700, "currency": "EUR"}, "version": 2, "created_at": "2026-11-20T09:15:25.362Z", "updated_at": "2026-11-20T09:15:25.477Z"}] },
)

export const CreateProject = Type.Object(
  {
    code: projectCode,
    title: editableProjectFields.title,
    starts_on: editableProjectFields.starts_on,
    ends_on: editableProjectFields.ends_on,
    total: editableProjectFields.total,
    co_funders: editableProjectFields.co_funders,
    targets: Type.Optional(Type.Ref(ProjectTargetsInput, { description: 'Persons, individuals, families, children and vulnerable persons the project aims to assist.' })),
    second_approval_threshold: Type.Optional(editableProjectFields.second_approval_threshold),
    cash_grant_rule: Type.Optional(editableProjectFields.cash_grant_rule),
    contact_period: Type.Optional(editableProjectFields.contact_period),
    cost_routing: Type.Optional(editableProjectFields.cost_routing),
  },
  {
    $id: 'CreateProject',
    additionalProperties: false,
    description: 'A new project; it starts `planned`.',
    examples: [
      {
        code: 'LT-REINT-2010',
        title: 'Reintegration assistance for migrants returning voluntarily from Lithuania',
        starts_on: '2010-07-01',
        ends_on: '2011-06-30',
        total: { amount_minor: 3803700, currency: 'EUR' },
        co_funders: [
          { name: 'European Union', share_bp: 7500 },
          { name: 'State budget of Lithuania', share_bp: 2500 },
        ],
        targets: { persons: 6, individuals: 4, families: 1 },
      },
    ],
  },
)

export const UpdateProject = UpdateBody(
  'UpdateProject',
  {
    code: Type.Optional(projectCode),
    title: Type.Optional(editableProjectFields.title),
    starts_on: Type.Optional(editableProjectFields.starts_on),
    ends_on: Type.Optional(editableProjectFields.ends_on),
    total: Type.Optional(editableProjectFields.total),
    co_funders: Type.Optional(editableProjectFields.co_funders),
    targets: Type.Optional(Type.Ref(ProjectTargetsInput, { description: 'Persons, individuals, families, children and vulnerable persons the project aims to assist.' })),
    second_approval_threshold: Type.Optional(editableProjectFields.second_approval_threshold),
    cash_grant_rule: Type.Optional(editableProjectFields.cash_grant_rule),
    contact_period: Type.Optional(editableProjectFields.contact_period),
    cost_routing: Type.Optional(editableProjectFields.cost_routing),
  },
  {
    description:
      'Fields to change; omitted fields stay as they are. `co_funders` replaces the whole list. The code and the currency change only while the project is planned and has no budget lines; the total never drops below what is allocated; a closed project cannot be edited.',
    examples: [{ title: 'Reintegration assistance (extended)', ends_on: '2011-09-30' }],
  },
)

export const ProjectList = ListPage('ProjectList', Project, 'Projects on this page, ordered by creation.')

export const ProjectListQuery = ListQuery({ status: Type.Optional(ProjectStatus) })

export const CloseProject = Type.Object(
  { reason: Text('Why the project is closed (kept in the audit trail).', 1000) },
  { $id: 'CloseProject', additionalProperties: false, examples: [{ reason: 'Project period ended; final report sent to the co-funders' }] },
)

export const BudgetLine = Type.Object(
  {
    id: Uuid('Budget line id.'),
    project_id: Uuid('Project the line belongs to.'),
    category: BudgetCategory,
    name: Type.String({ description: 'Name of the line, unique within the project.' }),
    allocated: MoneyRef('Amount allocated to the line.'),
    committed: MoneyRef('Reserved by approved costs and not yet paid or released (sum of the ledger: commits − releases − spends).'),
    spent: MoneyRef('Paid (sum of the ledger\'s spends).'),
    available: MoneyRef('What can still be committed: allocated − committed − spent.'),
    ...RecordStamps('When the line was created.', {
      updated: 'When the line\'s name or allocation last changed.',
      version: 'Version of the line\'s name and allocation, also sent as the ETag. Ledger postings do not change it.',
    }),
  },
  { $id: 'BudgetLine', additionalProperties: false, description: 'A budget line of a project with its balances, derived from its ledger.', examples: [{"id": "0193a0b4-2b3c-7d4e-8f5a-6b7c8d9e0f1a", "project_id": "0193a0b4-2a3b-7c4d-8e5f-6a7b8c9d0e1f", "category": "travel", "name": "Travel: tickets, transit, excess baggage, insurance, accommodation", "allocated": {"amount_minor": 640000, "currency": "EUR"}, "committed": {"amount_minor": 45000, "currency": "EUR"}, "spent": {"amount_minor": 0, "currency": "EUR"}, "available": {"amount_minor": 595000, "currency": "EUR"}, "version": 1, "created_at": "2026-11-20T09:15:25.410Z", "updated_at": "2026-11-20T09:15:25.410Z"}] },
)

const lineName = Type.String({ minLength: 1, maxLength: 200, description: 'Name of the line, unique within the project.', examples: ['Air tickets'] })

export const CreateBudgetLine = Type.Object(
  {
    category: BudgetCategory,
    name: lineName,
    allocated: MoneyRef('Amount to allocate, in the project currency. All lines together never exceed the project total.'),
  },
  {
    $id: 'CreateBudgetLine',
    additionalProperties: false,
    examples: [{ category: 'travel', name: 'Air tickets', allocated: { amount_minor: 1200000, currency: 'EUR' } }],
  },
)

export const UpdateBudgetLine = UpdateBody(
  'UpdateBudgetLine',
  {
    name: Type.Optional(lineName),
    allocated: Type.Optional(MoneyRef('New allocation: at least what the line has committed and spent, and within the project total.')),
  },
  {
    description: 'Renames the line or changes its allocation from the project\'s unallocated budget. To move money between lines use `:reallocate`.',
    examples: [{ allocated: { amount_minor: 1300000, currency: 'EUR' } }],
  },
)

export const BudgetLineList = ListPage('BudgetLineList', BudgetLine, 'Budget lines on this page, ordered by creation.')

export const BudgetLineListQuery = ListQuery({ category: Type.Optional(BudgetCategory) })

export const Reallocation = Type.Object(
  {
    from_line_id: Uuid('Line the money is taken from; it keeps at least what it has committed and spent.'),
    to_line_id: Uuid('Line the money is given to (another line of the same project).'),
    amount: MoneyRef('Amount to move, in the project currency.'),
    reason: Text('Why the money is moved (kept in the audit trail).', 1000),
  },
  {
    $id: 'Reallocation',
    additionalProperties: false,
    examples: [
      {
        from_line_id: '0193a0b4-2b3c-7d4e-8f5a-6b7c8d9e0f1a',
        to_line_id: '0193a0b4-2b3c-7d4e-8f5a-6b7c8d9e0f3a',
        amount: { amount_minor: 50000, currency: 'EUR' },
        reason: 'Fewer flights than planned; more small-business start-ups',
      },
    ],
  },
)

export const ReallocationResult = Type.Object(
  {
    from: Type.Ref(BudgetLine, { description: 'The line the money was taken from, after the move.' }),
    to: Type.Ref(BudgetLine, { description: 'The line the money was given to, after the move.' }),
  },
  { $id: 'ReallocationResult', additionalProperties: false },
)

export const BudgetReportLine = Type.Object(
  {
    budget_line_id: Uuid('Budget line id.'),
    category: BudgetCategory,
    name: Type.String({ description: 'Name of the line.' }),
    allocated: MoneyRef('Allocated to the line.'),
    committed: MoneyRef('Committed and not yet paid or released.'),
    spent: MoneyRef('Paid.'),
    available: MoneyRef('Allocated − committed − spent.'),
  },
  { $id: 'BudgetReportLine', additionalProperties: false },
)

export const BudgetReportCoFunder = Type.Object(
  {
    name: Type.String({ description: 'Co-funder.' }),
    share_bp: Type.Integer({ description: 'Share in basis points.' }),
    contribution: MoneyRef('The co-funder\'s share of the project total.'),
    spent: MoneyRef('The co-funder\'s share of what was spent.'),
  },
  { $id: 'BudgetReportCoFunder', additionalProperties: false },
)

export const BudgetReport = Type.Object(
  {
    project_id: Uuid('Project id.'),
    code: Type.String({ description: 'Project code.' }),
    title: Type.String({ description: 'Project title.' }),
    status: ProjectStatus,
    starts_on: DateOnly('First day of the project period.'),
    ends_on: DateOnly('Last day of the project period.'),
    currency: Type.String({ description: 'The project currency; every amount in the report is in it.' }),
    generated_at: Timestamp('When the report was produced (balances as of then).'),
    lines: Type.Array(Type.Ref(BudgetReportLine), { description: 'Every budget line, in creation order.' }),
    totals: Type.Object(
      {
        total: MoneyRef('The project total.'),
        allocated: MoneyRef('Sum of the lines\' allocations.'),
        unallocated: MoneyRef('Total − allocated.'),
        committed: MoneyRef('Sum of the lines\' commitments.'),
        spent: MoneyRef('Sum of the lines\' spend.'),
        available: MoneyRef('Sum of the lines\' available amounts.'),
      },
      { additionalProperties: false, description: 'Sums over the lines.' },
    ),
    co_funders: Type.Array(Type.Ref(BudgetReportCoFunder), {
      description:
        'Each co-funder\'s share of the total and of the spend, by largest-remainder rounding: whole minor units that sum exactly to the total and to the spend (leftover units go to the largest fractional parts; ties to the co-funder listed first).',
    }),
  },
  {
    $id: 'BudgetReport',
    additionalProperties: false,
    description: 'Spend per budget line and per co-funder share. As CSV with `Accept: text/csv`.',
  },
)

export const ProjectIdParams = ParentParams('Project id.')
export const BudgetLineParams = ChildParams('Project id.', 'line_id', 'Budget line id.')

export type ProjectRecord = Static<typeof Project>
export type CreateProjectInput = Static<typeof CreateProject>
export type UpdateProjectInput = Static<typeof UpdateProject>
export type ProjectListFilter = Static<typeof ProjectListQuery>
export type CoFunderRecord = Static<typeof CoFunder>
export type ProjectTargetsRecord = Static<typeof ProjectTargets>
export type ProjectTargetsInputValue = Static<typeof ProjectTargetsInput>
export type CashGrantRuleRecord = Static<typeof CashGrantRule>
export type ContactPeriodRecord = Static<typeof ContactPeriod>
export type CostRoutingRecord = Static<typeof CostRouting>
export type BudgetLineRecord = Static<typeof BudgetLine>
export type CreateBudgetLineInput = Static<typeof CreateBudgetLine>
export type UpdateBudgetLineInput = Static<typeof UpdateBudgetLine>
export type BudgetLineListFilter = Static<typeof BudgetLineListQuery>
export type ReallocationInput = Static<typeof Reallocation>
export type BudgetReportRecord = Static<typeof BudgetReport>
