import { Type, type Static } from '@sinclair/typebox'
import { ChildParams, ConsentGiven, ConsentRecorded, CountryCode, DateOnly, DateRangeFilter, ListPage, ListQuery, Name, Nullable, ParentParams, RecordStamps, StringEnum, Text, UpdateBody, Uuid } from '../../shared/schemas.js'

export const CONSULTATION_CHANNELS = ['in_person', 'phone', 'email', 'online'] as const
/** The topics the centre advises on (the seeds' list, with employment). */
export const CONSULTATION_TOPICS = ['social_security', 'education', 'health_insurance', 'family_members_not_nationals', 'employment', 'other'] as const
export const MIC_CONSENT_SCOPES = ['information_and_advice', 'referral_to_institutions', 'follow_up_contact', 'statistics'] as const
export const HOUSEHOLD_RELATIONSHIPS = ['spouse_partner', 'child', 'parent', 'sibling', 'other_relative'] as const
export const MAX_HOUSEHOLD_MEMBERS = 30
export const MAX_REFERRALS = 20
/** The follow-up queue looks at most a year ahead. */
export const MAX_DUE_WITHIN_DAYS = 365

export type ConsultationChannel = (typeof CONSULTATION_CHANNELS)[number]
export type ConsultationTopic = (typeof CONSULTATION_TOPICS)[number]

const Channel = StringEnum(CONSULTATION_CHANNELS, { description: 'How the consultation was held: `in_person`, `phone`, `email` or `online` (video call, chat, web form).' })
const Topic = StringEnum(CONSULTATION_TOPICS, {
  description: 'A topic of the consultation: `social_security`, `education`, `health_insurance`, `family_members_not_nationals` (arriving family members who are not nationals), `employment`, `other`.',
})
const ConsentScope = StringEnum(MIC_CONSENT_SCOPES, {
  description:
    'What the consent covers: `information_and_advice` (the consultations themselves), `referral_to_institutions`, `follow_up_contact` (the centre may contact the person again), `statistics` (anonymous counts).',
})
const Relationship = StringEnum(HOUSEHOLD_RELATIONSHIPS, { description: 'Relationship to the enquirer.' })
const versionOf = (what: string) => `Version of the ${what}, also sent as the ETag; send it back in If-Match to change it.`

// ---------------------------------------------------------------- enquirers

export const MicConsent = ConsentGiven('MicConsent', {
  scope: ConsentScope,
  scopes: MIC_CONSENT_SCOPES,
  givenBy: 'Who gave consent: the enquirer, or their representative (name or role).',
  description: 'Consent to data processing, recorded before anything else about the person is kept.',
})

export const MicConsentRecord = ConsentRecorded('MicConsentRecord', ConsentScope)

export const MicContact = Type.Object(
  {
    email: Type.Optional(Nullable(Type.String({ format: 'email', maxLength: 254, description: 'E-mail address.', examples: ['ona.petraitiene@example.org'] }))),
    phone: Type.Optional(
      Nullable(Type.String({ minLength: 4, maxLength: 40, description: 'Phone number in international form (`+` and country code); stored in E.164 (`+442079460958`).', examples: ['+44 20 7946 0958'] })),
    ),
    address: Type.Optional(Nullable(Text('Postal address, as the person gives it.', 500))),
  },
  {
    $id: 'MicContact',
    additionalProperties: false,
    description: 'How to reach the person: at least one of e-mail, phone or address. Omitted fields stay as they are on an update; null clears one.',
  },
)

export const MicContactRecord = Type.Object(
  {
    email: Nullable(Type.String({ description: 'E-mail address.' })),
    phone: Nullable(Type.String({ description: 'Phone number (E.164).' })),
    address: Nullable(Type.String({ description: 'Postal address.' })),
  },
  { $id: 'MicContactRecord', additionalProperties: false, description: 'How to reach the person.' },
)

