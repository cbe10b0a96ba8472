import cors from '@fastify/cors'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { corsOrigins } from '../config.js'

/** What a browser-based tool needs to send beyond the simple headers, and to read back from a response. */
const REQUEST_HEADERS = ['authorization', 'content-type', 'idempotency-key', 'if-match', 'x-request-id']
const EXPOSED_HEADERS = [
  'etag',
  'location',
  'idempotent-replayed',
  'x-request-id',
  'retry-after',
  'ratelimit-limit',
  'ratelimit-remaining',
  'ratelimit-reset',
  'content-disposition',
]

/**
 * CORS for browser-based partner tools: only the origins listed in CORS_ORIGINS (none by default, and
 * then no CORS headers at all). Credentials are bearer tokens a tool sends explicitly, never cookies,
 * so `Access-Control-Allow-Credentials` is not set.
 */
async function corsPlugin(app: FastifyInstance): Promise<void> {
  const origins = corsOrigins(app.config)
  if (origins.length === 0) return
  await app.register(cors, {
    origin: origins,
    methods: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE'],
    allowedHeaders: REQUEST_HEADERS,
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: 600,
  })
}

export default fp(corsPlugin, { name: 'cors', dependencies: ['config'] })
