import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

export const API_TAGS = [
  { name: 'offices', description: 'The country office and the partner offices in countries of origin.' },
  { name: 'audit', description: 'The append-only audit trail of every change.' },
  { name: 'operations', description: 'Health and readiness probes.' },
]

const API_DESCRIPTION = `System of record for assisted voluntary return and reintegration (AVRR): return cases,
travel documents, tickets, excess baggage, cash grants and in-kind reintegration, charged to co-funded project budgets.

**Authentication.** Every operation except health and docs needs a bearer JWT. Click *Authorize* and paste a token
(in development: \`npm run token -- --sub alice --roles counsellor,approver\`). Each operation lists the roles that may call it.

**Conventions.** JSON properties are snake_case; money is \`{ amount_minor, currency }\` in integer minor units;
lists are keyset-paginated (\`limit\`, \`cursor\` → \`next_cursor\`); every write accepts \`Idempotency-Key\` and a
repeat replays the first response (\`Idempotent-Replayed: true\`); updates that can race take \`If-Match\`;
errors are RFC 9457 \`application/problem+json\` with a stable \`type\`.`

export function swaggerOptions(tags: typeof API_TAGS) {
  return {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'AVRR service API',
        version: '1.0.0',
        description: API_DESCRIPTION,
        license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
      },
      servers: [{ url: '/', description: 'This server' }],
      tags,
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http' as const, scheme: 'bearer', bearerFormat: 'JWT', description: 'JWT with `sub`, `roles` and, for partner users, `office_id`.' },
        },
      },
    },
    // Named components: each shared schema appears under its own $id, never def-0.
    refResolver: {
      buildLocalReference: (json: { $id?: unknown }, _baseUri: unknown, _fragment: unknown, index: number) =>
        typeof json.$id === 'string' ? json.$id : `def-${index}`,
    },
  }
}

async function swaggerPlugin(app: FastifyInstance, options: { tags: typeof API_TAGS }): Promise<void> {
  await app.register(swagger, swaggerOptions(options.tags))
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: { persistAuthorization: true, deepLinking: true, validatorUrl: null, tryItOutEnabled: true },
    staticCSP: true,
  })
}

export default fp(swaggerPlugin, { name: 'swagger' })
