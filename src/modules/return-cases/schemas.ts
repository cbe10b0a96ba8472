import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { CaseParams, CaseRecordParams, ConsentGiven, ConsentRecorded, CountryCode, DateOnly, DateRangeFilter, ListPage, ListQuery, Name, Nullable, RecordStamps, StringEnum, Text, TimeRangeFilter, Timestamp, UpdateBody, Uuid } from '../../shared/schemas.js'
import { FAMILY_TYPES } from './household.js'

export const CASE_STATUSES = [
  'draft',
  'submitted',
  'in_counselling',
  'approved',
  'rejected',
  'withdrawn',
  'travel_booked',
  'departed',
  'arrived',
  'in_reintegration',
  'closed',
  'no_show',
  'cancelled',
] as const

export const CASE_ACTIONS = [
  'submit',
  'start_counselling',
  'approve',
  'reject',
  'withdraw',
  'mark_travel_booked',
  'mark_departed',
  'mark_arrived',
  'mark_no_show',
  'cancel',
  'start_reintegration',
  'close',
] as const

export const LEGAL_STATUSES = ['rejected_asylum_seeker', 'asylum_seeker_pending', 'irregular_stay', 'granted_protection', 'other'] as const
export const REFERRAL_SOURCES = ['migration_authority', 'reception_centre', 'ngo', 'self'] as const
export const RELATIONSHIPS = ['principal', 'spouse_partner', 'child', 'parent', 'sibling', 'other_relative', 'legal_guardian'] as const
export const SEXES = ['female', 'male', 'other', 'unknown'] as const
export const VULNERABILITY_CODES = [
  'medical_needs',
  'unaccompanied_or_separated_child',
  'victim_of_trafficking',
  'pregnant',
  'single_parent',
  'large_family',
  'other',
] as const
export const CONSENT_SCOPES = ['return_assistance', 'reintegration_assistance', 'data_sharing_with_partner_office', 'monitoring_and_evaluation'] as const
export const DOCUMENT_TYPES = ['passport', 'national_id', 'birth_certificate', 'residence_permit', 'travel_document', 'other'] as const
export const COUNSELLING_MODES = ['in_person', 'phone', 'video'] as const
export const COUNSELLING_TOPICS = ['return_process', 'travel_documents', 'reintegration_options', 'medical', 'family', 'other'] as const

export type CaseStatusValue = (typeof CASE_STATUSES)[number]
export type VulnerabilityCode = (typeof VULNERABILITY_CODES)[number]

export const CaseStatusSchema = StringEnum(CASE_STATUSES, {
  description:
    'Where the case is in its life: `draft` → `submitted` → `in_counselling` → `approved` | `rejected` | `withdrawn`; ' +
    '`approved` → `travel_booked` → `departed` → `arrived` → `in_reintegration` → `closed`; `no_show` and `cancelled` from the travel states; ' +
    '`closed` (read-only) from `rejected`, `withdrawn`, `no_show`, `cancelled`, `arrived` and `in_reintegration`.',
})
const LegalStatus = StringEnum(LEGAL_STATUSES, {
  description:
    'Legal-status category of the principal applicant: `rejected_asylum_seeker`; `asylum_seeker_pending` (before a final decision); ' +
    '`irregular_stay` (expired visa or residence permit); `granted_protection`; `other`.',
})
const ReferralSource = StringEnum(REFERRAL_SOURCES, { description: 'Who referred the migrant: `migration_authority`, `reception_centre`, `ngo` or `self`.' })
const Relationship = StringEnum(RELATIONSHIPS, {
  description: 'Relationship to the principal applicant; `principal` for the principal applicant (exactly one per case).',
})
const Sex = StringEnum(SEXES, { description: 'Sex as recorded: `female`, `male`, `other` or `unknown`.' })
const VulnerabilityCodeSchema = StringEnum(VULNERABILITY_CODES, {
  description:
    'Coded vulnerability. `unaccompanied_or_separated_child` requires a `legal_guardian` in the household. ' +
    '`victim_of_trafficking` entries are restricted: only `protection` staff and the person who recorded them see them. ' +
    'Elderly (65+) is never recorded: it is derived from the date of birth at the departure date.',
})
const ShownVulnerabilityCode = StringEnum([...VULNERABILITY_CODES, 'restricted'] as const, {
  description: 'Coded vulnerability, or `restricted` when the entry is restricted and the caller may not see it (no detail is then given).',
})
const FamilyTypeSchema = StringEnum(FAMILY_TYPES, {
  description:
    'Derived family type: `individual`, `nuclear_family` (partner and children), `married_couple`, `single_parent_family` (a parent and their children), ' +
    '`single_headed_family` (one adult with children and other dependants), `siblings`, `separated_child_with_guardian`, `other_close_relatives`.',
})
const ConsentScope = StringEnum(CONSENT_SCOPES, { description: 'What the consent covers.' })
const DocumentType = StringEnum(DOCUMENT_TYPES, { description: 'Kind of identity document.' })
const CounsellingMode = StringEnum(COUNSELLING_MODES, { description: 'How the session was held: `in_person`, `phone` or `video`.' })
const CounsellingTopic = StringEnum(COUNSELLING_TOPICS, { description: 'A topic covered in the session.' })
export const CaseActionSchema = StringEnum(CASE_ACTIONS, { description: 'A workflow action on a case.' })

