import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { AllowedActions, CaseRecordParams, CountryCode, CurrencyCode, DateOnly, ListPage, ListQuery, MoneyRef, Nullable, RecordStamps, StringEnum, Text, Timestamp, UpdateBody, Uuid, WhoWhenWhy } from '../../shared/schemas.js'

export const BOOKING_STATUSES = ['active', 'cancelled'] as const
export const ASSISTANCE_STAGES = ['departure', 'transit', 'arrival'] as const
export const ASSISTANCE_SERVICES = ['meet_and_assist', 'wheelchair', 'medical', 'unaccompanied_minor', 'other'] as const
export const ESCORT_KINDS = ['medical', 'other'] as const
export const TICKET_STATUSES = ['requested', 'issued', 'used', 'refunded', 'voided'] as const
export const TICKET_ACTIONS = ['void', 'refund', 'confirm_departure', 'record_no_show', 'confirm_arrival', 'record_carrier_refund'] as const
export const TRAVEL_PAYEE_TYPES = ['carrier', 'supplier'] as const

// ---------------------------------------------------------------- shared pieces

export const AirportCode = (description: string) => Type.String({ pattern: '^[A-Z]{3}$', description, examples: ['VNO'] })

/** RFC 3339 with an explicit offset (Z or ±hh:mm), whole seconds: the schedule as the carrier publishes it. */
export const ScheduledTime = (description: string) =>
  Type.String({
    format: 'date-time',
    pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:Z|[+-]\\d{2}:\\d{2})$',
    description,
    examples: ['2026-12-01T06:35:00+02:00'],
  })

export const PositiveMoney = (description: string) =>
  Type.Object(
    {
      amount_minor: Type.Integer({ minimum: 1, maximum: 1e13, description: 'Amount in integer minor units of the currency (cents for EUR).', examples: [32_450] }),
      currency: CurrencyCode('ISO 4217 currency code: the project\'s currency.'),
    },
    { additionalProperties: false, description },
  )

export const TravelPayee = Type.Object(
  {
    type: StringEnum(TRAVEL_PAYEE_TYPES, { description: '`carrier` (the airline) or `supplier` (a travel agency).' }),
    name: Text('Name of the carrier or agency paid.', 200),
  },
  { $id: 'TravelPayee', additionalProperties: false, description: 'Who is paid.' },
)

export { CaseParams } from '../../shared/schemas.js'
export const BookingParams = CaseRecordParams('booking_id', 'Booking id.')
export const TicketParams = CaseRecordParams('ticket_id', 'Ticket id.')

export const ReasonBody = Type.Object(
  { reason: Text('Why.') },
  { $id: 'TravelReason', additionalProperties: false, description: 'The reason for the action.', examples: [{ reason: 'The flight was cancelled by the carrier' }] },
)

export const OptionalReasonBody = Type.Object(
  { reason: Type.Optional(Text('Why (optional).')) },
  { $id: 'TravelOptionalReason', additionalProperties: false, description: 'An optional reason.', examples: [{ reason: 'Did not come to the airport' }] },
)

// ---------------------------------------------------------------- bookings

const SegmentInput = Type.Object(
  {
    from_airport: AirportCode('IATA code of the departure airport.'),
    to_airport: AirportCode('IATA code of the arrival airport.'),
    carrier: Type.String({ pattern: '^(?:[A-Z]{2}|[A-Z][0-9]|[0-9][A-Z])$', description: 'IATA designator of the operating carrier.', examples: ['LO'] }),
    flight_number: Type.String({ pattern: '^[0-9]{1,4}[A-Z]?$', description: 'Flight number without the carrier designator.', examples: ['772'] }),
    departs_at: ScheduledTime('Scheduled departure, local time with its UTC offset.'),
    arrives_at: ScheduledTime('Scheduled arrival, local time with its UTC offset.'),
  },
  { additionalProperties: false, description: 'One flight of the route.' },
)

const AssistanceInput = Type.Object(
  {
    stage: StringEnum(ASSISTANCE_STAGES, { description: 'Where on the journey: at `departure`, in `transit` or on `arrival`.' }),
    airport: Type.Optional(
      AirportCode('Airport where it is needed; defaults to the first origin (departure), the final destination (arrival) or the only transit point.'),
    ),
    service: StringEnum(ASSISTANCE_SERVICES, { description: 'What is needed.' }),
    member_id: Type.Optional(Nullable(Uuid('The traveller it is for; omitted or null for the whole group.'))),
    notes: Type.Optional(Text('Details for the airport or the partner office.', 500)),
  },
  { additionalProperties: false, description: 'Assistance needed at one point of the journey.' },
)

