import { Type, type Static } from '@sinclair/typebox'
import { CountryCode, IF_MATCH_VERSION, ListPage, ListQuery, Nullable, RecordStamps, Text, UpdateBody, Uuid, WhoWhenWhy } from '../../shared/schemas.js'

const Name = Type.String({ minLength: 1, maxLength: 200, description: 'Registered name of the supplier.', examples: ['Kutaisi Stroi LLC'] })
const RegistrationNumber = Type.String({
  pattern: '^[A-Za-z0-9][A-Za-z0-9 ./-]{0,39}$',
  description:
    'Company or tax registration number in the supplier\'s country. Unique per country, compared without case, spaces, dots and dashes ' +
    '(`204-566-978` and `204566978` are the same number).',
  examples: ['204566978'],
})
const Address = Type.String({ minLength: 1, maxLength: 500, description: 'Street address.', examples: ['12 Rustaveli Avenue, Kutaisi'] })

export const SupplierContact = Type.Object(
  {
    person: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Contact person.' })),
    phone: Type.Optional(Type.String({ pattern: '^\\+?[0-9 ()-]{5,30}$', description: 'Phone number, international format preferred.' })),
    email: Type.Optional(Type.String({ format: 'email', maxLength: 200, description: 'E-mail address.' })),
  },
  { $id: 'SupplierContact', additionalProperties: false, minProperties: 1, description: 'How to reach the supplier: at least one of person, phone, e-mail.' },
)

export const SupplierBankDetails = Type.Object(
  {
    account_holder: Type.String({ minLength: 1, maxLength: 200, description: 'Name on the account.' }),
    bank_name: Type.String({ minLength: 1, maxLength: 200, description: 'Bank.' }),
    account_number: Type.String({ pattern: '^[A-Z0-9 ]{5,40}$', description: 'IBAN or local account number (upper-case letters and digits).' }),
    swift_bic: Type.Optional(Type.String({ pattern: '^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$', description: 'SWIFT/BIC of the bank.' })),
  },
  {
    $id: 'SupplierBankDetails',
    additionalProperties: false,
    description: 'Where the supplier is paid. Shown only to finance and to the partner office that registered the supplier.',
  },
)

export const Supplier = Type.Object(
  {
    id: Uuid('Supplier id.'),
    office_id: Uuid('Partner office that registered the supplier (and confirms its deliveries).'),
    country: CountryCode('Country of the supplier: the partner office\'s country.'),
    name: Type.String({ description: 'Registered name.' }),
    registration_number: Type.String({ description: 'Registration number as entered.' }),
    address: Type.String({ description: 'Street address.' }),
    contact: Type.Ref(SupplierContact),
    bank_details: Nullable(Type.Ref(SupplierBankDetails, { description: 'Bank details; null when none are recorded or the caller may not see them (see `bank_details_visible`).' })),
    bank_details_visible: Type.Boolean({
      description: 'Whether the caller may see bank details: finance and the registering partner office may; every other role gets null.',
    }),
    has_bank_details: Type.Boolean({ description: 'Whether bank details are recorded (so the supplier can be paid by transfer).' }),
    active: Type.Boolean({ description: 'Whether new disbursements may pay the supplier (false once deactivated).' }),
    deactivation: WhoWhenWhy('deactivated_by', 'deactivated_at', 'Who deactivated the supplier.', 'Why and by whom the supplier was deactivated; null while it is active.'),
    created_by: Type.String({ description: 'Subject of who registered the supplier.' }),
    ...RecordStamps('When the supplier was registered.', { version: IF_MATCH_VERSION }),
  },
  { $id: 'Supplier', additionalProperties: false, description: 'A supplier of goods or services for in-kind reintegration, registered by a partner office.' },
)

export const CreateSupplier = Type.Object(
  {
    name: Name,
    registration_number: RegistrationNumber,
    address: Address,
    contact: Type.Ref(SupplierContact),
    bank_details: Type.Optional(Nullable(Type.Ref(SupplierBankDetails, { description: 'Where the supplier is paid; null removes them (on update).' }))),
  },
  {
    $id: 'CreateSupplier',
    additionalProperties: false,
    examples: [
      {
        name: 'Kutaisi Stroi LLC',
        registration_number: '204566978',
        address: '12 Rustaveli Avenue, Kutaisi',
        contact: { person: 'Davit Lomidze', phone: '+995 431 240 000' },
        bank_details: { account_holder: 'Kutaisi Stroi LLC', bank_name: 'Bank of Georgia', account_number: 'GE29NB0000000101904917', swift_bic: 'BAGAGE22' },
      },
    ],
  },
)

export const UpdateSupplier = UpdateBody(
  'UpdateSupplier',
  {
    name: Type.Optional(Name),
    registration_number: Type.Optional(RegistrationNumber),
    address: Type.Optional(Address),
    contact: Type.Optional(Type.Ref(SupplierContact)),
    bank_details: Type.Optional(Nullable(Type.Ref(SupplierBankDetails, { description: 'Where the supplier is paid; null removes them (on update).' }))),
  },
  {
    description: 'Fields to change; omitted fields stay as they are. `bank_details` replaces the bank details as a whole (null removes them).',
    examples: [{ address: '3 Tsereteli Street, Kutaisi' }],
  },
)

export const SupplierList = ListPage('SupplierList', Supplier, 'Suppliers on this page, in registration order.')

export const SupplierDeactivation = Type.Object(
  { reason: Text('Why the supplier may no longer be paid (e.g. closed, failed to deliver); kept on the supplier and in the audit trail.', 2000) },
  { $id: 'SupplierDeactivation', additionalProperties: false, examples: [{ reason: 'Closed its business in March 2026.' }] },
)

export const SupplierListQuery = ListQuery({
  active: Type.Optional(Type.Boolean({ description: 'Only active (true) or only deactivated (false) suppliers.' })),
  country: Type.Optional(CountryCode('Only suppliers in this country.')),
  office_id: Type.Optional(Uuid('Only suppliers registered by this partner office.')),
})

export type SupplierRecord = Static<typeof Supplier>
export type CreateSupplierInput = Static<typeof CreateSupplier>
export type UpdateSupplierInput = Static<typeof UpdateSupplier>
export type SupplierListFilter = Static<typeof SupplierListQuery>
export type SupplierDeactivationInput = Static<typeof SupplierDeactivation>
