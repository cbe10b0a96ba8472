import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { CaseRecordParams, CountryCode, DateOnly, ListPage, ListQuery, Nullable, StringEnum, Text, Uuid } from '../../shared/schemas.js'
import { DocumentNumber, IssuingAuthority, recordedFields, RefusalBody } from './schemas.js'

export const TRANSIT_VISA_STATUSES = ['requested', 'issued', 'refused'] as const
export const TRANSIT_VISA_ACTIONS = ['issue', 'refuse'] as const

export const TransitVisaStatusSchema = StringEnum(TRANSIT_VISA_STATUSES, {
  description: '`requested` (from the embassy or consulate of the transit country) → `issued` (number and validity) | `refused` (reason and date).',
})


export const RequestTransitVisa = Type.Object(
  {
    member_id: Uuid('The traveller: a household member of this case.'),
    transit_country: CountryCode('The country the traveller transits, ISO 3166-1 alpha-2.'),
    issuing_authority: IssuingAuthority('The embassy or consulate the visa is requested from.', 'Embassy of Türkiye in Vilnius'),
    requested_on: DateOnly('When it was requested (not in the future).'),
    notes: Type.Optional(Text('Remarks (masked in the audit trail).')),
  },
  {
    $id: 'RequestTransitVisa',
    additionalProperties: false,
    description: 'A transit visa requested for one traveller and one transit country.',
    examples: [{ member_id: '0193a0b4-4d5e-7f6a-8b7c-8d9e0f1a2b01', transit_country: 'TR', issuing_authority: 'Embassy of Türkiye in Vilnius', requested_on: '2026-11-02' }],
  },
)

export const IssueTransitVisa = Type.Object(
  {
    visa_number: DocumentNumber('The visa number (personal data: masked in the audit trail).', 'TR7712345'),
    issued_on: DateOnly('When it was issued (not before it was requested, not in the future).'),
    valid_from: DateOnly('First day the visa is valid.'),
    valid_until: DateOnly('Last day the visa is valid (valid through this day).'),
    notes: Type.Optional(Text('Remarks (masked in the audit trail).')),
  },
  { $id: 'IssueTransitVisa', additionalProperties: false, examples: [{ visa_number: 'TR7712345', issued_on: '2026-11-20', valid_from: '2026-11-25', valid_until: '2027-02-25' }] },
)

export const RefuseTransitVisa = RefusalBody('RefuseTransitVisa', { reason: 'Onward ticket not yet issued', refused_on: '2026-11-21' })

export const TransitVisa = Type.Object(
  {
    id: Uuid('Transit visa id.'),
    case_id: Uuid('Return case.'),
    member_id: Uuid('The traveller.'),
    transit_country: Type.String({ description: 'The transit country (ISO 3166-1 alpha-2).' }),
    status: TransitVisaStatusSchema,
    issuing_authority: Type.String({ description: 'The embassy or consulate.' }),
    requested_on: DateOnly('When it was requested.'),
    visa_number: Nullable(Type.String({ description: 'The visa number, once issued.' })),
    issued_on: Nullable(DateOnly('When it was issued.')),
    valid_from: Nullable(DateOnly('First day it is valid.')),
    valid_until: Nullable(DateOnly('Last day it is valid.')),
    ...recordedFields(TRANSIT_VISA_ACTIONS),
  },
  { $id: 'TransitVisa', additionalProperties: false, description: 'A transit visa of one traveller for one transit country.' },
)

export const TransitVisaList = ListPage('TransitVisaList', TransitVisa, 'Transit visas in the order requested.')

export const TransitVisaListQuery = ListQuery({
  member_id: Type.Optional(Uuid('Only this traveller\'s visas.')),
  transit_country: Type.Optional(CountryCode('Only visas for this transit country.')),
  status: Type.Optional(TransitVisaStatusSchema),
})

export const TransitVisaParams = CaseRecordParams('visa_id', 'Transit visa id.')

export const transitVisaSchemas: TSchema[] = [RequestTransitVisa, IssueTransitVisa, RefuseTransitVisa, TransitVisa, TransitVisaList]

export type RequestTransitVisaInput = Static<typeof RequestTransitVisa>
export type IssueTransitVisaInput = Static<typeof IssueTransitVisa>
export type RefuseTransitVisaInput = Static<typeof RefuseTransitVisa>
export type TransitVisaRecord = Static<typeof TransitVisa>
export type TransitVisaListFilter = Static<typeof TransitVisaListQuery>
