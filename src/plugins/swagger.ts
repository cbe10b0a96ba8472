import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { declareConventions } from './spec-contract.js'

export const API_TAGS = [
  { name: 'offices', description: 'The country office and the partner offices in countries of origin.' },
  { name: 'return-cases', description: 'Return cases from request to closure: the workflow (submit, counselling, decision, withdrawal, closure), referral to partner offices, search and status history.' },
  { name: 'case-members', description: 'The household of a case: the principal applicant and members, with coded vulnerabilities (restricted ones visible only to protection staff) and derived ages.' },
  { name: 'counselling-sessions', description: 'Pre-departure counselling sessions of a case: date, counsellor, mode, interpreter, topics, outcome and next steps.' },
  { name: 'projects', description: 'Co-funded projects: period, currency, total, co-funder shares, targets, status, and the budget report.' },
  { name: 'budget-lines', description: 'Budget lines of a project with their balances (allocated, committed, spent, available), and re-allocation between them.' },
  { name: 'ledger', description: 'The append-only ledger of each budget line: commitments, releases and spends, each naming its source and actor.' },
  { name: 'payment-requests', description: 'Payments of every cost (tickets, excess baggage, cash grants, supplier disbursements) with maker-checker approval, charged to budget lines.' },
  { name: 'travel-documents', description: 'Travel documents per traveller: passports recorded valid, emergency travel documents requested from an embassy and issued or refused, expiry read at request time; the operations queues across cases.' },
  { name: 'transit-visas', description: 'Transit visas per traveller and transit country: requested from an embassy or consulate, issued with a number and validity, or refused; ticketing checks them at transit points that need one.' },
  { name: 'bookings', description: 'Bookings of a case: booking reference, the route as ordered flight segments with transit points, assistance at departure, transit and arrival, and escorts.' },
  { name: 'tickets', description: 'One ticket per traveller per booking, issued when its payment is approved (maker-checker, fare committed on the travel line); departure confirmed by the country office, arrival by the partner office; void, refund and no-show release what was not spent.' },
  { name: 'excess-baggage', description: 'Excess baggage per traveller or ticket (kilograms, cost, reason), approved with maker-checker on the excess-baggage line and paid separately from the ticket.' },
  { name: 'travel-insurance', description: 'Travel insurance per traveller (insurer, policy, cover dates), required for medical cases and escorted travellers before ticketing, its premium paid like excess baggage.' },
  { name: 'accommodation', description: 'Accommodation before departure: dated nights at a named place, costed and paid with maker-checker like other costs.' },
  { name: 'cash-grants', description: 'Cash grants on arrival for basic needs, per returnee or per household, paid by the partner office.' },
  { name: 'reintegration-requests', description: 'In-kind reintegration request forms filled in before departure (per household or returnee), their assessment (feasibility and motivation scored 0-5, urgency derived) and the decision (approve with a budget, reject, waitlist).' },
  { name: 'reintegration-selection', description: 'Selection of requests: the ranking of a project\'s assessed requests against the in-kind line, and the versioned weights of its composite.' },
  { name: 'crisis-countries', description: 'The dated list of war-, conflict- and disaster-affected countries that makes a return urgent, maintained by administrators.' },
  { name: 'reintegration-plans', description: 'Approved reintegration plans with their budget committed on the in-kind line; completed when delivered, or abandoned (releasing what was not spent).' },
  { name: 'contact-deadlines', description: 'The returnee\'s first contact with the partner office, due within the project\'s contact period after arrival (default one month): the work queue of cases due soon and overdue, recording the contact, and the lapse of assistance without it.' },
  { name: 'suppliers', description: 'Suppliers of goods and services registered by partner offices in their country; bank details only for finance and the registering office.' },
  { name: 'disbursements', description: 'Payments to suppliers against a plan (never to the returnee, never over the plan\'s budget), with maker-checker payment requests and delivery confirmed by the partner office.' },
  { name: 'monitoring-visits', description: 'Monitoring visits after return: date, who, mode, findings, whether the supported activity is running.' },
  { name: 'satisfaction-surveys', description: 'Returnees\' satisfaction with counselling, travel arrangements and reintegration assistance.' },
  { name: 'sustainability', description: 'The versioned sustainability instrument and returnees\' assessments across the economic, social and psychosocial dimensions, compared with their baseline.' },
  { name: 'mic', description: 'The Migration Information Centre: nationals who return home or think about it (enquirers), their dated consultations with referrals to institutions, and the follow-ups due.' },
  { name: 'statistics', description: 'Figures for programme managers and donors (returns, satisfaction, sustainability) and the donor report of a project, as JSON, CSV, XLSX (and HTML for the report), each figure defined in docs/modules/statistics.md.' },
  { name: 'audit', description: 'The append-only audit trail of every change.' },
  { name: 'events', description: 'Every change as a CloudEvent: the resumable events feed, and the event types sent by webhook (the `webhooks` section).' },
  { name: 'webhook-subscriptions', description: 'Webhook subscriptions of partner offices and systems: signed (Standard Webhooks), retried, in order per case, with a delivery log.' },
  { name: 'operations', description: 'Health and readiness probes, and the problem types.' },
]

