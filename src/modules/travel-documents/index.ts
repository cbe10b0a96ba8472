/** The public face of travel documents: who holds a document valid for travel, and the writes the seed data goes through. */
export { default as travelDocumentsRoutes } from './routes.js'
export { assertTravelDocument, issueDocument, recordDocument } from './service.js'
export type { CreateTravelDocumentInput } from './schemas.js'
export { travelDocumentRecordsOfMember } from './repository.js'
export { wireTravelDates, type TravelDates } from './ports.js'
