import fastifyJwt from '@fastify/jwt'
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify'
import fp from 'fastify-plugin'
import buildGetJwks from 'get-jwks'
import { jwtSecret, type Config } from '../config.js'
import type { RequestContext } from '../shared/context.js'
import { ProblemError, PROBLEM_RESPONSES } from '../shared/problems.js'
import { isRole, type Actor, type Role } from '../shared/roles.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Roles allowed to call the route. Every /v1 route must declare them. */
    roles?: readonly Role[]
    /** Health and documentation routes: no token needed. */
    public?: boolean
  }
  interface FastifyRequest {
    context: RequestContext
  }
  interface FastifyInstance {
    routeCatalog: RouteCatalogEntry[]
  }
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: { sub: string; roles: string[]; office_id?: string }
    user: { sub?: string; roles?: unknown; office_id?: unknown }
  }
}

export interface RouteCatalogEntry {
  method: string
  url: string
  roles: readonly Role[]
}

function jwtOptions(config: Config) {
  // Verified tokens are cached (keyed by a hash of the token, each entry no longer than the
  // token's own expiry): a client sends the same token with every request, and verifying it
  // again (decode, signature, claims) was a tenth of the cost of a read.
  const verify = { allowedIss: config.JWT_ISSUER, allowedAud: config.JWT_AUDIENCE, requiredClaims: ['sub'], cache: 1000 }
  if (config.AUTH_MODE === 'jwks') {
    const jwksUrl = new URL(config.JWKS_URL as string)
    const getJwks = buildGetJwks({ jwksPath: jwksUrl.pathname, ttl: 10 * 60_000 })
    return {
      decode: { complete: true },
      verify: { ...verify, algorithms: ['RS256', 'ES256'] },
      secret: async (_request: FastifyRequest, token: { header: { kid?: string; alg: string } }) =>
        getJwks.getPublicKey({ domain: `${jwksUrl.origin}/`, kid: token.header.kid, alg: token.header.alg }),
    }
  }
  return {
    secret: jwtSecret(config),
    sign: { algorithm: 'HS256', iss: config.JWT_ISSUER, aud: config.JWT_AUDIENCE, expiresIn: '12h' },
    verify: { ...verify, algorithms: ['HS256'] },
  }
}

function actorFrom(claims: { sub?: string; roles?: unknown; office_id?: unknown }): Actor {
  if (typeof claims.sub !== 'string' || claims.sub === '') throw new ProblemError('unauthenticated', 'The token has no subject')
  const roles = Array.isArray(claims.roles) ? claims.roles.filter(isRole) : []
  const officeId = typeof claims.office_id === 'string' ? claims.office_id : null
  if (roles.includes('partner') && officeId === null) {
    throw new ProblemError('forbidden', 'A partner token must carry the office_id of the partner office it acts for')
  }
  return { sub: claims.sub, roles, officeId }
}

function describeRoles(roles: readonly Role[]): string {
  return `**Roles:** ${roles.map((role) => `\`${role}\``).join(', ')}`
}

/**
 * Authentication and role checks for every route, and the matching documentation: each
 * route's roles go into its description and security requirement, so the spec tells the
 * truth about who may call what.
 */
async function authPlugin(app: FastifyInstance): Promise<void> {
  await app.register(fastifyJwt, jwtOptions(app.config) as Parameters<typeof fastifyJwt>[1])
  app.decorate('routeCatalog', [] as RouteCatalogEntry[])
  app.decorateRequest('context', null as unknown as RequestContext)

  app.addHook('onRoute', (route: RouteOptions) => {
    const config = route.config as { roles?: readonly Role[]; public?: boolean } | undefined
    // The HEAD route fastify adds beside each GET shares the GET's schema object: document it once.
    if (config?.public || route.schema?.hide || route.method === 'HEAD') return
    if (!config?.roles || config.roles.length === 0) {
      throw new Error(`Route ${String(route.method)} ${route.url} declares no roles; set config.roles or config.public`)
    }
    const schema = (route.schema ??= {}) as Record<string, unknown>
    schema.security = [{ bearerAuth: [] }]
    schema.description = [schema.description, describeRoles(config.roles)].filter(Boolean).join('\n\n')
    schema.response = { 401: PROBLEM_RESPONSES[401], 403: PROBLEM_RESPONSES[403], 429: PROBLEM_RESPONSES[429], 500: PROBLEM_RESPONSES[500], ...(schema.response as object) }
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD') app.routeCatalog.push({ method, url: route.url, roles: config.roles })
    }
  })

  app.addHook('onRequest', async (request) => {
    const config = request.routeOptions.config
    if (config.public || !config.roles) return
    let claims: { sub?: string; roles?: unknown; office_id?: unknown }
    try {
      claims = await request.jwtVerify()
    } catch (error) {
      const reason = (error as { message?: string }).message ?? 'invalid token'
      throw new ProblemError('unauthenticated', `A valid bearer token is required: ${reason}`)
    }
    const actor = actorFrom(claims)
    if (!actor.roles.some((role) => config.roles?.includes(role))) {
      throw new ProblemError('forbidden', `This operation needs one of the roles ${config.roles.join(', ')}`, { required_roles: config.roles })
    }
    request.context = { actor, requestId: request.id }
  })
}

export default fp(authPlugin, { name: 'auth', dependencies: ['config'] })