const versionOf = (what: string) => `Version of the ${what}, also sent as the ETag; send it back in If-Match to update.`

// ---------------------------------------------------------------- inputs

export const Consent = ConsentGiven('Consent', {
  scope: ConsentScope,
  scopes: CONSENT_SCOPES,
  givenBy: 'Who gave consent: the principal applicant or, for a child, the legal guardian (name or role).',
  description: 'Consent to data processing; required before the case is submitted.',
})

export const IdentityDocument = Type.Object(
  {
    type: DocumentType,
    number: Type.Optional(Type.String({ minLength: 1, maxLength: 50, description: 'Document number.' })),
    issuing_country: Type.Optional(CountryCode('Issuing country (ISO 3166-1 alpha-2).')),
    expires_on: Type.Optional(DateOnly('Expiry date, if any.')),
  },
  { $id: 'IdentityDocument', additionalProperties: false, description: 'An identity document the person holds.' },
)

export const VulnerabilityInput = Type.Object(
  {
    code: VulnerabilityCodeSchema,
    notes: Type.Optional(Text('Details (medical needs, guardian arrangements, ...).')),
    escort_needed: Type.Optional(Type.Boolean({ description: 'For `medical_needs` only: whether a medical escort is needed for travel.' })),
  },
  {
    $id: 'VulnerabilityInput',
    additionalProperties: false,
    description: 'A coded vulnerability with notes.',
    examples: [{ code: 'medical_needs', notes: 'Insulin-dependent diabetes', escort_needed: false }],
  },
)

export const VulnerabilityUpdate = UpdateBody(
  'VulnerabilityUpdate',
  {
    notes: Type.Optional(Nullable(Text('Details; null clears them.'))),
    escort_needed: Type.Optional(Nullable(Type.Boolean({ description: 'For `medical_needs` only: whether a medical escort is needed.' }))),
  },
  { description: 'Fields to change; the code itself is fixed.' },
)

const memberFields = {
  relationship: Relationship,
  given_name: Name('Given name(s).'),
  family_name: Name('Family name(s).'),
  sex: Sex,
  date_of_birth: Type.Optional(DateOnly('Date of birth (not in the future). Give this or `birth_year`, not both.')),
  birth_year: Type.Optional(Type.Integer({ minimum: 1900, maximum: 2100, description: 'Estimated year of birth when the date is unknown (not in the future).' })),
  nationality: CountryCode('Nationality (ISO 3166-1 alpha-2).'),
  identity_documents: Type.Optional(Type.Array(Type.Ref(IdentityDocument), { maxItems: 10, description: 'Identity documents held.' })),
}

