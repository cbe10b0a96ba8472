import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { AllowedActions, CaseRecordParams, CountryCode, DateOnly, ListPage, ListQuery, Nullable, RecordStamps, StringEnum, Text, UpdateBody, Uuid } from '../../shared/schemas.js'

export const DOCUMENT_KINDS = ['national_passport', 'emergency_travel_document', 'other'] as const
/** Statuses as read: `expired` is derived from the expiry date at read time. */
export const DOCUMENT_READ_STATUSES = ['valid', 'requested', 'issued', 'refused', 'expired'] as const
export const DOCUMENT_ACTIONS = ['issue', 'refuse'] as const
export const QUEUE_ATTENTION = ['waiting', 'expiring_before_travel'] as const

export const TravelDocumentKindSchema = StringEnum(DOCUMENT_KINDS, {
  description:
    '`national_passport`; `emergency_travel_document` (laissez-passer, requested from the embassy or consulate of the country of return); ' +
    '`other` (another document accepted for the journey, described in `description`).',
})

export const TravelDocumentStatusSchema = StringEnum(DOCUMENT_READ_STATUSES, {
  description:
    'A passport or other document is recorded `valid`. An emergency travel document is `requested` → `issued` | `refused`. ' +
    'A `valid` or `issued` document whose expiry date has passed reads as `expired` (derived when read, never stored).',
})

/** The number of a document or a visa: upper-case letters and digits, with spaces, `/` and `-` inside. */
export const DocumentNumber = (description: string, example = '13AB45678') =>
  Type.String({ minLength: 3, maxLength: 30, pattern: '^[A-Z0-9](?:[A-Z0-9 /-]*[A-Z0-9])?$', description, examples: [example] })

export const IssuingAuthority = (description: string, example = 'Embassy of Georgia in Vilnius') =>
  Type.String({ minLength: 2, maxLength: 200, description, examples: [example] })

/** The body of `:refuse`, for an emergency travel document or a transit visa: what the embassy or consulate said, and when. */
export const RefusalBody = ($id: string, example: { reason: string; refused_on: string }) =>
  Type.Object(
    {
      reason: Text('Why the embassy or consulate refused (as it said).'),
      refused_on: DateOnly('When the refusal was given.'),
    },
    { $id, additionalProperties: false, examples: [example] },
  )

/** How a travel document and a transit visa end as read: the refusal, remarks, the actions allowed, who recorded it, its version and times. */
export const recordedFields = <const Actions extends readonly string[]>(actions: Actions) => ({
  refused_on: Nullable(DateOnly('When it was refused.')),
  refusal_reason: Nullable(Type.String({ description: 'Why it was refused.' })),
  notes: Nullable(Type.String({ description: 'Remarks.' })),
  allowed_actions: AllowedActions(actions, 'Actions allowed in the current status.'),
  created_by: Type.String({ description: 'Who recorded it.' }),
  ...RecordStamps('When it was recorded.'),
})

const documentFields = {
  description: Text('What the document is; required for kind `other` (e.g. "national identity card").', 200),
  document_number: DocumentNumber('Document number, upper-case letters and digits (personal data: masked in the audit trail). Required for a passport or other document.'),
  issuing_country: CountryCode('Country that issued (or is asked to issue) the document, ISO 3166-1 alpha-2.'),
  issuing_authority: IssuingAuthority('Issuing authority; for an emergency travel document, the embassy or consulate it is requested from (required).'),
  issued_on: DateOnly('Date of issue. Required for a passport or other document.'),
  expires_on: DateOnly('Expiry date (the document is valid through this day). Required for a passport or other document.'),
  requested_on: DateOnly('For an emergency travel document: when it was requested from the embassy or consulate (required).'),
  notes: Text('Remarks (masked in the audit trail).'),
}

export const CreateTravelDocument = Type.Object(
  {
    member_id: Uuid('The traveller: a household member of this case.'),
    kind: TravelDocumentKindSchema,
    description: Type.Optional(documentFields.description),
    document_number: Type.Optional(documentFields.document_number),
    issuing_country: documentFields.issuing_country,
    issuing_authority: Type.Optional(documentFields.issuing_authority),
    issued_on: Type.Optional(documentFields.issued_on),
    expires_on: Type.Optional(documentFields.expires_on),
    requested_on: Type.Optional(documentFields.requested_on),
    notes: Type.Optional(documentFields.notes),
  },
  {
    $id: 'CreateTravelDocument',
    additionalProperties: false,
    description:
      'A passport or other document is recorded `valid` with number, issuing country and dates. An emergency travel document is recorded ' +
      '`requested` with the request date and the embassy or consulate; its number and dates come when it is issued.',
    examples: [
      { member_id: '0193a0b4-4d5e-7f6a-8b7c-8d9e0f1a2b01', kind: 'national_passport', document_number: '13AB45678', issuing_country: 'GE', issued_on: '2019-03-01', expires_on: '2029-02-28' },
      { member_id: '0193a0b4-4d5e-7f6a-8b7c-8d9e0f1a2b01', kind: 'emergency_travel_document', issuing_country: 'GE', issuing_authority: 'Embassy of Georgia in Vilnius', requested_on: '2026-11-02' },
    ],
  },
)

