/**
 * The public face of events: the feed and webhook routes, the runtime that wakes readers and
 * delivers webhooks, the spec's `webhooks` section, and the retention purge.
 */
export { eventsRoutes, eventsRuntime } from './routes.js'
export { eventWebhooks } from './openapi.js'
export { purgeExpiredEvents } from './retention.js'
