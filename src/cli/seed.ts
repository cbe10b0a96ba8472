import path from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Kysely } from 'kysely'
import { loadConfig } from '../config.js'
import { openDatabase } from '../db/database.js'
import { migrateToLatest } from '../db/migrator.js'
import type { DB } from '../db/schema.js'
import { wireModules } from '../modules/index.js'
import type { RequestContext } from '../shared/context.js'
import { seedMigrationInformationCentre } from './seed/mic.js'
import { seedOffices, type SeededOffices } from './seed/offices.js'
import { SEED_PROJECT_CODE, seedProjects } from './seed/projects.js'
import { seedReintegrationDelivery, seedReintegrationSelection } from './seed/reintegration.js'
import { seedReturnCases } from './seed/return-cases.js'
import { seedTravel } from './seed/travel.js'
import { VULNERABLE_PROGRAMME_CODE, seedVulnerableProgramme } from './seed/vulnerable-programme.js'

/**
 * `npm run seed`: loads the 2010–2011 project and the 2021–2022 programme for vulnerable migrants
 * of the seed documents so a new user has something to explore. Every row is written through the services (audit entries and events exist as for any
 * change), and every step is idempotent: running it twice does not duplicate anything.
 * One step per module (src/cli/seed/), each through the modules' public faces only; the steps run
 * in dependency order.
 */

const SYSTEM: RequestContext = { actor: { sub: 'seed', roles: ['admin'], officeId: null }, requestId: 'seed' }

/** The 2010–2011 reintegration project: offices, project, the six returnees, their travel and reintegration. */
export async function seedProject2010(db: Kysely<DB>): Promise<SeededOffices> {
  wireModules()
  const offices = await seedOffices(db)
  const project = await seedProjects(db, SYSTEM)
  console.log(`${project.created ? 'created' : 'exists '} project ${SEED_PROJECT_CODE} with its budget lines`)
  const cases = await seedReturnCases(db, { countryOfficeId: offices.vilnius, projectId: project.projectId })
  for (const seeded of cases) console.log(`${seeded.created ? 'created' : 'exists '} case ${seeded.reference} (${seeded.externalReference})`)
  for (const step of await seedReintegrationSelection(db)) console.log(`${step.outcome.padEnd(7)} reintegration ${step.externalReference}: ${step.detail}`)
  for (const travel of await seedTravel(db)) console.log(`${travel.outcome.padEnd(7)} travel ${travel.externalReference}: ${travel.detail}`)
  for (const step of await seedReintegrationDelivery(db)) console.log(`${step.outcome.padEnd(7)} reintegration ${step.externalReference}: ${step.detail}`)
  return offices
}

export async function seedAll(db: Kysely<DB>): Promise<void> {
  const offices = await seedProject2010(db)
  const programme = await seedVulnerableProgramme(db, offices.vilnius)
  console.log(`seeded  programme ${VULNERABLE_PROGRAMME_CODE}: ${programme.created} households created, ${programme.existing} already there`)
  for (const enquirer of await seedMigrationInformationCentre(db)) console.log(`${enquirer.created ? 'created' : 'exists '} MIC enquirer ${enquirer.email}`)
}

async function main(): Promise<void> {
  const config = loadConfig()
  const database = await openDatabase({ databaseUrl: config.DATABASE_URL, poolSize: 2, dataDir: config.DATA_DIR })
  try {
    await migrateToLatest(database.db)
    await seedAll(database.db)
  } finally {
    await database.close()
  }
}

// Run only as the script, so tests can import the steps.
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error)
    process.exit(1)
  })
}