export const MicHouseholdMember = Type.Object(
  {
    given_name: Type.Optional(Nullable(Name('Given name.'))),
    family_name: Type.Optional(Nullable(Name('Family name.'))),
    relationship: Relationship,
    nationality: CountryCode('Nationality (ISO 3166-1 alpha-2): the member is not a national of the country the enquirer returns to.'),
    date_of_birth: Type.Optional(Nullable(DateOnly('Date of birth, when known (not in the future).'))),
  },
  { $id: 'MicHouseholdMember', additionalProperties: false, description: 'A member of the household who is not a national, with their nationality.' },
)

export const MicHouseholdMemberRecord = Type.Object(
  {
    given_name: Nullable(Type.String({ description: 'Given name, when given.' })),
    family_name: Nullable(Type.String({ description: 'Family name, when given.' })),
    relationship: Relationship,
    nationality: Type.String({ description: 'Nationality (ISO 3166-1 alpha-2).' }),
    date_of_birth: Nullable(Type.String({ format: 'date', description: 'Date of birth, when known.' })),
  },
  { $id: 'MicHouseholdMemberRecord', additionalProperties: false, description: 'A member of the household who is not a national.' },
)

const enquirerFields = {
  given_name: Name('Given name of the enquirer.'),
  family_name: Name('Family name of the enquirer.'),
  residence_country: CountryCode('Country the enquirer lives in now (ISO 3166-1 alpha-2).'),
  planned_return_on: Type.Optional(Nullable(DateOnly('Planned date of return home, if any.'))),
  household: Type.Optional(
    Type.Array(Type.Ref(MicHouseholdMember), { maxItems: MAX_HOUSEHOLD_MEMBERS, description: 'Household members who are not nationals, with their nationality (replaces the list on an update).' }),
  ),
  notes: Type.Optional(Nullable(Text('Notes on the enquirer.', 4000))),
}

export const CreateMicEnquirer = Type.Object(
  { ...enquirerFields, contact: Type.Ref(MicContact), consent: Type.Ref(MicConsent) },
  {
    $id: 'CreateMicEnquirer',
    additionalProperties: false,
    description: 'A national who returns home or thinks about it. Consent and at least one way of contact are required.',
    examples: [
      {
        given_name: 'Ona',
        family_name: 'Petraitienė',
        contact: { email: 'ona.petraitiene@example.org', phone: '+44 20 7946 0958' },
        residence_country: 'GB',
        planned_return_on: '2027-06-30',
        household: [{ given_name: 'James', family_name: 'Smith', relationship: 'spouse_partner', nationality: 'GB' }],
        consent: { given_at: '2026-11-20T10:00:00Z', given_by: 'enquirer', scope: ['information_and_advice', 'follow_up_contact'] },
      },
    ],
  },
)

export const UpdateMicEnquirer = UpdateBody(
  'UpdateMicEnquirer',
  {
    given_name: Type.Optional(enquirerFields.given_name),
    family_name: Type.Optional(enquirerFields.family_name),
    residence_country: Type.Optional(enquirerFields.residence_country),
    planned_return_on: enquirerFields.planned_return_on,
    household: enquirerFields.household,
    notes: enquirerFields.notes,
    contact: Type.Optional(Type.Ref(MicContact)),
    consent: Type.Optional(Type.Ref(MicConsent)),
  },
  {
    description: 'Fields to change; omitted fields stay as they are, null clears a field. A new consent replaces the recorded one; the person must stay reachable.',
    examples: [{ planned_return_on: '2027-08-15', contact: { phone: null, email: 'ona@example.org' } }],
  },
)

export const MicEnquirer = Type.Object(
  {
    id: Uuid('Enquirer id.'),
    given_name: Type.String({ description: 'Given name.' }),
    family_name: Type.String({ description: 'Family name.' }),
    contact: Type.Ref(MicContactRecord),
    residence_country: Type.String({ description: 'Country the enquirer lives in now (ISO 3166-1 alpha-2).' }),
    planned_return_on: Nullable(Type.String({ format: 'date', description: 'Planned date of return, if any.' })),
    household: Type.Array(Type.Ref(MicHouseholdMemberRecord), { description: 'Household members who are not nationals.' }),
    consent: Type.Ref(MicConsentRecord),
    notes: Nullable(Type.String({ description: 'Notes.' })),
    created_by: Type.String({ description: 'Token subject of who registered the enquirer.' }),
    ...RecordStamps('When the enquirer was registered.', { updated: 'When the enquirer was last changed.', version: versionOf('enquirer') }),
  },
  { $id: 'MicEnquirer', additionalProperties: false, description: 'A person the Migration Information Centre advises.' },
)

