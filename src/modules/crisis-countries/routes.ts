import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { ALL_ROLES } from '../../shared/roles.js'
import { IdParams } from '../../shared/schemas.js'
import * as repository from './repository.js'
import { CreateCrisisCountry, CrisisCountry, CrisisCountryList, CrisisCountryListQuery, UpdateCrisisCountry } from './schemas.js'
import * as service from './service.js'
import { createRoute, listRoute, readRoute, updateRoute } from '../../shared/routes.js'

const TAGS = ['crisis-countries']

/** The dated list of war-, conflict- and disaster-affected countries: maintained by administrators, read by everyone. */
export default async function crisisCountriesModule(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  for (const schema of [CrisisCountry, CreateCrisisCountry, UpdateCrisisCountry, CrisisCountryList]) app.addSchema(schema)

  createRoute(app, {
    path: '/v1/crisis-countries',
    tags: TAGS,
    roles: ['admin'],
    operationId: 'listCrisisCountry',
    summary: 'List a country as war-, conflict- or disaster-affected',
    description:
      'Adds a dated listing. Returning to a country listed on the assessment date makes a reintegration request urgent (see the README, ' +
      '"Reintegration"). Listings of the same country and kind never overlap (409 `duplicate-resource`): extend or end the existing one instead.',
    body: CreateCrisisCountry,
    resource: CrisisCountry,
    run: ({ db, context, body }) => service.createCrisisCountry(db, context, body),
    location: (listing) => `/v1/crisis-countries/${listing.id}`,
  })

  listRoute(app, {
    path: '/v1/crisis-countries',
    tags: TAGS,
    roles: ALL_ROLES,
    operationId: 'listCrisisCountries',
    summary: 'List crisis-country listings',
    description: 'Listings in creation order, optionally of one country or kind, or only those valid on a date (`on`).',
    query: CrisisCountryListQuery,
    list: CrisisCountryList,
    run: ({ db, query }) => repository.listCrisisCountries(db, query),
  })

  readRoute(app, {
    path: '/v1/crisis-countries/:id',
    tags: TAGS,
    roles: ALL_ROLES,
    operationId: 'getCrisisCountry',
    summary: 'Get a crisis-country listing',
    params: IdParams,
    resource: CrisisCountry,
    run: ({ db, params }) => service.getCrisisCountry(db, params.id),
  })

  updateRoute(app, {
    path: '/v1/crisis-countries/:id',
    tags: TAGS,
    roles: ['admin'],
    operationId: 'updateCrisisCountry',
    summary: 'Change a crisis-country listing',
    description:
      'Changes the given fields, typically `valid_to` when the situation ends. Requires If-Match. Assessments already made keep the urgency ' +
      'they were given (each records the listing it relied on); re-assess a request to apply the change.',
    params: IdParams,
    body: UpdateCrisisCountry,
    resource: CrisisCountry,
    run: ({ db, context, params, expectedVersion, body }) => service.updateCrisisCountry(db, context, params.id, expectedVersion, body),
  })
}