export const MemberInput = Type.Object(
  {
    ...memberFields,
    vulnerabilities: Type.Optional(Type.Array(Type.Ref(VulnerabilityInput), { maxItems: 10, description: 'Vulnerabilities of this person.' })),
  },
  {
    $id: 'MemberInput',
    additionalProperties: false,
    description: 'A person of the household.',
    examples: [
      {
        relationship: 'principal',
        given_name: 'Giorgi',
        family_name: 'Beridze',
        sex: 'male',
        date_of_birth: '1978-03-14',
        nationality: 'GE',
        identity_documents: [{ type: 'passport', number: '09AB12345', issuing_country: 'GE', expires_on: '2027-01-31' }],
        vulnerabilities: [],
      },
    ],
  },
)

export const MemberUpdate = UpdateBody(
  'MemberUpdate',
  {
    relationship: Type.Optional(Relationship),
    given_name: Type.Optional(Name('Given name(s).')),
    family_name: Type.Optional(Name('Family name(s).')),
    sex: Type.Optional(Sex),
    date_of_birth: Type.Optional(Nullable(DateOnly('Date of birth; null when switching to an estimated `birth_year`.'))),
    birth_year: Type.Optional(Nullable(Type.Integer({ minimum: 1900, maximum: 2100, description: 'Estimated year of birth; null when the date is known.' }))),
    nationality: Type.Optional(CountryCode('Nationality (ISO 3166-1 alpha-2).')),
    identity_documents: Type.Optional(Type.Array(Type.Ref(IdentityDocument), { maxItems: 10, description: 'Identity documents held (replaces the list).' })),
  },
  {
    description: 'Fields to change; omitted fields stay as they are. Vulnerabilities are changed through their own endpoints.',
    examples: [{ family_name: 'Beridze-Kapanadze' }],
  },
)

const caseFields = {
  project_id: Uuid('Project funding the return; optional until approval. The project must be active and its period must cover the intended departure date (or today).'),
  legal_status: LegalStatus,
  referral_source: ReferralSource,
  external_reference: Type.String({ minLength: 1, maxLength: 100, description: 'File number in the referring system; unique per office, so a referral system can never create the same case twice.' }),
  country_of_return: CountryCode('Country of return (ISO 3166-1 alpha-2).'),
  place_of_return: Type.String({ minLength: 1, maxLength: 200, description: 'Town or region of return.' }),
  intended_departure_on: DateOnly('Intended departure date; ages are derived on this date.'),
  applied_on: DateOnly(
    'The date the return was applied for (default today; earlier when an office enters an old file, from 2000-01-01, never in the future). The case reference takes its year and the history starts on it; it cannot change afterwards.',
  ),
  notes: Text('Free-text notes.', 4000),
}

export const ClosureReasonSchema = StringEnum(['returned', 'no_show', 'withdrawn', 'rejected', 'other'] as const, {
  description:
    'Why a closed case closed (null while open), recorded by the closure from the status it closed from: `returned` (from arrived or in_reintegration), `no_show`, `withdrawn`, `rejected`, `other` (a cancelled case).',
})

export const CreateReturnCase = Type.Object(
  {
    office_id: Uuid('The country office that handles the case; its code starts the case reference.'),
    project_id: Type.Optional(caseFields.project_id),
    legal_status: caseFields.legal_status,
    referral_source: caseFields.referral_source,
    external_reference: Type.Optional(caseFields.external_reference),
    country_of_return: caseFields.country_of_return,
    place_of_return: Type.Optional(caseFields.place_of_return),
    intended_departure_on: Type.Optional(caseFields.intended_departure_on),
    applied_on: Type.Optional(caseFields.applied_on),
    consent: Type.Optional(Type.Ref(Consent)),
    notes: Type.Optional(caseFields.notes),
    members: Type.Optional(Type.Array(Type.Ref(MemberInput), { maxItems: 30, description: 'The household: at most one `principal`, and the other members with their relationship to the principal.' })),
  },
  {
    $id: 'CreateReturnCase',
    additionalProperties: false,
    description: 'A new return request (created as `draft`).',
    examples: [
      {
        office_id: '0193a0b4-1c2d-7e3f-8a4b-5c6d7e8f9a0b',
        legal_status: 'irregular_stay',
        referral_source: 'self',
        country_of_return: 'GE',
        place_of_return: 'Kutaisi',
        intended_departure_on: '2026-12-15',
        consent: { given_at: '2026-11-20T10:00:00Z', given_by: 'principal applicant', scope: ['return_assistance', 'data_sharing_with_partner_office'] },
        members: [{ relationship: 'principal', given_name: 'Giorgi', family_name: 'Beridze', sex: 'male', date_of_birth: '1978-03-14', nationality: 'GE' }],
      },
    ],
  },
)

