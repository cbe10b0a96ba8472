import { Type, type Static } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'

const Port = Type.Integer({ minimum: 0, maximum: 65535 })
const ORIGIN = String.raw`https?://[^\s/,]+`
const DURATION = String.raw`\d+(\.\d+)?(ms|s|m|h)`

export const ConfigSchema = Type.Object({
  NODE_ENV: Type.Union([Type.Literal('development'), Type.Literal('production'), Type.Literal('test')], { default: 'development' }),
  HOST: Type.String({ default: '127.0.0.1', minLength: 1 }),
  PORT: Type.Number({ ...Port, default: 3000 }),
  PUBLIC_URL: Type.Optional(Type.String({ format: 'uri' })),
  LOG_LEVEL: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)), { default: 'info' }),
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  DATABASE_POOL_SIZE: Type.Integer({ minimum: 1, maximum: 200, default: 10 }),
  DATABASE_CONNECT_TIMEOUT_S: Type.Integer({ minimum: 0, maximum: 3600, default: 60 }),
  DATABASE_STATEMENT_TIMEOUT_MS: Type.Integer({ minimum: 0, default: 30_000 }),
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: Type.Integer({ minimum: 0, default: 60_000 }),
  DATABASE_ACQUIRE_TIMEOUT_MS: Type.Integer({ minimum: 0, default: 10_000 }),
  DATA_DIR: Type.String({ default: './data', minLength: 1 }),
  MIGRATE_ON_START: Type.Boolean({ default: true }),
  AUTH_MODE: Type.Union([Type.Literal('local'), Type.Literal('jwks')], { default: 'local' }),
  JWT_SECRET: Type.Optional(Type.String({ minLength: 32 })),
  JWT_ISSUER: Type.String({ default: 'avrr-local', minLength: 1 }),
  JWT_AUDIENCE: Type.String({ default: 'avrr-api', minLength: 1 }),
  JWKS_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  IDEMPOTENCY_TTL_HOURS: Type.Integer({ minimum: 1, maximum: 24 * 30, default: 24 }),
  BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, default: 1_048_576 }),
  RATE_LIMIT_MAX: Type.Integer({ minimum: 1, default: 600 }),
  RATE_LIMIT_WINDOW_MS: Type.Integer({ minimum: 1000, default: 60_000 }),
  RATE_LIMIT_STORE: Type.Union([Type.Literal('memory'), Type.Literal('redis'), Type.Literal('postgres')], { default: 'memory' }),
  RATE_LIMIT_REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://' })),
  CORS_ORIGINS: Type.Optional(Type.String({ pattern: `^\\s*${ORIGIN}(\\s*,\\s*${ORIGIN})*\\s*$` })),
  MAX_EVENT_LOOP_DELAY_MS: Type.Integer({ minimum: 0, default: 1000 }),
  EVENT_LOOP_WARM_UP_MS: Type.Integer({ minimum: 0, default: 10_000 }),
  HEALTH_CHECK_INTERVAL_MS: Type.Integer({ minimum: 100, default: 5000 }),
  SHUTDOWN_GRACE_MS: Type.Integer({ minimum: 0, default: 10_000 }),
  METRICS_TOKEN: Type.Optional(Type.String({ minLength: 16 })),
  CONTACT_REMINDER_INTERVAL_MS: Type.Integer({ minimum: 0, default: 15 * 60_000 }),
  CONTACT_DUE_SOON_DAYS: Type.Integer({ minimum: 1, maximum: 60, default: 7 }),
  EVENT_RETENTION_DAYS: Type.Integer({ minimum: 1, maximum: 3650, default: 90 }),
  WEBHOOK_DELIVERY_ENABLED: Type.Boolean({ default: true }),
  WEBHOOK_CONCURRENCY: Type.Integer({ minimum: 1, maximum: 1000, default: 32 }),
  WEBHOOK_CONCURRENCY_PER_SUBSCRIPTION: Type.Integer({ minimum: 1, maximum: 1000, default: 8 }),
  WEBHOOK_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 60_000, default: 10_000 }),
  WEBHOOK_RETRY_SCHEDULE: Type.String({ pattern: `^\\s*${DURATION}(\\s*,\\s*${DURATION})*\\s*$`, default: '5s,30s,2m,10m,30m,1h,2h,4h,8h,8h' }),
  WEBHOOK_DISABLE_AFTER_HOURS: Type.Integer({ minimum: 1, default: 120 }),
  WEBHOOK_POLL_INTERVAL_MS: Type.Integer({ minimum: 10, maximum: 60_000, default: 500 }),
  LIST_EXPORT_PAGE_SIZE: Type.Integer({ minimum: 1, maximum: 10_000, default: 1000 }),
})

