import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import type { Role } from '../../shared/roles.js'
import * as bookings from './bookings.js'
import * as movements from './movements.js'
import * as release from './release.js'
import {
  Booking,
  BookingList,
  BookingListQuery,
  BookingParams,
  CaseParams,
  ConfirmArrival,
  ConfirmDeparture,
  CreateBooking,
  OptionalReasonBody,
  ReasonBody,
  RecordCarrierRefund,
  RequestTicket,
  Ticket,
  TicketList,
  TicketListQuery,
  TicketParams,
  TravelOutcome,
  travelSchemas,
  UpdateBooking,
} from './schemas.js'
import * as tickets from './tickets.js'
import { PROBLEM_RESPONSES, problemResponses } from '../../shared/problems.js'
import { createRoute, listRoute, readRoute, registerCustomMethods, updateRoute } from '../../shared/routes.js'

/** Who may do what (see README "Travel"). */
export const TRAVEL_ROLES = {
  read: ['counsellor', 'operations', 'finance', 'approver', 'protection', 'auditor', 'admin', 'partner'],
  arrange: ['operations'],
  confirmArrival: ['partner'],
  cancelCase: ['counsellor', 'operations', 'admin'],
  recordNoShow: ['operations'],
  recordCarrierRefund: ['finance'],
} as const satisfies Record<string, readonly Role[]>

const CASE_PATH = '/v1/return-cases/:id(^[0-9a-f-]{36})'
const BOOKINGS = `${CASE_PATH}/bookings`
const BOOKING = `${BOOKINGS}/:booking_id(^[0-9a-f-]{36})`
const TICKETS = `${CASE_PATH}/tickets`
const TICKET = `${TICKETS}/:ticket_id(^[0-9a-f-]{36})`

const BOOKING_TAGS = ['bookings']
const TICKET_TAGS = ['tickets']

const IF_MATCH_NOTE = 'If-Match (the resource\'s ETag) is optional.'

const TICKET_ACTION_RESPONSES = {
  200: Type.Ref(Ticket),
  ...problemResponses(400, 404, 409, 412, 422),
}

const OUTCOME_RESPONSES = {
  200: Type.Ref(TravelOutcome),
  ...problemResponses(400, 404, 409, 412, 422),
}

