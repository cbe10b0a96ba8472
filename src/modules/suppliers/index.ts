/** The public face of suppliers: the businesses partner offices register and pay for in-kind reintegration. */
export { default as suppliersRoutes } from './routes.js'
export { findSupplierRow, registrationKey } from './repository.js'
export { createSupplier } from './service.js'
export type { CreateSupplierInput } from './schemas.js'
export { findByRegistration } from './repository.js'
export { supplierNames } from './repository.js'
