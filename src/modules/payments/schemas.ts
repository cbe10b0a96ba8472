import { Type, type Static } from '@sinclair/typebox'
import { AllowedActions, DateOnly, ListPage, ListQuery, MoneyRef, Nullable, ParentParams, RecordStamps, StringEnum, Text, Timestamp, Uuid, WhoWhenWhy } from '../../shared/schemas.js'
import { EXCHANGE_RATE_PATTERN } from './exchange.js'

export const PAYMENT_KINDS = ['ticket', 'excess_baggage', 'cash_grant', 'disbursement', 'travel_insurance', 'accommodation'] as const
export const PAYMENT_STATUSES = ['requested', 'awaiting_second_approval', 'approved', 'paid', 'rejected', 'cancelled'] as const
export const PAYEE_TYPES = ['supplier', 'carrier', 'returnee', 'other'] as const
export const LEDGER_SOURCE_TYPES = ['ticket', 'excess_baggage', 'cash_grant', 'disbursement', 'reintegration_plan', 'travel_insurance', 'accommodation', 'other'] as const
export const PAYMENT_ACTIONS = ['approve', 'reject', 'mark_paid', 'cancel'] as const

export const PaymentKindSchema = StringEnum(PAYMENT_KINDS, {
  description: 'What the payment is for: `ticket`, `excess_baggage`, `cash_grant` (on arrival), `disbursement` (to a reintegration supplier), `travel_insurance` (a traveller\'s policy) or `accommodation` (nights before departure).',
})

export const PaymentStatusSchema = StringEnum(PAYMENT_STATUSES, {
  description:
    '`requested` → `approved` (or `awaiting_second_approval` first when the amount is above the project\'s threshold) → `paid`; ' +
    '`requested`/`awaiting_second_approval` → `rejected`; `requested`/`awaiting_second_approval`/`approved` → `cancelled`.',
})

/** A money amount that must be strictly positive (a payment of nothing is a mistake). */
const PositiveMoney = (description: string) =>
  Type.Object(
    {
      amount_minor: Type.Integer({ minimum: 1, maximum: 1e13, description: 'Amount in integer minor units of the currency (cents for EUR, fils for IQD).' }),
      currency: Type.String({ format: 'iso4217', minLength: 3, maxLength: 3, description: 'ISO 4217 currency code.', examples: ['EUR'] }),
    },
    { additionalProperties: false, description },
  )

const SourceRef = (description: string) =>
  Type.Object(
    {
      type: StringEnum(LEDGER_SOURCE_TYPES, { description: 'Kind of record the money is for.' }),
      id: Uuid('Id of that record.'),
    },
    { additionalProperties: false, description },
  )

const LocalPaymentRecord = Type.Object(
  {
    amount: MoneyRef('Amount actually paid, in the local currency.'),
    exchange_rate: Type.String({ description: 'Local-currency units per one project-currency unit, as applied (e.g. `2.934712345678` GEL per EUR).' }),
    rate_date: DateOnly('Date the rate applies to.'),
    rate_source: Type.String({ description: 'Where the rate comes from (e.g. central bank, UN operational rate).' }),
  },
  { additionalProperties: false, description: 'The local-currency side of a payment made locally.' },
)

export const PaymentDetails = Type.Object(
  {
    paid_by: Type.String({ description: 'Subject of who recorded the payment.' }),
    recorded_at: Timestamp('When the payment was recorded.'),
    paid_on: DateOnly('Date the money was paid.'),
    reference: Type.String({ description: 'Payment reference (bank transfer, receipt or voucher number).' }),
    amount: MoneyRef('Amount paid in the project currency (spent on the line); for a local payment, derived from the local amount and the rate.'),
    local: Nullable(LocalPaymentRecord),
  },
  { $id: 'PaymentDetails', additionalProperties: false, description: 'How a payment was made; set once it is paid.' },
)