const EscortInput = Type.Object(
  {
    member_id: Uuid('The traveller escorted.'),
    kind: StringEnum(ESCORT_KINDS, { description: '`medical` (a doctor or nurse) or `other` (e.g. an operations escort).' }),
    escort_name: Text('Who escorts.', 200),
    organisation: Type.Optional(Text('The escort\'s organisation.', 200)),
    notes: Type.Optional(Text('Details.', 500)),
  },
  { additionalProperties: false, description: 'An escort of one traveller.' },
)

const TransitPointInput = Type.Object(
  {
    airport: AirportCode('A transit point of the route: the airport where one segment arrives and the next leaves.'),
    country: CountryCode('The country of that airport, ISO 3166-1 alpha-2.'),
    visa_required: Type.Boolean({ description: 'Whether the travellers need a transit visa there; then each is ticketed only with a visa for the country, issued and valid on the transit dates.' }),
  },
  { additionalProperties: false, description: 'What a transit point asks of the travellers.' },
)

const transitPointsInput = (description: string) => Type.Optional(Type.Array(TransitPointInput, { maxItems: 7, description }))

export const CreateBooking = Type.Object(
  {
    booking_reference: Type.String({ pattern: '^[A-Z0-9]{5,8}$', description: 'Booking reference (PNR) from the carrier or agency.', examples: ['K7QX2M'] }),
    segments: Type.Array(SegmentInput, { minItems: 1, maxItems: 8, description: 'The route, in travel order: each segment leaves from where the previous one arrived.' }),
    assistance: Type.Optional(Type.Array(AssistanceInput, { maxItems: 20, description: 'Assistance needed at departure, in transit and on arrival.' })),
    escorts: Type.Optional(Type.Array(EscortInput, { maxItems: 10, description: 'Escorts, where a traveller needs one.' })),
    transit_points: transitPointsInput('The country of each transit point and whether a transit visa is needed there; transit points left out need none.'),
    notes: Type.Optional(Text('Remarks.')),
  },
  {
    $id: 'CreateBooking',
    additionalProperties: false,
    examples: [
      {
        booking_reference: 'K7QX2M',
        segments: [
          { from_airport: 'VNO', to_airport: 'IST', carrier: 'TK', flight_number: '1424', departs_at: '2026-12-01T06:35:00+02:00', arrives_at: '2026-12-01T10:05:00+03:00' },
          { from_airport: 'IST', to_airport: 'BGW', carrier: 'TK', flight_number: '788', departs_at: '2026-12-01T12:40:00+03:00', arrives_at: '2026-12-01T15:55:00+03:00' },
        ],
        assistance: [{ stage: 'transit', service: 'meet_and_assist', notes: 'First journey by air' }],
        transit_points: [{ airport: 'IST', country: 'TR', visa_required: true }],
      },
    ],
  },
)

export const UpdateBooking = UpdateBody(
  'UpdateBooking',
  {
    assistance: Type.Optional(Type.Array(AssistanceInput, { maxItems: 20, description: 'Replaces the assistance list.' })),
    escorts: Type.Optional(Type.Array(EscortInput, { maxItems: 10, description: 'Replaces the escort list.' })),
    transit_points: transitPointsInput('Replaces what the transit points ask (country, visa_required); tickets already requested are checked again when issued.'),
    notes: Type.Optional(Nullable(Text('Remarks.'))),
  },
  {
    description: 'Assistance, escorts, transit visa requirements and notes; the route is fixed (cancel and book again to change it).',
    examples: [{ escorts: [{ member_id: '0193a0b4-4d5e-7f6a-8b7c-8d9e0f1a2b01', kind: 'medical', escort_name: 'Dr. Rasa Petrauskienė', organisation: 'IOM' }] }],
  },
)

