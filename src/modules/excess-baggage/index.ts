/** The public face of excess baggage, paid separately from the ticket. */
export { default as excessBaggageRoutes } from './routes.js'
export { requestExcessBaggage } from './service.js'
export { excessBaggagePaymentHooks } from './service.js'
export { excessBaggageRecordsOfMember } from './repository.js'
export { liveChargesOnTicket } from './service.js'
