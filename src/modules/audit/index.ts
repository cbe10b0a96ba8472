/** The public face of the audit trail's read side (entries are written through shared/audit.ts). */
export { default as auditRoutes } from './routes.js'