const Segment = Type.Object(
  {
    position: Type.Integer({ description: 'Order in the route, from 1.' }),
    from_airport: Type.String({ description: 'IATA code of the departure airport.' }),
    to_airport: Type.String({ description: 'IATA code of the arrival airport.' }),
    carrier: Type.String({ description: 'IATA carrier designator.' }),
    flight_number: Type.String({ description: 'Flight number.' }),
    departs_at: Type.String({ description: 'Scheduled departure, local time with its UTC offset.' }),
    arrives_at: Type.String({ description: 'Scheduled arrival, local time with its UTC offset.' }),
  },
  { additionalProperties: false, description: 'One flight of the route.' },
)

const TransitPoint = Type.Object(
  {
    airport: Type.String({ description: 'IATA code of the transit airport.' }),
    arrives_at: Type.String({ description: 'Scheduled arrival there (local, with offset).' }),
    departs_at: Type.String({ description: 'Scheduled onward departure (local, with offset).' }),
    connection_minutes: Type.Integer({ description: 'Time between the two.' }),
    country: Nullable(Type.String({ description: 'The country of the airport (ISO 3166-1 alpha-2), when given.' })),
    visa_required: Type.Boolean({ description: 'Whether travellers need a transit visa there (checked when each ticket is requested and issued).' }),
  },
  { additionalProperties: false, description: 'A change of flights.' },
)

const Assistance = Type.Object(
  {
    stage: StringEnum(ASSISTANCE_STAGES, { description: 'Where on the journey.' }),
    airport: Type.String({ description: 'Airport where it is needed.' }),
    service: StringEnum(ASSISTANCE_SERVICES, { description: 'What is needed.' }),
    member_id: Nullable(Type.String({ description: 'The traveller it is for; null for the whole group.' })),
    notes: Nullable(Type.String({ description: 'Details.' })),
  },
  { additionalProperties: false, description: 'Assistance at one point of the journey.' },
)

const Escort = Type.Object(
  {
    member_id: Type.String({ description: 'The traveller escorted.' }),
    kind: StringEnum(ESCORT_KINDS, { description: 'Kind of escort.' }),
    escort_name: Type.String({ description: 'Who escorts.' }),
    organisation: Nullable(Type.String({ description: 'The escort\'s organisation.' })),
    notes: Nullable(Type.String({ description: 'Details.' })),
  },
  { additionalProperties: false, description: 'An escort of one traveller.' },
)

export const Booking = Type.Object(
  {
    id: Uuid('Booking id.'),
    case_id: Uuid('Return case.'),
    booking_reference: Type.String({ description: 'Booking reference (PNR).' }),
    status: StringEnum(BOOKING_STATUSES, { description: '`active`, or `cancelled` (with its reason).' }),
    segments: Type.Array(Segment, { description: 'The route in travel order.' }),
    transit_points: Type.Array(TransitPoint, { description: 'Where the route changes flights (derived from the segments).' }),
    departure_airport: Type.String({ description: 'Where the journey starts.' }),
    arrival_airport: Type.String({ description: 'Where the journey ends.' }),
    travel_starts_at: Type.String({ description: 'First scheduled departure (local, with offset).' }),
    travel_ends_on: DateOnly('Local date of the last scheduled arrival: the date travel documents must be valid through.'),
    assistance: Type.Array(Assistance, { description: 'Assistance needed at departure, in transit and on arrival.' }),
    escorts: Type.Array(Escort, { description: 'Escorts.' }),
    notes: Nullable(Type.String({ description: 'Remarks.' })),
    cancellation: WhoWhenWhy('cancelled_by', 'cancelled_at', 'Who cancelled it.', 'Set once the booking is cancelled.'),
    created_by: Type.String({ description: 'Who recorded it.' }),
    ...RecordStamps('When it was recorded.'),
  },
  { $id: 'Booking', additionalProperties: false, description: 'A booking: the route of a case\'s travellers.' },
)

export const BookingList = ListPage('BookingList', Booking, 'Bookings in the order recorded.')

export const BookingListQuery = ListQuery({ status: Type.Optional(StringEnum(BOOKING_STATUSES, { description: 'Only bookings in this status.' })) })

// ---------------------------------------------------------------- tickets