export const UpdateReturnCase = UpdateBody(
  'UpdateReturnCase',
  {
    project_id: Type.Optional(Nullable(caseFields.project_id)),
    legal_status: Type.Optional(caseFields.legal_status),
    referral_source: Type.Optional(caseFields.referral_source),
    external_reference: Type.Optional(Nullable(caseFields.external_reference)),
    country_of_return: Type.Optional(caseFields.country_of_return),
    place_of_return: Type.Optional(Nullable(caseFields.place_of_return)),
    intended_departure_on: Type.Optional(Nullable(caseFields.intended_departure_on)),
    consent: Type.Optional(Type.Union([Type.Ref(Consent), Type.Null()], { description: 'Consent to data processing; null removes it (only while draft).' })),
    notes: Type.Optional(Nullable(caseFields.notes)),
  },
  {
    description:
      'Fields to change; omitted fields stay as they are, null clears a field. The project and the country of return can change only before approval; consent cannot be removed once the case is submitted.',
    examples: [{ intended_departure_on: '2026-12-20', place_of_return: 'Batumi' }],
  },
)

export const TransitionRequest = Type.Object(
  { reason: Type.Optional(Text('Why; required to reject, withdraw and close.')) },
  { $id: 'TransitionRequest', additionalProperties: false, description: 'A workflow action, with its reason.', examples: [{ reason: 'The migrant decided to stay with relatives.' }] },
)

export const ApproveRequest = Type.Object(
  {
    reason: Type.Optional(Text('Remarks on the decision.')),
    project_id: Type.Optional(Uuid('Project to fund the return, when not already set on the case.')),
  },
  { $id: 'ApproveRequest', additionalProperties: false, description: 'Approval of return assistance.', examples: [{ project_id: '0193a0b4-2a3b-7c4d-8e5f-6a7b8c9d0e1f' }] },
)

export const ReferRequest = Type.Object(
  { partner_office_id: Uuid('The partner office to refer to: a `partner_office` in the country of return.') },
  { $id: 'ReferRequest', additionalProperties: false, description: 'Referral to a partner office.' },
)

export const CounsellingSessionInput = Type.Object(
  {
    held_on: DateOnly('Date of the session (not in the future).'),
    counsellor: Type.Optional(Name('Who counselled (token subject); defaults to the caller.')),
    mode: CounsellingMode,
    interpreter_language: Type.Optional(Type.String({ pattern: '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$', description: 'Interpreter language (BCP 47 tag, e.g. `ka`, `ar-IQ`), if an interpreter took part.', examples: ['ka'] })),
    topics: Type.Array(CounsellingTopic, { minItems: 1, maxItems: COUNSELLING_TOPICS.length, uniqueItems: true, description: 'Topics covered.' }),
    outcome: Text('Outcome of the session.', 4000),
    next_steps: Type.Optional(Text('Agreed next steps.', 4000)),
  },
  {
    $id: 'CounsellingSessionInput',
    additionalProperties: false,
    description: 'A pre-departure counselling session.',
    examples: [{ held_on: '2026-11-20', mode: 'in_person', interpreter_language: 'ka', topics: ['return_process', 'reintegration_options'], outcome: 'Wants to start a cheese production business.', next_steps: 'Fill in the reintegration request form.' }],
  },
)

