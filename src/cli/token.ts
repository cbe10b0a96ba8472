import { parseArgs } from 'node:util'
import { createSigner } from 'fast-jwt'
import { jwtSecret, loadConfig } from '../config.js'
import { isRole } from '../shared/roles.js'

const USAGE = 'usage: npm run token -- --sub <subject> --roles <role,role> [--office <office id>] [--expires <seconds>]'

/** Mints a development token signed with the local HS256 secret; the token is alone on the last line. */
function main(): void {
  const { values } = parseArgs({
    options: { sub: { type: 'string' }, roles: { type: 'string' }, office: { type: 'string' }, expires: { type: 'string', default: '43200' } },
  })
  const config = loadConfig()
  if (config.AUTH_MODE !== 'local') throw new Error('AUTH_MODE is jwks: tokens come from the identity provider')
  if (!values.sub || !values.roles) throw new Error(USAGE)
  const roles = values.roles.split(',').map((role) => role.trim()).filter(Boolean)
  const unknown = roles.filter((role) => !isRole(role))
  if (unknown.length > 0) throw new Error(`unknown roles: ${unknown.join(', ')}`)
  if (roles.includes('partner') && !values.office) throw new Error('a partner token needs --office <partner office id>')
  const sign = createSigner({ key: jwtSecret(config), algorithm: 'HS256', iss: config.JWT_ISSUER, aud: config.JWT_AUDIENCE, expiresIn: Number(values.expires) * 1000 })
  const claims: Record<string, unknown> = { sub: values.sub, roles }
  if (values.office) claims.office_id = values.office
  console.error(`token for ${values.sub} (${roles.join(', ')}), valid ${values.expires}s; use it as: Authorization: Bearer <token>`)
  console.log(sign(claims))
}

try {
  main()
} catch (error) {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
}
