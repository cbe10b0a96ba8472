import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { CaseRecordParams, DateOnly, ListPage, ListQuery, MoneyRef, Name, Nullable, PAID_COST_STATUSES, PaidCostStatus, RecordStamps, Text, Uuid } from '../../shared/schemas.js'
import { PositiveMoney } from '../travel/index.js'

export const ARRANGEMENT_STATUSES = PAID_COST_STATUSES

const Payee = Name

const arrangementFields = {
  payment_request_id: Uuid('The payment request that pays it (maker-checker approval commits the cost).'),
  notes: Nullable(Type.String({ description: 'Remarks.' })),
  requested_by: Type.String({ description: 'Who requested it (the payment\'s maker).' }),
  ...RecordStamps('When it was requested.'),
}

// ---------------------------------------------------------------- travel insurance

export const RequestTravelInsurance = Type.Object(
  {
    member_id: Uuid('The insured traveller: a household member of this case.'),
    insurer: Text('The insurance company.', 200),
    policy_number: Type.String({ minLength: 3, maxLength: 40, pattern: '^[A-Za-z0-9](?:[A-Za-z0-9 /.-]*[A-Za-z0-9])?$', description: 'The policy number (masked in the audit trail).', examples: ['ERV-2026-118734'] }),
    cover_from: DateOnly('First day of cover.'),
    cover_until: DateOnly('Last day of cover (covered through this day).'),
    premium: PositiveMoney('The premium, in the project\'s currency.'),
    payee: Type.Optional(Payee('Who is paid the premium; defaults to the insurer.')),
    notes: Type.Optional(Text('Remarks (masked in the audit trail: they may describe a medical condition).')),
  },
  {
    $id: 'RequestTravelInsurance',
    additionalProperties: false,
    description: 'A traveller\'s travel insurance for the journey.',
    examples: [{ member_id: '0193a0b4-4d5e-7f6a-8b7c-8d9e0f1a2b01', insurer: 'ERGO Insurance', policy_number: 'ERV-2026-118734', cover_from: '2026-12-01', cover_until: '2026-12-03', premium: { amount_minor: 2_500, currency: 'EUR' } }],
  },
)

export const TravelInsurance = Type.Object(
  {
    id: Uuid('Travel insurance id.'),
    case_id: Uuid('Return case.'),
    member_id: Uuid('The insured traveller.'),
    insurer: Type.String({ description: 'The insurance company.' }),
    policy_number: Type.String({ description: 'The policy number.' }),
    cover_from: DateOnly('First day of cover.'),
    cover_until: DateOnly('Last day of cover.'),
    premium: MoneyRef('The premium, in the project currency.'),
    payee_name: Type.String({ description: 'Who is paid the premium.' }),
    status: PaidCostStatus('project\'s insurance line (or the line its cost routing names)'),
    ...arrangementFields,
  },
  { $id: 'TravelInsurance', additionalProperties: false, description: 'A traveller\'s travel insurance, paid as its own cost.' },
)

export const TravelInsuranceList = ListPage('TravelInsuranceList', TravelInsurance, 'Policies in the order requested.')

export const TravelInsuranceListQuery = ListQuery({ member_id: Type.Optional(Uuid('Only this traveller\'s policies.')), status: Type.Optional(PaidCostStatus('line')) })

export const TravelInsuranceParams = CaseRecordParams('insurance_id', 'Travel insurance id.')

// ---------------------------------------------------------------- accommodation before departure

export const RequestAccommodation = Type.Object(
  {
    place_name: Text('Where the travellers stay (hotel, hostel, reception centre).', 200),
    address: Type.Optional(Text('Its address.', 500)),
    check_in_on: DateOnly('The first night.'),
    check_out_on: DateOnly('The day they leave (after the last night); at least one night after check-in.'),
    guests: Type.Integer({ minimum: 1, maximum: 50, description: 'How many people stay.', examples: [2] }),
    cost: PositiveMoney('What the stay costs, in the project\'s currency.'),
    payee: Type.Optional(Payee('Who is paid; defaults to the place.')),
    notes: Type.Optional(Text('Remarks (masked in the audit trail).')),
  },
  {
    $id: 'RequestAccommodation',
    additionalProperties: false,
    description: 'Nights before departure at a named place, for the case\'s travellers.',
    examples: [{ place_name: 'Hotel Ibis Vilnius Centre', check_in_on: '2026-11-30', check_out_on: '2026-12-01', guests: 2, cost: { amount_minor: 8_900, currency: 'EUR' } }],
  },
)

export const Accommodation = Type.Object(
  {
    id: Uuid('Accommodation id.'),
    case_id: Uuid('Return case.'),
    place_name: Type.String({ description: 'Where they stay.' }),
    address: Nullable(Type.String({ description: 'Its address.' })),
    check_in_on: DateOnly('The first night.'),
    check_out_on: DateOnly('The day they leave.'),
    nights: Type.Integer({ description: 'Nights from check-in to check-out.' }),
    guests: Type.Integer({ description: 'How many people stay.' }),
    cost: MoneyRef('The cost, in the project currency.'),
    payee_name: Type.String({ description: 'Who is paid.' }),
    status: PaidCostStatus('project\'s accommodation line (or the line its cost routing names)'),
    ...arrangementFields,
  },
  { $id: 'Accommodation', additionalProperties: false, description: 'Accommodation before departure, paid as its own cost.' },
)

export const AccommodationList = ListPage('AccommodationList', Accommodation, 'Stays in the order requested.')

export const AccommodationListQuery = ListQuery({ status: Type.Optional(PaidCostStatus('line')) })

export const AccommodationParams = CaseRecordParams('accommodation_id', 'Accommodation id.')

export const travelArrangementSchemas: TSchema[] = [RequestTravelInsurance, TravelInsurance, TravelInsuranceList, RequestAccommodation, Accommodation, AccommodationList]

export type RequestTravelInsuranceInput = Static<typeof RequestTravelInsurance>
export type TravelInsuranceRecord = Static<typeof TravelInsurance>
export type TravelInsuranceListFilter = Static<typeof TravelInsuranceListQuery>
export type RequestAccommodationInput = Static<typeof RequestAccommodation>
export type AccommodationRecord = Static<typeof Accommodation>
export type AccommodationListFilter = Static<typeof AccommodationListQuery>
