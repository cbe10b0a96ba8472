/**
 * The public face of travel: bookings and tickets, departure and arrival, and releasing what a
 * case's travel committed. Excess baggage builds on its case checks, roles and schemas.
 */
export { default as travelRoutes, TRAVEL_ROLES } from './routes.js'
export { caseForTravelWrite, createBooking } from './bookings.js'
export { lockCaseForRelease } from './locks.js'
export { findTicket } from './repository.js'
export { requestTicket } from './tickets.js'
export { confirmArrival, confirmDeparture, recordTicketNoShow } from './movements.js'
export { CaseParams, PositiveMoney, ReasonBody, TravelPayee, type CreateBookingInput } from './schemas.js'
export { caseHasBookings } from './repository.js'
export { ticketPaymentHooks } from './tickets.js'
export { ticketRecordsOfMember } from './repository.js'
export { wireTicketCharges, type TicketCharges } from './ports.js'
export { travelEndsOn } from './repository.js'
export { departures } from './facts.js'
