/**
 * The public face of travel arrangements beyond the ticket: a traveller's travel insurance and
 * accommodation before departure, each a cost paid through its own payment request. It answers
 * travel's travel-cover port (which policy covers a traveller's journey).
 */
export { default as travelArrangementsRoutes } from './routes.js'
export { requestAccommodation, requestTravelInsurance, accommodationPaymentHooks, travelInsurancePaymentHooks } from './service.js'
export { policyCovering, travelInsuranceRecordsOfMember } from './repository.js'
