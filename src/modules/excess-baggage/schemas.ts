import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { CaseRecordParams, ListPage, ListQuery, MoneyRef, Nullable, PAID_COST_STATUSES, PaidCostStatus, RecordStamps, Text, Uuid } from '../../shared/schemas.js'
import { PositiveMoney, TravelPayee } from '../travel/index.js'

export const EXCESS_BAGGAGE_STATUSES = PAID_COST_STATUSES

const ExcessBaggageStatusSchema = PaidCostStatus('excess-baggage line')

export const RequestExcessBaggage = Type.Object(
  {
    member_id: Type.Optional(Uuid('The traveller (a household member of this case); may be left out when `ticket_id` is given.')),
    ticket_id: Type.Optional(Uuid('The ticket the baggage travels on (a live ticket of this case); its traveller is the one charged.')),
    kilograms: Type.Integer({ minimum: 1, maximum: 500, description: 'Weight above the allowance, in whole kilograms.', examples: [15] }),
    cost: PositiveMoney('What the carrier charges for it, in the project\'s currency.'),
    reason: Text('Why the excess is needed (e.g. tools for the reintegration plan, medical equipment).', 500),
    payee: Type.Ref(TravelPayee),
  },
  {
    $id: 'RequestExcessBaggage',
    additionalProperties: false,
    description: 'Excess baggage of one traveller, or on one ticket. Give `member_id`, `ticket_id`, or both (then they must match).',
    examples: [{ member_id: '0193a0b4-4d5e-7f6a-8b7c-8d9e0f1a2b01', kilograms: 15, cost: { amount_minor: 12_000, currency: 'EUR' }, reason: 'Tiling tools for the reintegration plan', payee: { type: 'carrier', name: 'Turkish Airlines' } }],
  },
)

export const ExcessBaggage = Type.Object(
  {
    id: Uuid('Excess-baggage charge id.'),
    case_id: Uuid('Return case.'),
    member_id: Uuid('The traveller.'),
    ticket_id: Nullable(Uuid('The ticket it travels on, if given.')),
    kilograms: Type.Integer({ description: 'Weight above the allowance, in kilograms.' }),
    cost: MoneyRef('The cost, in the project currency.'),
    reason: Type.String({ description: 'Why the excess is needed.' }),
    payee: Type.Ref(TravelPayee),
    status: ExcessBaggageStatusSchema,
    payment_request_id: Uuid('The payment request (kind `excess_baggage`) that pays it, separately from the ticket.'),
    requested_by: Type.String({ description: 'Who requested it (the payment\'s maker).' }),
    ...RecordStamps('When it was requested.'),
  },
  { $id: 'ExcessBaggage', additionalProperties: false, description: 'An excess-baggage charge, paid separately from the ticket.' },
)

export const ExcessBaggageList = ListPage('ExcessBaggageList', ExcessBaggage, 'Charges in the order requested.')

export const ExcessBaggageListQuery = ListQuery({
  status: Type.Optional(ExcessBaggageStatusSchema),
  member_id: Type.Optional(Uuid('Only this traveller\'s charges.')),
  ticket_id: Type.Optional(Uuid('Only the charges on this ticket.')),
})

export const ExcessBaggageParams = CaseRecordParams('baggage_id', 'Excess-baggage charge id.')

export const excessBaggageSchemas: TSchema[] = [RequestExcessBaggage, ExcessBaggage, ExcessBaggageList]

export type RequestExcessBaggageInput = Static<typeof RequestExcessBaggage>
export type ExcessBaggageRecord = Static<typeof ExcessBaggage>
export type ExcessBaggageListFilter = Static<typeof ExcessBaggageListQuery>
