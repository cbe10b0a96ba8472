import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import { buildApp } from '../../src/app.js'
import { loadConfig, type Config } from '../../src/config.js'
import type { Database } from '../../src/db/database.js'
import type { Role } from '../../src/shared/roles.js'
import { createFreshDatabase } from './database.js'

interface Teardown {
  teardown(fn: () => unknown): void
}

// The embedded database runs on the event loop, so load shedding by loop delay is off in tests
// (a busy CI machine would shed test requests); the database health check stays on.
// Webhook delivery is off unless a test turns it on (WEBHOOK_DELIVERY_ENABLED=true), so other tests do not poll for it.
export const TEST_ENV = { NODE_ENV: 'test', LOG_LEVEL: 'silent', RATE_LIMIT_MAX: '100000', MAX_EVENT_LOOP_DELAY_MS: '0', WEBHOOK_DELIVERY_ENABLED: 'false' }

export interface TestApp {
  app: FastifyInstance
  database: Database & { url?: string }
  config: Config
  token(sub: string, roles: Role[], officeId?: string): string
  /** app.inject with a bearer token for the given identity. */
  as(sub: string, roles: Role[], officeId?: string): (options: InjectOptions) => Promise<LightMyRequestResponse>
}

/** An app on a fresh database (or the given one); torn down app first, then the database it created. */
export async function buildTestApp(t: Teardown, env: Record<string, string> = {}, database?: Database): Promise<TestApp> {
  const created = database ? undefined : await createFreshDatabase()
  return buildOn(t, env, database ?? (created as Database), created)
}

/** An app on a fresh database holding the demo data of `npm run seed`. */
export async function buildSeededTestApp(t: Teardown, env: Record<string, string> = {}): Promise<TestApp> {
  const created = await createFreshDatabase({ seeded: true })
  return buildOn(t, env, created, created)
}

async function buildOn(t: Teardown, env: Record<string, string>, db: Database, created: { dispose(): Promise<void> } | undefined): Promise<TestApp> {
  // The configuration names the database the app runs on (the events runtime LISTENs on it).
  const url = (db as Database & { url?: string }).url
  const config = loadConfig({ ...TEST_ENV, ...(url ? { DATABASE_URL: url } : {}), ...env })
  const app = await buildApp({ config, db: db.db, databaseKind: db.kind, ping: db.ping })
  t.teardown(async () => {
    await app.close()
    await created?.dispose()
  })
  const token = (sub: string, roles: Role[], officeId?: string) =>
    app.jwt.sign(officeId ? { sub, roles, office_id: officeId } : { sub, roles })
  return {
    app,
    database: db,
    config,
    token,
    as: (sub, roles, officeId) => (options) =>
      app.inject({ ...options, headers: { authorization: `Bearer ${token(sub, roles, officeId)}`, ...options.headers } }),
  }
}
