/**
 * The public face of travel: bookings and tickets, departure and arrival, and releasing what a
 * case's travel committed. Excess baggage and travel arrangements build on its case checks, roles
 * and schemas.
 */
export { default as travelRoutes, TRAVEL_ROLES } from './routes.js'
export { caseForTravelWrite, createBooking } from './bookings.js'
export { findTicket } from './repository.js'
export { requestTicket } from './tickets.js'
export { confirmArrival, confirmDeparture, recordTicketNoShow } from './movements.js'
export { CaseParams, PositiveMoney, ReasonBody, TravelPayee, type CreateBookingInput } from './schemas.js'
export { caseHasBookings } from './repository.js'
export { ticketPaymentHooks } from './tickets.js'
export { ticketRecordsOfMember } from './repository.js'
export { wireTicketCharges, wireTravelCover, type TicketCharges, type TravelCover } from './ports.js'
export { travelEndsOn } from './repository.js'
export { departures } from './facts.js'
