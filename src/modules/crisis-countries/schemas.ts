import { Type, type Static } from '@sinclair/typebox'
import { CountryCode, DateOnly, IF_MATCH_VERSION, ListPage, ListQuery, Nullable, RecordStamps, StringEnum, Text, UpdateBody, Uuid } from '../../shared/schemas.js'

export const CRISIS_KINDS = ['war', 'conflict', 'disaster'] as const

export const CrisisKind = StringEnum(CRISIS_KINDS, {
  description: 'Why returns to the country are urgent: `war`, `conflict` (armed conflict or generalised violence) or `disaster` (natural or man-made).',
})

const Source = Text('Where the listing comes from (e.g. a UNHCR position on returns, an OCHA situation report, a programme decision), so it can be checked.', 500)
const Notes = Text('Free-text notes (regions affected, review dates).', 2000)

export const CrisisCountry = Type.Object(
  {
    id: Uuid('Listing id.'),
    country: CountryCode('Country affected (ISO 3166-1 alpha-2).'),
    kind: CrisisKind,
    valid_from: DateOnly('First day the country is listed (inclusive).'),
    valid_to: Nullable(DateOnly('Last day the country is listed (inclusive); null while it is still listed.')),
    source: Type.String({ description: 'Where the listing comes from.' }),
    notes: Nullable(Type.String({ description: 'Free-text notes.' })),
    created_by: Type.String({ description: 'Subject of the administrator who listed it.' }),
    ...RecordStamps('When it was listed.', { version: IF_MATCH_VERSION }),
  },
  {
    $id: 'CrisisCountry',
    additionalProperties: false,
    description:
      'A dated listing of a war-, conflict- or disaster-affected country. Returning there makes a reintegration request urgent: the urgency of an ' +
      'assessment is derived from the listings valid on the assessment date.',
  },
)

export const CreateCrisisCountry = Type.Object(
  {
    country: CountryCode('Country affected (ISO 3166-1 alpha-2).'),
    kind: CrisisKind,
    valid_from: DateOnly('First day the country is listed (inclusive).'),
    valid_to: Type.Optional(Nullable(DateOnly('Last day listed (inclusive); omit or null while the situation lasts.'))),
    source: Source,
    notes: Type.Optional(Nullable(Notes)),
  },
  {
    $id: 'CreateCrisisCountry',
    additionalProperties: false,
    examples: [{ country: 'IQ', kind: 'conflict', valid_from: '2003-03-20', source: 'UNHCR eligibility guidelines for Iraq (programme decision)' }],
  },
)

export const UpdateCrisisCountry = UpdateBody(
  'UpdateCrisisCountry',
  {
    kind: Type.Optional(CrisisKind),
    valid_from: Type.Optional(DateOnly('First day listed (inclusive).')),
    valid_to: Type.Optional(Nullable(DateOnly('Last day listed (inclusive); null while the situation lasts.'))),
    source: Type.Optional(Source),
    notes: Type.Optional(Nullable(Notes)),
  },
  {
    description: 'Fields to change; typically `valid_to` when a situation ends. The country of a listing never changes: list the other country instead.',
    examples: [{ valid_to: '2026-12-31' }],
  },
)

export const CrisisCountryList = ListPage('CrisisCountryList', CrisisCountry, 'Listings on this page, in the order they were created.')

export const CrisisCountryListQuery = ListQuery({
  country: Type.Optional(CountryCode('Only listings of this country.')),
  kind: Type.Optional(CrisisKind),
  on: Type.Optional(DateOnly('Only listings valid on this date.')),
})

export type CrisisCountryRecord = Static<typeof CrisisCountry>
export type CreateCrisisCountryInput = Static<typeof CreateCrisisCountry>
export type UpdateCrisisCountryInput = Static<typeof UpdateCrisisCountry>
export type CrisisCountryListFilter = Static<typeof CrisisCountryListQuery>