export default async function travelModule(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  for (const schema of travelSchemas) app.addSchema(schema)

  // ------------------------------------------------------------ bookings

  createRoute(app, {
    path: BOOKINGS,
    tags: BOOKING_TAGS,
    roles: TRAVEL_ROLES.arrange,
    operationId: 'createBooking',
    summary: 'Record a booking and its route',
    description:
      'Booking reference and the route as ordered segments (IATA airport codes, carrier, flight number, scheduled departure and arrival as ' +
      'local times with their UTC offsets). Each segment must leave from where the previous one arrived, after it arrived (422 naming the ' +
      'segment); transit points are derived. Assistance at departure, transit and arrival, and escorts (medical or other), name travellers ' +
      'of this case. Needs an approved (or travel-booked) case.',
    params: CaseParams,
    body: CreateBooking,
    resource: Booking,
    run: ({ db, context, params, body }) => bookings.createBooking(db, context, params.id, body),
    location: (booking) => `/v1/return-cases/${booking.case_id}/bookings/${booking.id}`,
  })

  listRoute(app, {
    path: BOOKINGS,
    tags: BOOKING_TAGS,
    roles: TRAVEL_ROLES.read,
    operationId: 'listBookings',
    summary: 'List the bookings of a case',
    description: 'A partner office sees only the cases referred to it (404 otherwise).',
    params: CaseParams,
    query: BookingListQuery,
    list: BookingList,
    run: ({ db, context, params, query }) => bookings.listBookings(db, context.actor, params.id, query),
  })

  readRoute(app, {
    path: BOOKING,
    tags: BOOKING_TAGS,
    roles: TRAVEL_ROLES.read,
    operationId: 'getBooking',
    summary: 'Get a booking',
    params: BookingParams,
    resource: Booking,
    run: ({ db, context, params }) => bookings.getBooking(db, context.actor, params.id, params.booking_id),
  })

  updateRoute(app, {
    path: BOOKING,
    tags: BOOKING_TAGS,
    roles: TRAVEL_ROLES.arrange,
    operationId: 'updateBooking',
    summary: 'Change the assistance, escorts or notes of a booking',
    description: 'Replaces the lists given. The route is fixed: cancel the booking and record a new one to change it. Requires If-Match.',
    params: BookingParams,
    body: UpdateBooking,
    resource: Booking,
    run: ({ db, context, params, expectedVersion, body }) => bookings.updateBooking(db, context, params.id, params.booking_id, expectedVersion, body),
  })

  registerCustomMethods(app, { path: BOOKING, tags: BOOKING_TAGS, params: BookingParams, response: { 200: Type.Ref(Booking), ...problemResponses(400, 404, 409, 412, 422) }, note: IF_MATCH_NOTE }, [
    {
      verb: 'cancel',
      roles: TRAVEL_ROLES.arrange,
      operationId: 'cancelBooking',
      summary: 'Cancel a booking',
      description: 'Cancels an active booking with a reason, once none of its tickets is live (void or refund them first; 409 lists them).',
      body: ReasonBody,
      run: (db, context, params, expected, body) => bookings.cancelBooking(db, context, params.id, params.booking_id, expected, body.reason),
    },
  ])

  // ------------------------------------------------------------ tickets

  createRoute(app, {
    path: TICKETS,
    tags: TICKET_TAGS,
    roles: TRAVEL_ROLES.arrange,
    operationId: 'requestTicket',
    summary: 'Request a ticket for a traveller',
    description:
      'One ticket per traveller per booking (409 `duplicate-resource` for a second live one). The traveller must be a household member of ' +
      'this case (422) and hold a valid document that does not expire before the booking\'s last arrival date (409 ' +
      '`travel-document-required` naming the traveller, the travel date and what is wrong: no document, refused, still requested, or expires ' +
      'on a date before travel). A traveller whose medical needs call for an escort needs a medical escort on the booking (409). At each ' +
      'transit point flagged `visa_required` the traveller needs a transit visa issued and valid on the transit dates (409 ' +
      '`transit-visa-required`); a traveller with medical needs or an escort needs travel insurance covering the journey (409 ' +
      '`travel-insurance-required`). The fare, in ' +
      'the project\'s currency (422 `currency-mismatch`), becomes a payment request (kind `ticket`) on the travel line (else the project\'s ' +
      '`cost_routing` fallback; 409 `no-budget-line-for-cost` with neither): the ticket is ' +
      '`requested` until someone other than the requester approves that payment, which commits the fare and issues the ticket. When every ' +
      'traveller holds an issued ticket the case moves to `travel_booked`.',
    params: CaseParams,
    body: RequestTicket,
    resource: Ticket,
    run: ({ db, context, params, body }) => tickets.requestTicket(db, context, params.id, body),
    location: (ticket) => `/v1/return-cases/${ticket.case_id}/tickets/${ticket.id}`,
  })

  listRoute(app, {
    path: TICKETS,
    tags: TICKET_TAGS,
    roles: TRAVEL_ROLES.read,
    operationId: 'listTickets',
    summary: 'List the tickets of a case',
    description: 'In the order requested, with each ticket\'s payment status. A partner office sees only the cases referred to it (404 otherwise).',
    params: CaseParams,
    query: TicketListQuery,
    list: TicketList,
    run: ({ db, context, params, query }) => tickets.listTickets(db, context.actor, params.id, query),
  })

  readRoute(app, {
    path: TICKET,
    tags: TICKET_TAGS,
    roles: TRAVEL_ROLES.read,
    operationId: 'getTicket',
    summary: 'Get a ticket',
    params: TicketParams,
    resource: Ticket,
    run: ({ db, context, params }) => tickets.getTicket(db, context.actor, params.id, params.ticket_id),
  })

  registerCustomMethods(app, { path: TICKET, tags: TICKET_TAGS, params: TicketParams, response: TICKET_ACTION_RESPONSES, note: IF_MATCH_NOTE }, [
    {
      verb: 'void',
      roles: TRAVEL_ROLES.arrange,
      operationId: 'voidTicket',
      summary: 'Void a ticket that is not yet paid',
      description:
        '`requested` | `issued` → `voided`, with a reason: its payment request is cancelled and what its approval committed is released back to ' +
        'the travel line; live excess-baggage charges on the ticket are cancelled too. A paid ticket is refunded instead (409).',
      body: ReasonBody,
      run: (db, context, params, expected, body) => tickets.voidTicket(db, context, params.id, params.ticket_id, expected, body.reason),
    },
    {
      verb: 'refund',
      roles: TRAVEL_ROLES.arrange,
      operationId: 'refundTicket',
      summary: 'Refund an issued ticket',
      description:
        '`issued` → `refunded`, with a reason. What is still committed of the fare (approved, not paid) is released by cancelling its payment ' +
        'request; what was paid stays spent. Live excess-baggage charges on the ticket are cancelled.',
      body: ReasonBody,
      run: (db, context, params, expected, body) => tickets.refundTicket(db, context, params.id, params.ticket_id, expected, body.reason),
    },
    {
      verb: 'record-carrier-refund',
      roles: TRAVEL_ROLES.recordCarrierRefund,
      operationId: 'recordCarrierRefund',
      summary: 'Record a carrier refund of a paid ticket',
      description:
        'For a paid ticket that was ended by a cancellation or a no-show (`refunded`): the amount the carrier or agency paid back, its date ' +
        'and reference. It is credited to the budget line the fare was paid from with a `refund` ledger entry, which raises what the line has ' +
        'available while the spend stays in the ledger. Never more than was paid for the ticket (409 `refund-exceeds-spend`); one refund per ' +
        'ticket: the same refund again returns the ticket unchanged, another is 409 `duplicate-resource`. A ticket that was never paid has ' +
        'nothing to refund (409 `invalid-transition`).',
      body: RecordCarrierRefund,
      run: (db, context, params, expected, body) => tickets.recordCarrierRefund(db, context, params.id, params.ticket_id, expected, body),
    },
    {
      verb: 'confirm-departure',
      roles: TRAVEL_ROLES.arrange,
      operationId: 'confirmTicketDeparture',
      summary: 'Confirm that a traveller left (country office)',
      description:
        '`issued` → `used`, with the time the traveller left (not in the future). Needs a `travel_booked` case. When no ticket of the case is ' +
        'still requested or issued (every ticketed traveller has left or was recorded as a no-show), the case moves to `departed`.',
      body: ConfirmDeparture,
      run: (db, context, params, expected, body) => movements.confirmDeparture(db, context, params.id, params.ticket_id, expected, body.departed_at),
    },
    {
      verb: 'record-no-show',
      roles: TRAVEL_ROLES.recordNoShow,
      operationId: 'recordTicketNoShow',
      summary: 'Record that a traveller did not board',
      description:
        'For an issued ticket of a `travel_booked` case: the ticket is voided (or refunded when already paid), its unspent commitment released ' +
        'and the traveller\'s live excess-baggage charges cancelled. Once no ticket is still requested or issued, the case moves to `departed` ' +
        'when someone left, or to `no_show` (releasing everything, as `:record-no-show` on the case) when nobody did.',
      body: OptionalReasonBody,
      optionalBody: true,
      run: (db, context, params, expected, body) => movements.recordTicketNoShow(db, context, params.id, params.ticket_id, expected, body.reason),
    },
    {
      verb: 'confirm-arrival',
      roles: TRAVEL_ROLES.confirmArrival,
      operationId: 'confirmTicketArrival',
      summary: 'Confirm that a traveller arrived (partner office)',
      description:
        'Only the partner office the case is referred to, for its own cases (404 for any other case). For a traveller who departed, once the ' +
        'case has `departed`; the time must not be before the departure nor in the future (422). When every departed traveller has arrived, ' +
        'the case moves to `arrived`.',
      body: ConfirmArrival,
      response: { ...TICKET_ACTION_RESPONSES, 403: PROBLEM_RESPONSES[403] },
      run: (db, context, params, expected, body) => movements.confirmArrival(db, context, params.id, params.ticket_id, expected, body.arrived_at),
    },
  ])

  // ------------------------------------------------------------ the case: no-show and cancellation

  registerCustomMethods(app, { path: CASE_PATH, tags: ['return-cases'], params: CaseParams, response: OUTCOME_RESPONSES, note: IF_MATCH_NOTE }, [
    {
      verb: 'cancel',
      roles: TRAVEL_ROLES.cancelCase,
      operationId: 'cancelReturnCase',
      summary: 'Cancel the return, releasing what was committed',
      description:
        '`approved` | `travel_booked` → `cancelled`, with a reason, in one transaction: open tickets are voided (refunded when paid), every ' +
        'live payment request of the case (tickets, excess baggage, grants) is cancelled, every commitment of the case still open is released ' +
        'back to its budget line, and active bookings are cancelled. The answer lists all of it. Refused (409) once a traveller has departed.',
      body: ReasonBody,
      run: (db, context, params, expected, body) => release.cancelCase(db, context, params.id, expected, body.reason),
    },
    {
      verb: 'record-no-show',
      roles: TRAVEL_ROLES.recordNoShow,
      operationId: 'recordReturnCaseNoShow',
      summary: 'Record that nobody of the case came to travel, releasing what was committed',
      description:
        '`approved` | `travel_booked` → `no_show`, in one transaction, releasing as a cancellation does; issued tickets are marked no-show. ' +
        'Refused (409) once a traveller has departed: record the others\' no-shows ticket by ticket.',
      body: OptionalReasonBody,
      optionalBody: true,
      run: (db, context, params, expected, body) => release.recordCaseNoShow(db, context, params.id, expected, body.reason),
    },
  ])
}