export const CounsellingSessionUpdate = UpdateBody(
  'CounsellingSessionUpdate',
  {
    held_on: Type.Optional(DateOnly('Date of the session (not in the future).')),
    counsellor: Type.Optional(Name('Who counselled (token subject).')),
    mode: Type.Optional(CounsellingMode),
    interpreter_language: Type.Optional(Nullable(Type.String({ pattern: '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$', description: 'Interpreter language (BCP 47 tag); null when none.' }))),
    topics: Type.Optional(Type.Array(CounsellingTopic, { minItems: 1, maxItems: COUNSELLING_TOPICS.length, uniqueItems: true, description: 'Topics covered (replaces the list).' })),
    outcome: Type.Optional(Text('Outcome of the session.', 4000)),
    next_steps: Type.Optional(Nullable(Text('Agreed next steps.', 4000))),
  },
  { description: 'Fields to change; omitted fields stay as they are.', examples: [{ next_steps: 'Second session on 2026-11-27.' }] },
)

// ---------------------------------------------------------------- outputs

export const ConsentRecord = ConsentRecorded('ConsentRecord', ConsentScope)

export const Vulnerability = Type.Object(
  {
    id: Uuid('Vulnerability entry id.'),
    member_id: Uuid('The person it concerns.'),
    code: ShownVulnerabilityCode,
    restricted: Type.Boolean({ description: 'True when the entry is restricted and hidden from the caller: every other field but the ids is then null.' }),
    notes: Nullable(Type.String({ description: 'Details.' })),
    escort_needed: Nullable(Type.Boolean({ description: 'For `medical_needs`: whether a medical escort is needed.' })),
    recorded_by: Nullable(Type.String({ description: 'Token subject of who recorded the entry.' })),
    recorded_at: Nullable(Timestamp('When the entry was recorded.')),
    version: Nullable(Type.Integer({ description: 'Version of the entry, also its ETag.' })),
  },
  { $id: 'Vulnerability', additionalProperties: false, description: 'A coded vulnerability of a person, or a restricted entry the caller may not see.' },
)

const memberOutputProperties = {
  id: Uuid('Member id.'),
  case_id: Uuid('The case.'),
  relationship: Relationship,
  is_principal: Type.Boolean({ description: 'Whether this is the principal applicant.' }),
  given_name: Type.String({ description: 'Given name(s).' }),
  family_name: Type.String({ description: 'Family name(s).' }),
  sex: Sex,
  date_of_birth: Nullable(Type.String({ format: 'date', description: 'Date of birth, when known.' })),
  birth_year: Nullable(Type.Integer({ description: 'Estimated year of birth, when the date is unknown.' })),
  nationality: Type.String({ description: 'Nationality (ISO 3166-1 alpha-2).' }),
  identity_documents: Type.Array(Type.Ref(IdentityDocument), { description: 'Identity documents held.' }),
  vulnerabilities: Type.Array(Type.Ref(Vulnerability), { description: 'Vulnerabilities; restricted entries show as `restricted` unless the caller may see them.' }),
  age: Nullable(Type.Integer({ description: 'Derived: age in whole years on the case\'s age reference date (the intended departure date, else today).' })),
  age_is_estimated: Type.Boolean({ description: 'Derived: true when the age comes from an estimated birth year.' }),
  is_child: Type.Boolean({ description: 'Derived: under 18 on the age reference date.' }),
  is_elderly: Type.Boolean({ description: 'Derived: 65 or older on the age reference date.' }),
  ...RecordStamps('When the member was recorded.', { updated: 'When the member was last changed.', version: versionOf('member') }),
}

export const Member = Type.Object(memberOutputProperties, { $id: 'Member', additionalProperties: false, description: 'A person of the household, with derived age flags.' })

export const PossibleDuplicate = Type.Object(
  {
    member_id: Uuid('The member just recorded.'),
    matching_case_id: Uuid('Another open case holding a person with the same names, date of birth and nationality.'),
    matching_case_reference: Type.String({ description: 'Reference of that case.' }),
    matching_case_status: CaseStatusSchema,
    matching_member_id: Uuid('The matching person in that case.'),
  },
  { $id: 'PossibleDuplicate', additionalProperties: false, description: 'A possible duplicate: nothing is merged; the caller decides.' },
)

const PossibleDuplicates = Type.Array(Type.Ref(PossibleDuplicate), {
  description: 'Possible duplicates in other open cases (same normalized names, date of birth and nationality). Never merged: stop and check when this is not empty.',
})