export const RequestTicket = Type.Object(
  {
    booking_id: Uuid('The booking (of this case) the ticket is on.'),
    member_id: Uuid('The traveller: a household member of this case.'),
    ticket_number: Type.String({ pattern: '^[0-9]{3}-?[0-9]{10}$', description: '13-digit e-ticket number (carrier prefix and serial; a dash after the prefix is accepted and dropped).', examples: ['235-2101234567'] }),
    fare: PositiveMoney('The fare, in the project\'s currency.'),
    payee: Type.Ref(TravelPayee),
  },
  {
    $id: 'RequestTicket',
    additionalProperties: false,
    examples: [{ booking_id: '01933b3e-7000-7c1e-9a35-0a5e3b1f2c4d', member_id: '0193a0b4-4d5e-7f6a-8b7c-8d9e0f1a2b01', ticket_number: '235-2101234567', fare: { amount_minor: 32_450, currency: 'EUR' }, payee: { type: 'supplier', name: 'Baltic Travel Service' } }],
  },
)

export const RecordCarrierRefund = Type.Object(
  {
    amount: PositiveMoney('What the carrier (or agency) paid back, in the project\'s currency; at most what was paid for the ticket.'),
    refunded_on: DateOnly('When the money came back (not in the future).'),
    reference: Text('The carrier\'s or agency\'s refund reference (credit note, bank transfer).', 100),
  },
  {
    $id: 'RecordCarrierRefund',
    additionalProperties: false,
    description: 'A carrier refund of a paid ticket that was ended (cancellation or no-show).',
    examples: [{ amount: { amount_minor: 24_000, currency: 'EUR' }, refunded_on: '2026-12-10', reference: 'TK-RF-7781234' }],
  },
)

export const ConfirmDeparture = Type.Object(
  { departed_at: Timestamp('When the traveller left (boarded), RFC 3339.') },
  { $id: 'ConfirmDeparture', additionalProperties: false, examples: [{ departed_at: '2026-12-01T06:41:00+02:00' }] },
)

export const ConfirmArrival = Type.Object(
  { arrived_at: Timestamp('When the traveller arrived, RFC 3339.') },
  { $id: 'ConfirmArrival', additionalProperties: false, examples: [{ arrived_at: '2026-12-01T16:20:00+03:00' }] },
)

const Recorded = (description: string, timeDescription: string) =>
  Nullable(
    Type.Object(
      { at: Timestamp(timeDescription), recorded_by: Type.String({ description: 'Who recorded it.' }), recorded_at: Timestamp('When it was recorded.') },
      { additionalProperties: false, description },
    ),
  )

export const Ticket = Type.Object(
  {
    id: Uuid('Ticket id.'),
    case_id: Uuid('Return case.'),
    booking_id: Uuid('Booking the ticket is on.'),
    member_id: Uuid('The traveller.'),
    ticket_number: Type.String({ description: '13-digit e-ticket number.' }),
    fare: MoneyRef('The fare, in the project currency.'),
    payee: Type.Ref(TravelPayee),
    status: StringEnum(TICKET_STATUSES, {
      description:
        '`requested` (its payment awaits approval; nothing committed) → `issued` (payment approved, fare committed on the travel line) → ' +
        '`used` (departure confirmed). `requested` | `issued` → `voided` (payment rejected or cancelled, or voided before payment); ' +
        '`issued` → `refunded` (after or instead of payment). Voiding or refunding releases whatever of the fare is committed and unspent.',
    }),
    payment_request_id: Uuid('The payment request (kind `ticket`) that pays the fare.'),
    payment_status: Type.String({ description: 'Status of that payment request.' }),
    travel_on: DateOnly('The booking\'s last arrival date: the date the travel document must be valid through.'),
    travel_document_id: Nullable(Uuid('The travel document checked when the ticket was requested and again when issued.')),
    issued_at: Nullable(Timestamp('When it was issued (its payment approved).')),
    departure: Recorded('Set once departure is confirmed.', 'When the traveller left.'),
    arrival: Recorded('Set once the partner office confirms arrival.', 'When the traveller arrived.'),
    no_show: Nullable(
      Type.Object(
        { recorded_by: Type.String({ description: 'Who recorded it.' }), recorded_at: Timestamp('When it was recorded.') },
        { additionalProperties: false, description: 'Set when the traveller did not board.' },
      ),
    ),
    ended: WhoWhenWhy('by', 'at', 'Who (or which payment decision) ended it.', 'Set once the ticket is voided or refunded.'),
    carrier_refund: Nullable(
      Type.Object(
        {
          amount: MoneyRef('What came back, credited to the budget line the fare was paid from.'),
          refunded_on: DateOnly('When the money came back.'),
          reference: Type.String({ description: 'The carrier\'s or agency\'s refund reference.' }),
          ledger_entry_id: Uuid('The `refund` entry of the ledger that credited the line.'),
          recorded_by: Type.String({ description: 'Who recorded it.' }),
          recorded_at: Timestamp('When it was recorded.'),
        },
        { additionalProperties: false, description: 'Set once a carrier refund of the paid fare is recorded.' },
      ),
    ),
    allowed_actions: AllowedActions(TICKET_ACTIONS, 'Actions allowed now.'),
    requested_by: Type.String({ description: 'Who requested it (the payment\'s maker).' }),
    ...RecordStamps('When it was requested.'),
  },
  { $id: 'Ticket', additionalProperties: false, description: 'One traveller\'s ticket on one booking.' },
)

