/**
 * The public face of the Migration Information Centre: its routes, the figures the period reports
 * count (consultations by topic, channel and country of previous residence), and the writes the
 * seed data goes through.
 */
export { default as micRoutes } from './routes.js'
export { consultationFigures, createConsultation, createEnquirer, type ConsultationFigures } from './service.js'
export { CONSULTATION_CHANNELS, CONSULTATION_TOPICS, type CreateMicConsultationInput, type CreateMicEnquirerInput } from './schemas.js'
export { findEnquirerByEmail } from './repository.js'