export const MemberCreated = Type.Object(
  { ...memberOutputProperties, possible_duplicates: PossibleDuplicates },
  { $id: 'MemberCreated', additionalProperties: false, description: 'The member recorded, with possible duplicates.' },
)

export const Household = Type.Object(
  {
    size: Type.Integer({ description: 'Derived: number of people in the household.' }),
    family_type: Nullable(FamilyTypeSchema),
    age_reference_date: Type.String({ format: 'date', description: 'Date on which ages are derived: the intended departure date, else today.' }),
    age_reference: StringEnum(['intended_departure', 'today'] as const, { description: 'Whether ages are taken at the intended departure date or today (no date set yet).' }),
    children: Type.Integer({ description: 'Derived: members under 18.' }),
    elderly: Type.Integer({ description: 'Derived: members 65 or older.' }),
  },
  { $id: 'Household', additionalProperties: false, description: 'Derived household figures, never typed by hand.' },
)

const caseOutputProperties = {
  id: Uuid('Case id.'),
  reference: Type.String({ description: 'Human-readable reference, unique per office and year: office code, year, number.', examples: ['VNO-2026-00042'] }),
  office_id: Uuid('The country office handling the case.'),
  partner_office_id: Nullable(Uuid('The partner office the case is referred to, if any.')),
  referred_at: Nullable(Timestamp('When the case was referred.')),
  project_id: Nullable(Uuid('Project funding the return.')),
  status: CaseStatusSchema,
  legal_status: LegalStatus,
  referral_source: ReferralSource,
  external_reference: Nullable(Type.String({ description: 'File number in the referring system.' })),
  country_of_return: Type.String({ description: 'Country of return (ISO 3166-1 alpha-2).' }),
  place_of_return: Nullable(Type.String({ description: 'Town or region of return.' })),
  intended_departure_on: Nullable(Type.String({ format: 'date', description: 'Intended departure date.' })),
  consent: Type.Union([Type.Ref(ConsentRecord), Type.Null()], { description: 'Consent to data processing, once recorded (required before submission).' }),
  notes: Nullable(Type.String({ description: 'Free-text notes.' })),
  household: Type.Ref(Household),
  members: Type.Array(Type.Ref(Member), { description: 'The household, in the order recorded.' }),
  allowed_actions: Type.Array(CaseActionSchema, { description: 'Workflow actions the current status allows (some are driven by the travel and reintegration endpoints).' }),
  created_by: Type.String({ description: 'Token subject of who created the case (who may not approve it).' }),
  ...RecordStamps('When the case was created.', { updated: 'When the case was last changed.', version: versionOf('case') }),
  closed_at: Nullable(Timestamp('When the case was closed.')),
  applied_on: Type.String({ format: 'date', description: 'The date the return was applied for; the year of the reference.' }),
  closure_reason: Nullable(ClosureReasonSchema),
}

export const ReturnCase = Type.Object(caseOutputProperties, { $id: 'ReturnCase', additionalProperties: false, description: 'A return case with its household.', examples: [{"id": "0193a0b4-3c4d-7e5f-8a6b-7c8d9e0f1a2b", "reference": "VNO-2026-00001", "office_id": "0193a0b4-1c2d-7e3f-8a4b-5c6d7e8f9a0b", "partner_office_id": null, "referred_at": null, "project_id": null, "status": "draft", "legal_status": "irregular_stay", "referral_source": "self", "external_reference": null, "country_of_return": "GE", "place_of_return": "Kutaisi", "intended_departure_on": "2027-01-01", "consent": {"given_at": "2026-01-10T10:00:00.000Z", "given_by": "principal applicant", "scope": ["return_assistance"], "recorded_by": "carla"}, "notes": null, "household": {"size": 1, "family_type": "individual", "age_reference_date": "2027-01-01", "age_reference": "intended_departure", "children": 0, "elderly": 0}, "members": [{"id": "01a23575-39c8-7558-8cb5-eb3b442370a3", "case_id": "0193a0b4-3c4d-7e5f-8a6b-7c8d9e0f1a2b", "relationship": "principal", "is_principal": true, "given_name": "Giorgi", "family_name": "Beridze", "sex": "male", "date_of_birth": "1978-03-14", "birth_year": null, "nationality": "GE", "identity_documents": [], "vulnerabilities": [], "age": 48, "age_is_estimated": false, "is_child": false, "is_elderly": false, "version": 1, "created_at": "2026-11-20T09:15:24.645Z", "updated_at": "2026-11-20T09:15:24.645Z"}], "allowed_actions": ["submit", "withdraw"], "created_by": "carla", "version": 1, "created_at": "2026-11-20T09:15:24.645Z", "updated_at": "2026-11-20T09:15:24.645Z", "closed_at": null, "applied_on": "2026-11-20", "closure_reason": null}] })

