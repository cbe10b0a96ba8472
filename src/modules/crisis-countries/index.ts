/** The public face of the crisis list: countries of return affected by war, conflict or disaster, by period. */
export { default as crisisCountriesRoutes } from './routes.js'
export { crisisListingOn } from './repository.js'
export { createCrisisCountry } from './service.js'
export { isListed } from './repository.js'