export const UpdateTravelDocument = UpdateBody(
  'UpdateTravelDocument',
  {
    description: Type.Optional(Nullable(documentFields.description)),
    document_number: Type.Optional(documentFields.document_number),
    issuing_country: Type.Optional(documentFields.issuing_country),
    issuing_authority: Type.Optional(Nullable(documentFields.issuing_authority)),
    issued_on: Type.Optional(documentFields.issued_on),
    expires_on: Type.Optional(documentFields.expires_on),
    requested_on: Type.Optional(documentFields.requested_on),
    notes: Type.Optional(Nullable(documentFields.notes)),
  },
  {
    description: 'Corrections; omitted fields stay as they are. The result must still be complete for the document\'s kind and status.',
    examples: [{ expires_on: '2029-03-01' }],
  },
)

export const IssueTravelDocument = Type.Object(
  {
    document_number: documentFields.document_number,
    issued_on: documentFields.issued_on,
    expires_on: documentFields.expires_on,
    issuing_authority: Type.Optional(IssuingAuthority('The embassy or consulate that issued it, when not the one it was requested from.')),
    notes: Type.Optional(documentFields.notes),
  },
  {
    $id: 'IssueTravelDocument',
    additionalProperties: false,
    description: 'The emergency travel document as issued.',
    examples: [{ document_number: 'ETD0042117', issued_on: '2026-11-20', expires_on: '2027-02-20' }],
  },
)

export const RefuseTravelDocument = RefusalBody('RefuseTravelDocument', { reason: 'Nationality could not be confirmed', refused_on: '2026-11-25' })

export const TravelDocument = Type.Object(
  {
    id: Uuid('Travel document id.'),
    case_id: Uuid('Return case.'),
    member_id: Uuid('The traveller (household member).'),
    kind: TravelDocumentKindSchema,
    status: TravelDocumentStatusSchema,
    description: Nullable(Type.String({ description: 'What the document is (kind `other`).' })),
    document_number: Nullable(Type.String({ description: 'Document number; null until an emergency travel document is issued.' })),
    issuing_country: Nullable(Type.String({ description: 'Issuing country (ISO 3166-1 alpha-2).' })),
    issuing_authority: Nullable(Type.String({ description: 'Issuing authority; for an emergency travel document, the embassy or consulate.' })),
    issued_on: Nullable(DateOnly('Date of issue.')),
    expires_on: Nullable(DateOnly('Expiry date (valid through this day).')),
    requested_on: Nullable(DateOnly('When an emergency travel document was requested.')),
    waiting_days: Nullable(
      Type.Integer({ description: 'Emergency travel documents: days from the request to today while `requested`, to the decision once issued or refused.' }),
    ),
    ...recordedFields(DOCUMENT_ACTIONS),
  },
  { $id: 'TravelDocument', additionalProperties: false, description: 'A travel document of one traveller.' },
)

export const TravelDocumentList = ListPage('TravelDocumentList', TravelDocument, 'Documents in the order recorded.')

export const TravelDocumentListQuery = ListQuery({
  member_id: Type.Optional(Uuid('Only the documents of this traveller.')),
  kind: Type.Optional(TravelDocumentKindSchema),
  status: Type.Optional(TravelDocumentStatusSchema),
})

export const TravelDocumentQueueItem = Type.Object(
  {
    document: Type.Ref(TravelDocument),
    case: Type.Object(
      {
        id: Uuid('Return case id.'),
        reference: Type.String({ description: 'Case reference.' }),
        status: Type.String({ description: 'Case status.' }),
        intended_departure_on: Nullable(DateOnly('Intended departure date of the case.')),
      },
      { additionalProperties: false, description: 'The case the document belongs to.' },
    ),
    travel_on: Nullable(DateOnly('The travel date the document is measured against: the end of the latest active booking, else the intended departure date.')),
  },
  { $id: 'TravelDocumentQueueItem', additionalProperties: false, description: 'A document that needs attention, with its case.' },
)

export const TravelDocumentQueue = ListPage(
  'TravelDocumentQueue',
  TravelDocumentQueueItem,
  '`waiting`: oldest request first. `expiring_before_travel`: earliest expiry first.',
)

export const TravelDocumentQueueQuery = ListQuery(
  {
    attention: StringEnum(QUEUE_ATTENTION, {
      description:
        '`waiting`: emergency travel documents still requested. `expiring_before_travel`: held documents (valid, issued or already expired) ' +
        'that expire before the travel date, of travellers who hold no other document valid through it. Only cases not yet departed nor ended.',
    }),
  },
  { page: 'last' },
)

export const DocumentParams = CaseRecordParams('document_id', 'Travel document id.')
export { CaseParams } from '../../shared/schemas.js'

export const travelDocumentSchemas: TSchema[] = [
  CreateTravelDocument,
  UpdateTravelDocument,
  IssueTravelDocument,
  RefuseTravelDocument,
  TravelDocument,
  TravelDocumentList,
  TravelDocumentQueueItem,
  TravelDocumentQueue,
]

export type CreateTravelDocumentInput = Static<typeof CreateTravelDocument>
export type UpdateTravelDocumentInput = Static<typeof UpdateTravelDocument>
export type IssueTravelDocumentInput = Static<typeof IssueTravelDocument>
export type RefuseTravelDocumentInput = Static<typeof RefuseTravelDocument>
export type TravelDocumentRecord = Static<typeof TravelDocument>
export type TravelDocumentListFilter = Static<typeof TravelDocumentListQuery>
export type TravelDocumentQueueFilter = Static<typeof TravelDocumentQueueQuery>
export type TravelDocumentQueueItemRecord = Static<typeof TravelDocumentQueueItem>
export type TravelDocumentReadStatus = (typeof DOCUMENT_READ_STATUSES)[number]