export const ReturnCaseCreated = Type.Object(
  { ...caseOutputProperties, possible_duplicates: PossibleDuplicates },
  { $id: 'ReturnCaseCreated', additionalProperties: false, description: 'The case created, with possible duplicates of its members.' },
)

export const ReturnCaseSummary = Type.Object(
  {
    id: Uuid('Case id.'),
    reference: Type.String({ description: 'Case reference.' }),
    status: CaseStatusSchema,
    office_id: Uuid('The country office.'),
    partner_office_id: Nullable(Uuid('The partner office referred to.')),
    project_id: Nullable(Uuid('The project.')),
    country_of_return: Type.String({ description: 'Country of return.' }),
    intended_departure_on: Nullable(Type.String({ format: 'date', description: 'Intended departure date.' })),
    principal: Nullable(
      Type.Object(
        {
          member_id: Uuid('Member id of the principal applicant.'),
          given_name: Type.String({ description: 'Given name(s).' }),
          family_name: Type.String({ description: 'Family name(s).' }),
          nationality: Type.String({ description: 'Nationality.' }),
        },
        { additionalProperties: false, description: 'The principal applicant, once recorded.' },
      ),
    ),
    household_size: Type.Integer({ description: 'Derived: number of people.' }),
    family_type: Nullable(FamilyTypeSchema),
    vulnerability_codes: Type.Array(ShownVulnerabilityCode, { description: 'Distinct vulnerability codes in the household (`restricted` for entries the caller may not see).' }),
    created_at: Timestamp('When the case was created.'),
    updated_at: Timestamp('When the case was last changed.'),
  },
  { $id: 'ReturnCaseSummary', additionalProperties: false, description: 'A case in a list.' },
)

export const ReturnCaseList = ListPage('ReturnCaseList', ReturnCaseSummary, 'Cases on this page, newest first.')

export const MemberList = ListPage('MemberList', Member, 'Members on this page, in the order recorded.')

export const CounsellingSession = Type.Object(
  {
    id: Uuid('Session id.'),
    case_id: Uuid('The case.'),
    held_on: Type.String({ format: 'date', description: 'Date of the session.' }),
    counsellor: Type.String({ description: 'Who counselled.' }),
    mode: CounsellingMode,
    interpreter_language: Nullable(Type.String({ description: 'Interpreter language, if any.' })),
    topics: Type.Array(CounsellingTopic, { description: 'Topics covered.' }),
    outcome: Type.String({ description: 'Outcome.' }),
    next_steps: Nullable(Type.String({ description: 'Agreed next steps.' })),
    created_by: Type.String({ description: 'Token subject of who recorded the session.' }),
    ...RecordStamps('When the session was recorded.', { updated: 'When the session record was last changed.', version: versionOf('session') }),
  },
  { $id: 'CounsellingSession', additionalProperties: false, description: 'A pre-departure counselling session.' },
)

export const CounsellingSessionList = ListPage('CounsellingSessionList', CounsellingSession, 'Sessions in the order recorded.')

export const StatusHistoryEntry = Type.Object(
  {
    id: Type.Integer({ description: 'Position in the history (increasing).' }),
    action: Type.String({ description: 'The action (`create` for the creation of the case).' }),
    from_status: Nullable(CaseStatusSchema),
    to_status: CaseStatusSchema,
    reason: Nullable(Type.String({ description: 'Why, when given.' })),
    actor: Type.Object(
      { sub: Type.String({ description: 'Token subject.' }), roles: Type.Array(Type.String(), { description: 'Roles held.' }) },
      { additionalProperties: false, description: 'Who acted.' },
    ),
    occurred_at: Timestamp('When.'),
  },
  { $id: 'StatusHistoryEntry', additionalProperties: false, description: 'One change of status: who, when, from, to, why.' },
)