export const MicEnquirerList = ListPage('MicEnquirerList', MicEnquirer, 'Enquirers on this page, in the order registered.')

export const MicEnquirerListQuery = ListQuery({
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Words that must each start a word of the name (case- and accent-insensitive).' })),
  residence_country: Type.Optional(CountryCode('Only enquirers living in this country.')),
  household_nationality: Type.Optional(CountryCode('Only enquirers with a household member of this nationality.')),
  ...DateRangeFilter('planned_return_from', 'planned_return_to', 'enquirers planning to return'),
})

// ---------------------------------------------------------------- consultations

export const MicReferral = Type.Object(
  {
    institution: Name('The institution or organization the person was referred to.'),
    purpose: Text('What for: the question the institution answers, or the service it gives.', 1000),
    referred_on: DateOnly('Date of the referral: not before the consultation, not in the future.'),
  },
  {
    $id: 'MicReferral',
    additionalProperties: false,
    description: 'A referral to an institution.',
    examples: [{ institution: 'State Social Insurance Fund Board (Sodra)', purpose: 'Recognition of social insurance periods worked in the UK', referred_on: '2026-11-20' }],
  },
)

const consultationFields = {
  held_on: DateOnly('Date of the consultation (not in the future).'),
  channel: Channel,
  topics: Type.Array(Topic, { minItems: 1, maxItems: CONSULTATION_TOPICS.length, uniqueItems: true, description: 'Topics of the consultation (replaces the list on an update).' }),
  question: Text('What the person asked.', 8000),
  information_given: Text('The information given.', 8000),
  referrals: Type.Optional(Type.Array(Type.Ref(MicReferral), { maxItems: MAX_REFERRALS, description: 'Referrals to institutions (replaces the list on an update).' })),
  follow_up_on: Type.Optional(Nullable(DateOnly('When the centre follows up (not before the consultation); null when no follow-up is planned.'))),
  counsellor: Type.Optional(Name('Who advised; defaults to the caller.')),
}

export const CreateMicConsultation = Type.Object(consultationFields, {
  $id: 'CreateMicConsultation',
  additionalProperties: false,
  description: 'A dated consultation.',
  examples: [
    {
      held_on: '2026-11-20',
      channel: 'online',
      topics: ['social_security', 'family_members_not_nationals'],
      question: 'Will my UK pension periods count in Lithuania, and can my husband get a residence permit?',
      information_given: 'Explained the coordination of social security in the EU and the temporary residence permit for family reunification.',
      referrals: [{ institution: 'Migration Department', purpose: 'Residence permit for the spouse', referred_on: '2026-11-20' }],
      follow_up_on: '2026-12-04',
    },
  ],
})

export const UpdateMicConsultation = UpdateBody(
  'UpdateMicConsultation',
  {
    held_on: Type.Optional(consultationFields.held_on),
    channel: Type.Optional(consultationFields.channel),
    topics: Type.Optional(consultationFields.topics),
    question: Type.Optional(consultationFields.question),
    information_given: Type.Optional(consultationFields.information_given),
    referrals: consultationFields.referrals,
    follow_up_on: consultationFields.follow_up_on,
    counsellor: consultationFields.counsellor,
    follow_up_done_on: Type.Optional(Nullable(DateOnly('When the follow-up was done (not before the consultation, not in the future); takes it off the queue. Null reopens it.'))),
  },
  {
    description: 'Fields to change; omitted fields stay as they are, null clears a field.',
    examples: [{ follow_up_done_on: '2026-12-04' }],
  },
)

