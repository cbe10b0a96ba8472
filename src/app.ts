import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify'
import type { Kysely } from 'kysely'
import type { Config } from './config.js'
import type { DatabaseKind } from './db/database.js'
import type { DB } from './db/schema.js'
import { eventWebhooks } from './modules/events/index.js'
import { registerModules } from './modules/index.js'
import authPlugin from './plugins/auth.js'
import configPlugin from './plugins/config.js'
import corsPlugin from './plugins/cors.js'
import inputGuardPlugin from './plugins/input-guard.js'
import listExportPlugin from './plugins/list-export.js'
import metricsPlugin from './plugins/metrics.js'
import operationsPlugin, { type Startup } from './plugins/operations.js'
import problemTypesPlugin from './plugins/problem-types.js'
import problemsPlugin, { clientErrorHandler, frameworkErrors, MAX_PARAM_LENGTH } from './plugins/problems.js'
import { schemaCompilers } from './plugins/schema-compilers.js'
import swaggerPlugin, { API_TAGS } from './plugins/swagger.js'
import tracingPlugin, { traceLogFields } from './plugins/tracing.js'
import { isCountryCode, isCurrencyCode } from './shared/iso-codes.js'
import { isApiDate, isApiDateTime } from './shared/calendar-formats.js'
import { newId } from './shared/ids.js'
import { COUNTRY_FORMAT, CURRENCY_FORMAT, sharedSchemas } from './shared/schemas.js'
import { tracingEnabled } from './telemetry.js'

const ISO_FORMATS = {
  [COUNTRY_FORMAT]: { type: 'string' as const, validate: isCountryCode },
  [CURRENCY_FORMAT]: { type: 'string' as const, validate: isCurrencyCode },
}

/** Replace Ajv's date formats (registered after the plugins, so replaced in onCreate). */
const CALENDAR_FORMATS = {
  date: { type: 'string' as const, validate: isApiDate },
  'date-time': { type: 'string' as const, validate: isApiDateTime },
}

interface FormatRegistry {
  addFormat(name: string, format: { type: 'string'; validate: (value: string) => boolean }): unknown
}

function addIsoFormats<T extends FormatRegistry>(ajv: T): T {
  for (const [name, format] of Object.entries(ISO_FORMATS)) ajv.addFormat(name, format)
  return ajv
}

export interface AppOptions {
  config: Config
  db: Kysely<DB>
  databaseKind: DatabaseKind
  /** Checks the database on a connection of its own (Database.ping); by default a query on the pool. */
  ping?: () => Promise<void>
  /** Set while the server waits for the database at start-up (requests get 503 meanwhile). */
  startup?: Startup
  /** A ready pino logger (the server's); otherwise one is made from the configuration. */
  loggerInstance?: FastifyBaseLogger
}

/** Personal fields never reach the logs, whichever object they appear in. */
const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  '*.given_name',
  '*.family_name',
  '*.date_of_birth',
  '*.document_number',
  '*.bank_details',
  '*.email',
  '*.phone',
  '*.address',
  '*.contact.email',
  '*.contact.phone',
  '*.contact.address',
]

export function loggerOptions(config: Config): FastifyServerOptions['logger'] {
  return {
    level: config.LOG_LEVEL,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    // With tracing on, every line of a request carries its trace_id and span_id.
    ...(tracingEnabled() ? { mixin: traceLogFields } : {}),
  }
}

/** Builds the application; never listens (server.ts does). */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { config } = options
  const app = Fastify({
    ...(options.loggerInstance ? { loggerInstance: options.loggerInstance } : { logger: loggerOptions(config) }),
    bodyLimit: config.BODY_LIMIT_BYTES,
    frameworkErrors,
    clientErrorHandler,
    // Requests arriving during shutdown get the 503 problem of the operations plugin instead of Fastify's plain JSON.
    return503OnClosing: false,
    requestIdHeader: 'x-request-id',
    genReqId: () => newId(),
    ajv: {
      customOptions: {
        // Unknown properties are refused (400), not silently dropped: a typo must not pass for a write.
        removeAdditional: false,
        // Report every bad field at once; bodies are bounded by BODY_LIMIT_BYTES.
        allErrors: true,
      },
      plugins: [addIsoFormats],
      onCreate: (ajv) => {
        for (const [name, format] of Object.entries(CALENDAR_FORMATS)) ajv.addFormat(name, format)
      },
    },
    // Path parameters are ids and codes; a longer one is answered 414 (frameworkErrors), not sent on.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: MAX_PARAM_LENGTH },
    serializerOpts: { ajv: { formats: ISO_FORMATS } },
    schemaController: { compilersFactory: schemaCompilers },
  })

  // The API speaks JSON only; any other body type is a 415 problem.
  app.removeContentTypeParser(['text/plain'])

  app.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', request.id)
  })

  await app.register(configPlugin, { config, db: options.db, databaseKind: options.databaseKind })
  await app.register(problemsPlugin)
  await app.register(inputGuardPlugin)
  await app.register(metricsPlugin)
  await app.register(tracingPlugin)
  for (const schema of sharedSchemas) app.addSchema(schema)
  await app.register(swaggerPlugin, { tags: API_TAGS, webhooks: eventWebhooks() })
  // CORS, security headers, rate limits and load shedding apply before authentication, to every response.
  await app.register(corsPlugin)
  await app.register(operationsPlugin, { ping: options.ping, startup: options.startup })
  await app.register(authPlugin)
  await app.register(problemTypesPlugin)
  // After auth, so each list's 200 it documents already carries the shared responses.
  await app.register(listExportPlugin, { pageSize: config.LIST_EXPORT_PAGE_SIZE })

  await registerModules(app)

  await app.ready()
  return app
}