export const PaymentRequest = Type.Object(
  {
    id: Uuid('Payment request id.'),
    kind: PaymentKindSchema,
    status: PaymentStatusSchema,
    project_id: Uuid('Project whose budget pays.'),
    budget_line_id: Uuid('Budget line the amount is charged to.'),
    case_id: Nullable(Uuid('Return case the cost belongs to, if any.')),
    source: SourceRef('The cost this request pays (the ticket, baggage charge, cash grant or disbursement). A cost has at most one live request.'),
    commit_on_approval: Type.Boolean({
      description: 'Whether approval commits the amount on the budget line. False when the money was committed earlier (e.g. by an approved reintegration plan) and payment only spends against that commitment.',
    }),
    commitment_source: SourceRef('The ledger source whose commitment this payment spends (the source itself, or e.g. the reintegration plan).'),
    amount: MoneyRef('Amount requested and approved, in the project currency.'),
    payee: Type.Object(
      {
        type: StringEnum(PAYEE_TYPES, { description: 'Who receives the money.' }),
        id: Nullable(Type.String({ description: 'Id of the payee record (supplier, household member), if there is one.' })),
        name: Type.String({ description: 'Name of the payee.' }),
      },
      { additionalProperties: false, description: 'Who is paid.' },
    ),
    description: Type.String({ description: 'What is paid for.' }),
    requested_by: Type.String({ description: 'Subject of the person who requested the payment (the maker).' }),
    requested_at: Timestamp('When it was requested.'),
    second_approval_required: Nullable(
      Type.Boolean({ description: 'Whether a second approval is needed (amount above the project\'s threshold); decided at the first approval, null before.' }),
    ),
    approvals: Type.Array(
      Type.Object(
        { approved_by: Type.String({ description: 'Subject of the approver (a checker).' }), approved_at: Timestamp('When they approved.') },
        { additionalProperties: false },
      ),
      { description: 'Approvals in order: one, or two when a second approval is required. Never by the maker, never twice by the same person.' },
    ),
    committed: MoneyRef('What the approval committed on the budget line (zero before approval or when the money was committed elsewhere).'),
    released: MoneyRef('What this request gave back to the line: all of its commitment on cancellation, the unspent rest when paid less than approved.'),
    rejection: WhoWhenWhy('rejected_by', 'rejected_at', 'Subject of the approver who rejected.', 'Set when rejected.'),
    cancellation: WhoWhenWhy('cancelled_by', 'cancelled_at', 'Subject of who cancelled.', 'Set when cancelled.'),
    payment: Type.Union([Type.Ref(PaymentDetails), Type.Null()], { description: 'How and when it was paid; null until paid.' }),
    allowed_actions: AllowedActions(PAYMENT_ACTIONS, 'Actions the current status allows (roles and maker-checker still apply).'),
    ...RecordStamps('When the request was created.'),
  },
  {
    $id: 'PaymentRequest',
    additionalProperties: false,
    description: 'A request to pay a cost from a budget line, approved by someone other than the requester (maker-checker).',
  },
)

export const PaymentRequestList = ListPage('PaymentRequestList', PaymentRequest, 'Payment requests on this page, oldest first.')

export const PaymentRequestListQuery = ListQuery({
  status: Type.Optional(PaymentStatusSchema),
  kind: Type.Optional(PaymentKindSchema),
  case_id: Type.Optional(Uuid('Only requests of this return case.')),
  project_id: Type.Optional(Uuid('Only requests charged to this project.')),
  budget_line_id: Type.Optional(Uuid('Only requests charged to this budget line.')),
})

export const PaymentReason = Type.Object(
  { reason: Text('Why; kept in the audit trail.', 1000) },
  { $id: 'PaymentReason', additionalProperties: false, examples: [{ reason: 'The returnee did not show up at the airport.' }] },
)

export const LocalPayment = Type.Object(
  {
    amount: PositiveMoney('Amount paid in the local currency (not the project currency).'),
    exchange_rate: Type.String({
      pattern: EXCHANGE_RATE_PATTERN,
      description:
        'Local-currency units per ONE project-currency unit, as a plain decimal string (up to 12 integer digits and 18 decimals), ' +
        'e.g. `2.934712345678` for 1 EUR = 2.934712345678 GEL. The project-currency amount is local ÷ rate, rounded once to the ' +
        'nearest minor unit of the project currency, an exact half rounded up.',
      examples: ['2.934712345678'],
    }),
    rate_date: DateOnly('Date of the rate (not after the payment date).'),
    rate_source: Text('Where the rate comes from (e.g. National Bank of Georgia official rate).', 200),
  },
  { additionalProperties: false, description: 'For a payment made in a local currency.' },
)

export const MarkPaymentPaid = Type.Object(
  {
    payment_reference: Text('Payment reference: bank transfer, receipt or voucher number.', 200),
    paid_on: DateOnly('Date the money was paid (not in the future).'),
    amount: Type.Optional(
      PositiveMoney(
        'Amount paid in the project currency; defaults to the approved amount. Less than approved (a cheaper invoice) spends what was paid and releases the rest; more is refused.',
      ),
    ),
    local_payment: Type.Optional(LocalPayment),
  },
  {
    $id: 'MarkPaymentPaid',
    additionalProperties: false,
    examples: [
      { payment_reference: 'TRF-2026-0042', paid_on: '2026-12-03' },
      {
        payment_reference: 'RCPT-77812',
        paid_on: '2026-12-03',
        local_payment: { amount: { amount_minor: 88000, currency: 'GEL' }, exchange_rate: '2.934712345678', rate_date: '2026-12-03', rate_source: 'National Bank of Georgia' },
      },
    ],
  },
)

export const PaymentRequestParams = ParentParams('Payment request id.')

export type PaymentRequestRecord = Static<typeof PaymentRequest>
export type PaymentDetailsRecord = Static<typeof PaymentDetails>
export type PaymentRequestListFilter = Static<typeof PaymentRequestListQuery>
export type MarkPaymentPaidInput = Static<typeof MarkPaymentPaid>
export type PaymentAction = (typeof PAYMENT_ACTIONS)[number]
