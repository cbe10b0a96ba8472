import { Type, type Static } from '@sinclair/typebox'
import { CaseRecordParams, DateOnly, ListPage, ListQuery, MoneyRef, Nullable, RecordStamps, StringEnum, Text, Uuid } from '../../shared/schemas.js'
import { PaymentStatusSchema } from '../payments/index.js'

export const CASH_GRANT_STATUSES = ['requested', 'approved', 'paid', 'rejected', 'cancelled'] as const
export const CASH_GRANT_SCOPES = ['household', 'returnee'] as const

const Scope = StringEnum(CASH_GRANT_SCOPES, {
  description: '`household`: one grant for the whole household (paid to the principal applicant); `returnee`: a grant for one household member.',
})

export const CashGrant = Type.Object(
  {
    id: Uuid('Cash grant id.'),
    case_id: Uuid('Return case.'),
    project_id: Uuid('Project whose cash-grant budget line pays it.'),
    payment_request_id: Uuid('The payment request that pays it (kind `cash_grant`): approve, reject or cancel the grant there.'),
    scope: Scope,
    member_id: Nullable(Uuid('The household member it is for (scope `returnee`); null for a household grant.')),
    basis: StringEnum(['rule', 'manual'], {
      description: '`rule`: amount from the project\'s cash-grant rule; `manual`: entered by hand, with a justification.',
    }),
    rule: Nullable(
      Type.Object(
        {
          kind: StringEnum(['per_person', 'per_household'], { description: 'The project rule applied: an amount per adult and per child, or a flat amount per household.' }),
          reference_on: DateOnly('Date at which ages were counted: arrival, else departure, else the intended departure date.'),
          adults: Type.Integer({ description: 'Adults (18 or older on that date) counted.' }),
          children: Type.Integer({ description: 'Children (under 18 on that date) counted.' }),
        },
        { additionalProperties: false, description: 'How a rule-based amount was worked out; null for a manual amount.' },
      ),
    ),
    amount: MoneyRef('Grant amount, in the project currency.'),
    justification: Nullable(Type.String({ description: 'Why a manual amount (required for a manual amount, null otherwise).' })),
    status: StringEnum(CASH_GRANT_STATUSES, {
      description: 'Follows its payment request: `requested` until approved (also while a second approval is awaited), then `approved`, `paid`; or `rejected`, `cancelled`.',
    }),
    payment_status: PaymentStatusSchema,
    payment: Nullable(Type.Ref('PaymentDetails', { description: 'How it was paid (reference, date, amount, local currency and rate); null until paid.' })),
    requested_by: Type.String({ description: 'Subject of who requested it (the maker; cannot approve it).' }),
    ...RecordStamps('When it was requested.'),
  },
  { $id: 'CashGrant', additionalProperties: false, description: 'A cash grant on arrival for basic needs.' },
)

export const CreateCashGrant = Type.Object(
  {
    scope: Scope,
    member_id: Type.Optional(Uuid('For scope `returnee`: the household member the grant is for. Not allowed for a household grant.')),
    amount: Type.Optional(
      Type.Object(
        {
          amount_minor: Type.Integer({ minimum: 1, maximum: 1e13, description: 'Amount in integer minor units.' }),
          currency: Type.String({ format: 'iso4217', minLength: 3, maxLength: 3, description: 'ISO 4217 code; must be the project currency.', examples: ['EUR'] }),
        },
        {
          additionalProperties: false,
          description: 'A manual amount, in the project currency; needs a justification. Leave out to apply the project\'s cash-grant rule.',
        },
      ),
    ),
    justification: Type.Optional(Text('Why a manual amount (required with `amount`, not allowed without).', 2000)),
  },
  {
    $id: 'CreateCashGrant',
    additionalProperties: false,
    examples: [
      { scope: 'household' },
      { scope: 'returnee', member_id: '0193a0b4-4d5e-7f6a-8b7c-8d9e0f1a2b01' },
      { scope: 'household', amount: { amount_minor: 40000, currency: 'EUR' }, justification: 'Household of five with a newborn; the project rule does not cover infants.' },
    ],
  },
)

export const CashGrantList = ListPage('CashGrantList', CashGrant, 'Cash grants of the case, oldest first.')

export const CashGrantListQuery = ListQuery({ status: Type.Optional(StringEnum(CASH_GRANT_STATUSES, { description: 'Only grants in this status.' })) })

export { CaseParams } from '../../shared/schemas.js'
export const CashGrantParams = CaseRecordParams('grant_id', 'Cash grant id.')

export type CashGrantRecord = Static<typeof CashGrant>
export type CreateCashGrantInput = Static<typeof CreateCashGrant>
export type CashGrantListFilter = Static<typeof CashGrantListQuery>