export const TicketList = ListPage('TicketList', Ticket, 'Tickets in the order requested.')

export const TicketListQuery = ListQuery({
  status: Type.Optional(StringEnum(TICKET_STATUSES, { description: 'Only tickets in this status.' })),
  member_id: Type.Optional(Uuid('Only this traveller\'s tickets.')),
  booking_id: Type.Optional(Uuid('Only tickets on this booking.')),
})

// ---------------------------------------------------------------- no-show and cancellation of a case

export const TravelOutcome = Type.Object(
  {
    case_id: Uuid('Return case.'),
    reference: Type.String({ description: 'Case reference.' }),
    status: Type.String({ description: 'The case\'s new status: `no_show` or `cancelled`.' }),
    version: Type.Integer({ description: 'The case\'s new version (its ETag).' }),
    voided_ticket_ids: Type.Array(Uuid('A ticket.'), { description: 'Tickets voided (their payment was not yet made).' }),
    refunded_ticket_ids: Type.Array(Uuid('A ticket.'), { description: 'Tickets refunded (their payment was made; nothing of them was left to release).' }),
    cancelled_payment_request_ids: Type.Array(Uuid('A payment request.'), { description: 'Payment requests cancelled (tickets, excess baggage, grants and any other live request of the case).' }),
    cancelled_booking_ids: Type.Array(Uuid('A booking.'), { description: 'Bookings cancelled.' }),
    released: Type.Array(
      Type.Object(
        {
          ledger_entry_id: Uuid('The release entry.'),
          budget_line_id: Uuid('Budget line the money went back to.'),
          amount: MoneyRef('Amount released.'),
          source: Type.Object(
            { type: Type.String({ description: 'Kind of cost.' }), id: Uuid('Its id.') },
            { additionalProperties: false, description: 'The cost whose commitment was released.' },
          ),
        },
        { additionalProperties: false, description: 'A commitment given back.' },
      ),
      { description: 'Every commitment released back to its budget line by this action.' },
    ),
  },
  { $id: 'TravelOutcome', additionalProperties: false, description: 'What a no-show or cancellation released, all in one transaction.' },
)

export const travelSchemas: TSchema[] = [TravelPayee, ReasonBody, OptionalReasonBody, CreateBooking, UpdateBooking, Booking, BookingList, RequestTicket, RecordCarrierRefund, ConfirmDeparture, ConfirmArrival, Ticket, TicketList, TravelOutcome]

export type CreateBookingInput = Static<typeof CreateBooking>
export type UpdateBookingInput = Static<typeof UpdateBooking>
export type BookingRecord = Static<typeof Booking>
export type BookingListFilter = Static<typeof BookingListQuery>
export type RequestTicketInput = Static<typeof RequestTicket>
export type RecordCarrierRefundInput = Static<typeof RecordCarrierRefund>
export type TicketRecord = Static<typeof Ticket>
export type TicketListFilter = Static<typeof TicketListQuery>
export type TicketAction = (typeof TICKET_ACTIONS)[number]
export type TravelOutcomeRecord = Static<typeof TravelOutcome>
export type AssistanceInputValue = Static<typeof AssistanceInput>
export type EscortInputValue = Static<typeof EscortInput>
export type SegmentInputValue = Static<typeof SegmentInput>
export type TransitPointInputValue = Static<typeof TransitPointInput>