export const StatusHistory = ListPage('StatusHistory', StatusHistoryEntry, 'Entries, oldest first.')

// ---------------------------------------------------------------- queries and params

export const ReturnCaseListQuery = ListQuery({
  status: Type.Optional(CaseStatusSchema),
  office_id: Type.Optional(Uuid('Only cases of this country office.')),
  partner_office_id: Type.Optional(Uuid('Only cases referred to this partner office.')),
  country_of_return: Type.Optional(CountryCode('Only cases returning to this country.')),
  nationality: Type.Optional(CountryCode('Only cases with a member of this nationality.')),
  vulnerability: Type.Optional(
    StringEnum([...VULNERABILITY_CODES, 'elderly', 'restricted'] as const, {
      description:
        'Only cases with a member with this vulnerability; `elderly` is derived (65+ at the departure date); `restricted` matches the restricted entries the caller sees as `restricted`.',
    }),
  ),
  ...TimeRangeFilter('created_from', 'created_to', 'cases created'),
  ...DateRangeFilter('departure_from', 'departure_to', 'cases with an intended departure'),
  q: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 200,
      description: 'Free text on the reference and the members\' names, case- and accent-insensitive; each word matches the start of a name or reference part.',
      examples: ['beridze'],
    }),
  ),
})

export const CaseIdParams = CaseParams
export const MemberParams = CaseRecordParams('member_id', 'Member id.')
export const VulnerabilityParams = Type.Object({ ...MemberParams.properties, vulnerability_id: Uuid('Vulnerability entry id.') })
export const SessionParams = CaseRecordParams('session_id', 'Counselling session id.')
export { PageQuery } from '../../shared/schemas.js'

export const returnCaseSchemas: TSchema[] = [
  Consent,
  ConsentRecord,
  IdentityDocument,
  VulnerabilityInput,
  VulnerabilityUpdate,
  Vulnerability,
  MemberInput,
  MemberUpdate,
  Member,
  PossibleDuplicate,
  MemberCreated,
  MemberList,
  Household,
  CreateReturnCase,
  UpdateReturnCase,
  TransitionRequest,
  ApproveRequest,
  ReferRequest,
  ReturnCase,
  ReturnCaseCreated,
  ReturnCaseSummary,
  ReturnCaseList,
  CounsellingSessionInput,
  CounsellingSessionUpdate,
  CounsellingSession,
  CounsellingSessionList,
  StatusHistoryEntry,
  StatusHistory,
]

export type CreateReturnCaseInput = Static<typeof CreateReturnCase>
export type UpdateReturnCaseInput = Static<typeof UpdateReturnCase>
export type MemberInputValue = Static<typeof MemberInput>
export type MemberUpdateInput = Static<typeof MemberUpdate>
export type VulnerabilityInputValue = Static<typeof VulnerabilityInput>
export type VulnerabilityUpdateInput = Static<typeof VulnerabilityUpdate>
export type ConsentInput = Static<typeof Consent>
export type IdentityDocumentValue = Static<typeof IdentityDocument>
export type VulnerabilityRecord = Static<typeof Vulnerability>
export type MemberRecord = Static<typeof Member>
export type PossibleDuplicateRecord = Static<typeof PossibleDuplicate>
export type ReturnCaseRecord = Static<typeof ReturnCase>
export type ReturnCaseSummaryRecord = Static<typeof ReturnCaseSummary>
export type ReturnCaseListFilter = Static<typeof ReturnCaseListQuery>
export type CounsellingSessionInputValue = Static<typeof CounsellingSessionInput>
export type CounsellingSessionUpdateInput = Static<typeof CounsellingSessionUpdate>
export type CounsellingSessionRecord = Static<typeof CounsellingSession>
export type StatusHistoryEntryRecord = Static<typeof StatusHistoryEntry>
