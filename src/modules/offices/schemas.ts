import { Type, type Static } from '@sinclair/typebox'
import { CountryCode, IF_MATCH_VERSION, ListPage, ListQuery, RecordStamps, StringEnum, Uuid } from '../../shared/schemas.js'

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
    ...RecordStamps('When the office was registered.', { updated: 'When the office was last changed.', version: IF_MATCH_VERSION }),
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

export const OfficeList = ListPage('OfficeList', Office, 'Offices on this page, ordered by creation.')

export const OfficeListQuery = ListQuery({
  kind: Type.Optional(OfficeKind),
  country: Type.Optional(CountryCode('Only offices in this country.')),
})

export type OfficeRecord = Static<typeof Office>
export type CreateOfficeInput = Static<typeof CreateOffice>
export type UpdateOfficeInput = Static<typeof UpdateOffice>
export type OfficeListFilter = Static<typeof OfficeListQuery>
