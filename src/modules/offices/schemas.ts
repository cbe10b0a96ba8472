import { Type, type Static } from '@sinclair/typebox'
import { CountryCode, StringEnum, NextCursor, PaginationQuery, Timestamp, Uuid } from '../../shared/schemas.js'

export const OfficeKind = StringEnum(['country_office', 'partner_office'], {
  description: '`country_office`: the office running the programme; `partner_office`: receives returnees in a country of origin.',
})

const officeFields = {
  code: Type.String({ pattern: '^[A-Z0-9]{2,8}$', description: 'Short office code used in case references (e.g. `VNO` in `VNO-2026-00042`). Unique.', examples: ['VNO'] }),
  name: Type.String({ minLength: 1, maxLength: 200, description: 'Office name.', examples: ['IOM Vilnius'] }),
  country: CountryCode('Country of the office (ISO 3166-1 alpha-2). A partner office covers returns to this country.'),
  kind: OfficeKind,
}

export const Office = Type.Object(
  {
    id: Uuid('Office id.'),
    ...officeFields,
    version: Type.Integer({ description: 'Version, also sent as the ETag; send it back in If-Match to update.' }),
    created_at: Timestamp('When the office was registered.'),
    updated_at: Timestamp('When the office was last changed.'),
  },
  { $id: 'Office', additionalProperties: false, description: 'An office of the programme.', examples: [{"id": "0193a0b4-1c2d-7e3f-8a4b-5c6d7e8f9a0b", "code": "VNO", "name": "IOM Vilnius", "country": "LT", "kind": "country_office", "version": 1, "created_at": "2026-11-20T09:15:23.473Z", "updated_at": "2026-11-20T09:15:23.473Z"}] },
)

export const CreateOffice = Type.Object(officeFields, {
  $id: 'CreateOffice',
  additionalProperties: false,
  examples: [{ code: 'TBS', name: 'IOM Tbilisi', country: 'GE', kind: 'partner_office' }],
})

export const UpdateOffice = Type.Partial(Type.Object(officeFields), {
  $id: 'UpdateOffice',
  additionalProperties: false,
  minProperties: 1,
  description: 'Fields to change; omitted fields stay as they are.',
  examples: [{ name: 'IOM Mission in Georgia' }],
})

export const OfficeList = Type.Object(
  { items: Type.Array(Type.Ref(Office), { description: 'Offices on this page, ordered by creation.' }), next_cursor: NextCursor },
  { $id: 'OfficeList', additionalProperties: false },
)

export const OfficeListQuery = Type.Object(
  {
    ...PaginationQuery,
    kind: Type.Optional(OfficeKind),
    country: Type.Optional(CountryCode('Only offices in this country.')),
  },
  { additionalProperties: false },
)

export type OfficeRecord = Static<typeof Office>
export type CreateOfficeInput = Static<typeof CreateOffice>
export type UpdateOfficeInput = Static<typeof UpdateOffice>
export type OfficeListFilter = Static<typeof OfficeListQuery>
