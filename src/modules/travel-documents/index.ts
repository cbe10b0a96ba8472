/** The public face of travel documents and transit visas: who holds a document (and transit visa) valid for travel, and the writes the seed data goes through. */
export { default as travelDocumentsRoutes } from './routes.js'
export { default as transitVisasRoutes } from './transit-visa-routes.js'
export { assertTransitVisas, type TransitVisaNeed } from './transit-visas.js'
export { transitVisaRecordsOfMember } from './repository.js'
export { assertTravelDocument, issueDocument, recordDocument } from './service.js'
export type { CreateTravelDocumentInput } from './schemas.js'
export { travelDocumentRecordsOfMember } from './repository.js'
export { wireTravelDates, type TravelDates } from './ports.js'
