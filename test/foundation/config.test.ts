import t from 'tap'
import { ConfigError, loadConfig } from '../../src/config.js'

t.test('defaults make a development service with no environment at all', async (t) => {
  const config = loadConfig({})
  t.match(config, { PORT: 3000, HOST: '127.0.0.1', DATA_DIR: './data', AUTH_MODE: 'local', DATABASE_POOL_SIZE: 10, IDEMPOTENCY_TTL_HOURS: 24 })
  t.equal(config.DATABASE_URL, undefined, 'no DATABASE_URL means the embedded database')
})

t.test('every bad or missing variable is named in one error', async (t) => {
  const error = t.throws(() => loadConfig({ PORT: 'eighty', DATABASE_POOL_SIZE: '0', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud', AUTH_MODE: 'jwks' })) as ConfigError
  t.type(error, ConfigError)
  for (const key of ['PORT', 'DATABASE_POOL_SIZE', 'DATABASE_URL', 'LOG_LEVEL', 'JWKS_URL']) t.match(error.message, key, `names ${key}`)
  t.throws(() => loadConfig({ NODE_ENV: 'production' }), /JWT_SECRET/, 'production needs a real secret')
  t.throws(() => loadConfig({ JWT_SECRET: 'short' }), /JWT_SECRET/)
})

t.test('values are converted from strings', async (t) => {
  const config = loadConfig({ PORT: '8080', MIGRATE_ON_START: 'false', DATABASE_URL: 'postgres://u@h:5432/d' })
  t.equal(config.PORT, 8080)
  t.equal(config.MIGRATE_ON_START, false)
})
