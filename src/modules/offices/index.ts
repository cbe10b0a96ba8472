/** The public face of offices: the country office and the partner offices in the countries of return. */
export { default as officesRoutes } from './routes.js'
export { createOffice } from './service.js'
export type { OfficeRecord } from './schemas.js'
export { findOfficeByCode } from './repository.js'
export { findOffice, officeCodeAndKind, partnerOfficesIn } from './repository.js'