export type Config = Static<typeof ConfigSchema>

/** Development secret used only when AUTH_MODE=local and no JWT_SECRET is set outside production. */
export const DEVELOPMENT_JWT_SECRET = 'development-only-secret-change-me-0123456789'

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`)
    this.name = 'ConfigError'
  }
}

/**
 * Parses the environment once. Every bad or missing variable is named in one error,
 * so an operator fixes them all in one pass rather than one per restart.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const known = Object.keys(ConfigSchema.properties)
  const raw: Record<string, unknown> = {}
  for (const key of known) {
    const value = env[key]
    if (value !== undefined && value !== '') raw[key] = value
  }
  const converted = Value.Convert(ConfigSchema, Value.Default(ConfigSchema, raw))
  const problems = [...Value.Errors(ConfigSchema, converted)].map(
    (error) => `${error.path.slice(1) || '(root)'}: ${error.message} (got ${JSON.stringify(error.value)})`,
  )
  const config = converted as Config
  if (config.AUTH_MODE === 'jwks' && !config.JWKS_URL) problems.push('JWKS_URL: required when AUTH_MODE=jwks')
  if (config.AUTH_MODE === 'local' && config.NODE_ENV === 'production' && !config.JWT_SECRET) {
    problems.push('JWT_SECRET: required when AUTH_MODE=local in production')
  }
  if (config.RATE_LIMIT_STORE === 'redis' && !config.RATE_LIMIT_REDIS_URL) problems.push('RATE_LIMIT_REDIS_URL: required when RATE_LIMIT_STORE=redis')
  if (config.RATE_LIMIT_STORE === 'postgres' && !config.DATABASE_URL) {
    problems.push('RATE_LIMIT_STORE: postgres shares limits through the server of DATABASE_URL; the embedded database serves one process (use memory)')
  }
  if (problems.length > 0) throw new ConfigError(problems)
  return config
}

const DURATION_UNITS_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const

/** The waits before each retry of a failed webhook delivery (WEBHOOK_RETRY_SCHEDULE, e.g. `5s,30s,2m`), in milliseconds. */
export function retryScheduleMs(config: Config): number[] {
  return config.WEBHOOK_RETRY_SCHEDULE.split(',').map((part) => {
    const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(part.trim()) as RegExpExecArray
    return Number(match[1]) * DURATION_UNITS_MS[match[2] as keyof typeof DURATION_UNITS_MS]
  })
}

export function jwtSecret(config: Config): string {
  return config.JWT_SECRET ?? DEVELOPMENT_JWT_SECRET
}

/** The pool settings of DATABASE_URL's server from the configuration. */
export function postgresOptions(config: Config) {
  return {
    poolSize: config.DATABASE_POOL_SIZE,
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
    idleInTransactionTimeoutMs: config.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    acquireTimeoutMs: config.DATABASE_ACQUIRE_TIMEOUT_MS,
  }
}

/** The browser origins allowed to call the API (CORS_ORIGINS, comma-separated); none by default. */
export function corsOrigins(config: Config): string[] {
  return (config.CORS_ORIGINS ?? '').split(',').map((origin) => origin.trim()).filter(Boolean)
}