const API_DESCRIPTION = `System of record for assisted voluntary return and reintegration (AVRR): return cases,
travel documents, tickets, excess baggage, cash grants and in-kind reintegration, charged to co-funded project budgets.

**Authentication.** Every operation except health and docs needs a bearer JWT. Click *Authorize* and paste a token
(in development: \`npm run token -- --sub alice --roles counsellor,approver\`). Each operation lists the roles that may call it.

**Conventions.** JSON properties are snake_case; money is \`{ amount_minor, currency }\` in integer minor units;
lists are keyset-paginated (\`limit\`, \`cursor\` → \`next_cursor\`); every write accepts \`Idempotency-Key\` and a
repeat replays the first response (\`Idempotent-Replayed: true\`); updates that can race take \`If-Match\`;
errors are RFC 9457 \`application/problem+json\` with a stable \`type\`, which resolves to a page describing it
(\`GET /problems/{slug}\`; \`GET /problems\` lists them all). Every response carries \`X-Request-Id\` and, but for the
probes, \`RateLimit-Limit\`, \`-Remaining\` and \`-Reset\` (the IETF draft headers); a 429 also carries \`Retry-After\`.`

export function swaggerOptions(tags: typeof API_TAGS, webhooks: Record<string, unknown> = {}) {
  return {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'AVRR service API',
        version: '1.0.0',
        description: API_DESCRIPTION,
        license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
      },
      servers: [{ url: '/', description: 'This server: the deployment serving this spec (local, staging or production)', 'x-internal': false }],
      tags,
      webhooks,
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http' as const, scheme: 'bearer', bearerFormat: 'JWT', description: 'JWT with `sub`, `roles` and, for partner users, `office_id`, validated as RFC8725 advises: the algorithms are pinned (HS256 locally, RS256/ES256 from the identity provider\'s JWKS), `iss` and `aud` are required and checked, and `exp` whenever the token has one.' },
        },
      },
    },
    // The headers and preconditions every route shares, declared once for all of them.
    transformObject: (documentObject: object) =>
      declareConventions((documentObject as { openapiObject: Parameters<typeof declareConventions>[0] }).openapiObject) as Record<string, unknown>,
    // Named components: each shared schema appears under its own $id, never def-0.
    refResolver: {
      buildLocalReference: (json: { $id?: unknown }, _baseUri: unknown, _fragment: unknown, index: number) =>
        typeof json.$id === 'string' ? json.$id : `def-${index}`,
    },
  }
}

async function swaggerPlugin(app: FastifyInstance, options: { tags: typeof API_TAGS; webhooks?: Record<string, unknown> }): Promise<void> {
  await app.register(swagger, swaggerOptions(options.tags, options.webhooks))
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    // "Try it out" is the user's choice; Authorize (bearer token, kept across reloads) stays.
    uiConfig: { persistAuthorization: true, deepLinking: true, validatorUrl: null },
    staticCSP: true,
  })
}

export default fp(swaggerPlugin, { name: 'swagger' })
