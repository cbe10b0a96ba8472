import { Type, type Static } from '@sinclair/typebox'
import { DateOnly, ListPage, ListQuery, Nullable, RecordStamps, StringEnum, Text, Timestamp, Uuid } from '../../shared/schemas.js'

export const CONTACT_DEADLINE_STATUSES = ['awaiting_contact', 'contacted', 'lapsed'] as const
export const CONTACT_CHANNELS = ['in_person', 'phone', 'email', 'online', 'other'] as const

const ContactDeadlineStatus = StringEnum(CONTACT_DEADLINE_STATUSES, {
  description:
    '`awaiting_contact` (from arrival) → `contacted` (the partner office recorded the first contact; suppliers may be paid) | `lapsed` ' +
    '(past due without contact, lapsed by an approver: the reintegration commitments are released).',
})
const ContactChannel = StringEnum(CONTACT_CHANNELS, { description: 'How the returnee got in touch: `in_person`, `phone`, `email`, `online` or `other`.' })

export const ContactDeadline = Type.Object(
  {
    case_id: Uuid('Return case id.'),
    reference: Type.String({ description: 'The case reference.' }),
    partner_office_id: Nullable(Uuid('The partner office the case is referred to, which records the contact.')),
    project_id: Uuid('The project whose contact period applies.'),
    arrived_on: DateOnly('The day the case arrived (the calendar day at the place of arrival of the arrival that completed it).'),
    contact_period: Type.Object(
      {
        months: Type.Integer({ description: 'Calendar months.' }),
        days: Type.Integer({ description: 'Days after the months.' }),
      },
      { additionalProperties: false, description: 'The project\'s contact period in force on the arrival day.' },
    ),
    contact_due_on: DateOnly('The last day for the first contact: the arrival day plus the contact period (31 January + 1 month = the last day of February).'),
    status: ContactDeadlineStatus,
    overdue: Type.Boolean({ description: 'True while awaiting contact after the due day.' }),
    days_until_due: Type.Integer({ description: 'Days from today (UTC) to the due day; negative when past it.' }),
    first_contact: Nullable(
      Type.Object(
        {
          contacted_on: Nullable(DateOnly('The day of the first contact (null for cases already in reintegration before contacts were recorded).')),
          channel: Nullable(ContactChannel),
          late: Type.Boolean({ description: 'The contact came after the due day (before any lapse).' }),
          recorded_by: Type.String({ description: 'Who recorded it.' }),
          recorded_at: Timestamp('When it was recorded.'),
        },
        { additionalProperties: false, description: 'The first contact, once recorded.' },
      ),
    ),
    lapse: Nullable(
      Type.Object(
        {
          reason: Type.String({ description: 'Why the assistance lapsed.' }),
          lapsed_by: Type.String({ description: 'The approver who lapsed it.' }),
          lapsed_at: Timestamp('When.'),
        },
        { additionalProperties: false, description: 'The lapse, once decided.' },
      ),
    ),
    ...RecordStamps('When the deadline was set (the arrival was confirmed).'),
  },
  {
    $id: 'ContactDeadline',
    additionalProperties: false,
    description: 'The deadline of an arrived case for the returnee\'s first contact with the partner office in the country of origin.',
  },
)

export const ContactDeadlineList = ListPage('ContactDeadlineList', ContactDeadline, 'Deadlines awaiting contact, the earliest due first.')

export const ContactDeadlineQuery = ListQuery(
  {
    due_within: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 366, default: 7, description: 'Cases due within this many days from today (UTC), and every overdue one (default 7).' }),
    ),
    partner_office_id: Type.Optional(Uuid('Only the cases referred to this partner office (a partner office always sees only its own).')),
  },
  { page: 'last' },
)

export const RecordContact = Type.Object(
  {
    contacted_on: DateOnly('The day the returnee got in touch: not before the arrival day, not in the future.'),
    channel: ContactChannel,
  },
  { $id: 'RecordContact', additionalProperties: false, examples: [{ contacted_on: '2026-12-01', channel: 'in_person' }] },
)

export const LapseContactDeadline = Type.Object(
  { reason: Text('Why the assistance lapses; kept in the audit trail.', 2000) },
  { $id: 'LapseContactDeadline', additionalProperties: false, examples: [{ reason: 'No contact within one month of arrival; phone and e-mail unanswered.' }] },
)

export const contactSchemas = [ContactDeadline, ContactDeadlineList, RecordContact, LapseContactDeadline]

export type ContactDeadlineRecord = Static<typeof ContactDeadline>
export type ContactDeadlineFilter = Static<typeof ContactDeadlineQuery>
export type RecordContactInput = Static<typeof RecordContact>
