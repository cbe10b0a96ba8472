/** The public face of cash grants on arrival. */
export { default as cashGrantsRoutes } from './routes.js'
export { cashGrantPaymentHooks } from './service.js'
export { cashGrantRecordsOfMember } from './repository.js'