export const MicConsultation = Type.Object(
  {
    id: Uuid('Consultation id.'),
    enquirer_id: Uuid('The enquirer advised.'),
    held_on: Type.String({ format: 'date', description: 'Date of the consultation.' }),
    channel: Channel,
    topics: Type.Array(Topic, { description: 'Topics of the consultation.' }),
    question: Type.String({ description: 'What the person asked.' }),
    information_given: Type.String({ description: 'The information given.' }),
    referrals: Type.Array(Type.Ref(MicReferral), { description: 'Referrals to institutions.' }),
    follow_up_on: Nullable(Type.String({ format: 'date', description: 'When the centre follows up, if planned.' })),
    follow_up_done_on: Nullable(Type.String({ format: 'date', description: 'When the follow-up was done.' })),
    residence_country: Type.String({ description: 'Where the enquirer lived when consulted (the country of previous residence in the period reports).' }),
    counsellor: Type.String({ description: 'Who advised.' }),
    created_by: Type.String({ description: 'Token subject of who recorded the consultation.' }),
    ...RecordStamps('When the consultation was recorded.', { updated: 'When the consultation was last changed.', version: versionOf('consultation') }),
  },
  { $id: 'MicConsultation', additionalProperties: false, description: 'A consultation of the Migration Information Centre.' },
)

export const MicConsultationList = ListPage('MicConsultationList', MicConsultation, 'Consultations on this page, in the order recorded.')

export const MicConsultationListQuery = ListQuery({
  topic: Type.Optional(Topic),
  channel: Type.Optional(Channel),
  ...DateRangeFilter('held_from', 'held_to', 'consultations held'),
})

// ---------------------------------------------------------------- follow-up queue

export const FOLLOW_UP_STATES = ['overdue', 'due'] as const

export const MicFollowUp = Type.Object(
  {
    consultation_id: Uuid('The consultation that planned the follow-up.'),
    enquirer_id: Uuid('The enquirer to follow up with.'),
    given_name: Type.String({ description: 'Given name of the enquirer.' }),
    family_name: Type.String({ description: 'Family name of the enquirer.' }),
    held_on: Type.String({ format: 'date', description: 'Date of the consultation.' }),
    topics: Type.Array(Topic, { description: 'Topics of the consultation.' }),
    counsellor: Type.String({ description: 'Who advised.' }),
    follow_up_on: Type.String({ format: 'date', description: 'When the follow-up is due.' }),
    state: StringEnum(FOLLOW_UP_STATES, { description: '`overdue`: the date has passed; `due`: today or within the window.' }),
    days_until_due: Type.Integer({ description: 'Days from today to the due date; negative when overdue.' }),
  },
  { $id: 'MicFollowUp', additionalProperties: false, description: 'A follow-up due, not yet done.' },
)

export const MicFollowUpList = ListPage('MicFollowUpList', MicFollowUp, 'Follow-ups on this page, the earliest due first.')

export const MicFollowUpQuery = ListQuery({
  due_within: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_DUE_WITHIN_DAYS, default: 7, description: 'Also list follow-ups due within this many days from today (0-365, default 7); overdue ones are always listed.' })),
  counsellor: Type.Optional(Name('Only follow-ups of consultations by this counsellor.')),
})

export const EnquirerIdParams = ParentParams('Enquirer id.')
export const ConsultationParams = ChildParams('Enquirer id.', 'consultation_id', 'Consultation id.')

export type CreateMicEnquirerInput = Static<typeof CreateMicEnquirer>
export type UpdateMicEnquirerInput = Static<typeof UpdateMicEnquirer>
export type MicEnquirerRecord = Static<typeof MicEnquirer>
export type MicEnquirerListFilter = Static<typeof MicEnquirerListQuery>
export type MicHouseholdMemberInput = Static<typeof MicHouseholdMember>
export type MicConsentInput = Static<typeof MicConsent>
export type MicContactInput = Static<typeof MicContact>
export type CreateMicConsultationInput = Static<typeof CreateMicConsultation>
export type UpdateMicConsultationInput = Static<typeof UpdateMicConsultation>
export type MicConsultationRecord = Static<typeof MicConsultation>
export type MicConsultationListFilter = Static<typeof MicConsultationListQuery>
export type MicFollowUpRecord = Static<typeof MicFollowUp>
export type MicFollowUpFilter = Static<typeof MicFollowUpQuery>
