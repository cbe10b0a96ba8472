import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import { IdempotencyKeyHeader, IfMatchHeader } from '../../shared/headers.js'
import { ALL_ROLES } from '../../shared/roles.js'
import { IdParams } from '../../shared/schemas.js'
import * as repository from './repository.js'
import { CreateCrisisCountry, CrisisCountry, CrisisCountryList, CrisisCountryListQuery, UpdateCrisisCountry } from './schemas.js'
import * as service from './service.js'
import { PROBLEM_RESPONSES, problemResponses } from '../../shared/problems.js'
import { versionedRead, versionedWrite } from '../../shared/routes.js'

const TAG = 'crisis-countries'

/** The dated list of war-, conflict- and disaster-affected countries: maintained by administrators, read by everyone. */
export default async function crisisCountriesModule(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  for (const schema of [CrisisCountry, CreateCrisisCountry, UpdateCrisisCountry, CrisisCountryList]) app.addSchema(schema)

  app.post('/v1/crisis-countries', {
    config: { roles: ['admin'] },
    schema: {
      tags: [TAG],
      operationId: 'listCrisisCountry',
      summary: 'List a country as war-, conflict- or disaster-affected',
      description:
        'Adds a dated listing. Returning to a country listed on the assessment date makes a reintegration request urgent (see the README, ' +
        '"Reintegration"). Listings of the same country and kind never overlap (409 `duplicate-resource`): extend or end the existing one instead.',
      headers: IdempotencyKeyHeader,
      body: Type.Ref(CreateCrisisCountry),
      response: { 201: Type.Ref(CrisisCountry), ...problemResponses(400, 409, 422) },
    },
    handler: (request, reply) =>
      versionedWrite(request, reply, (db, context) => service.createCrisisCountry(db, context, request.body), { ifMatch: 'none', status: 201, location: (listing) => `/v1/crisis-countries/${listing.id}` }),
  })

  app.get('/v1/crisis-countries', {
    config: { roles: ALL_ROLES },
    schema: {
      tags: [TAG],
      operationId: 'listCrisisCountries',
      summary: 'List crisis-country listings',
      description: 'Listings in creation order, optionally of one country or kind, or only those valid on a date (`on`).',
      querystring: CrisisCountryListQuery,
      response: { 200: Type.Ref(CrisisCountryList), 400: PROBLEM_RESPONSES[400] },
    },
    handler: (request) => repository.listCrisisCountries(app.db, request.query),
  })

  app.get('/v1/crisis-countries/:id', {
    config: { roles: ALL_ROLES },
    schema: {
      tags: [TAG],
      operationId: 'getCrisisCountry',
      summary: 'Get a crisis-country listing',
      params: IdParams,
      response: { 200: Type.Ref(CrisisCountry), ...problemResponses(400, 404) },
    },
    handler: (request, reply) => versionedRead(reply, service.getCrisisCountry(app.db, request.params.id)),
  })

  app.patch('/v1/crisis-countries/:id', {
    config: { roles: ['admin'] },
    schema: {
      tags: [TAG],
      operationId: 'updateCrisisCountry',
      summary: 'Change a crisis-country listing',
      description:
        'Changes the given fields, typically `valid_to` when the situation ends. Requires If-Match. Assessments already made keep the urgency ' +
        'they were given (each records the listing it relied on); re-assess a request to apply the change.',
      params: IdParams,
      headers: IfMatchHeader,
      body: Type.Ref(UpdateCrisisCountry),
      response: {
        200: Type.Ref(CrisisCountry),
        ...problemResponses(400, 404, 409, 412, 422, 428),
      },
    },
    handler: (request, reply) => versionedWrite(request, reply, (db, context, expected) => service.updateCrisisCountry(db, context, request.params.id, expected, request.body), { ifMatch: 'required' }),
  })
}
