import path from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Kysely } from 'kysely'
import { loadConfig } from '../config.js'
import { openDatabase } from '../db/database.js'
import { migrateToLatest } from '../db/migrator.js'
import type { DB } from '../db/schema.js'
import type { RequestContext } from '../shared/context.js'
import { createOffice } from '../modules/offices/service.js'
import { SEED_PROJECT_CODE, seedProjects } from '../modules/projects/seed.js'
import { seedReturnCases } from '../modules/return-cases/seed.js'
import { seedReintegrationDelivery, seedReintegrationSelection } from '../modules/reintegration/seed.js'
import { seedTravel } from '../modules/travel/seed.js'

/**
 * `npm run seed`: loads the 2010–2011 data of the seed documents so a new user has something to
 * explore. Every row is written through the services (audit entries and events exist as for any
 * change), and every step is idempotent: running it twice does not duplicate anything.
 * Each module contributes one exported step; the steps run in dependency order.
 */

const SYSTEM: RequestContext = { actor: { sub: 'seed', roles: ['admin'], officeId: null }, requestId: 'seed' }

const OFFICES = [
  { code: 'VNO', name: 'IOM Vilnius', country: 'LT', kind: 'country_office' },
  { code: 'TBS', name: 'IOM Tbilisi', country: 'GE', kind: 'partner_office' },
  { code: 'BGW', name: 'IOM Baghdad', country: 'IQ', kind: 'partner_office' },
] as const

export interface SeededOffices {
  vilnius: string
  tbilisi: string
  baghdad: string
}

/** The country office in Vilnius and the partner offices in Georgia and Iraq (found by code, created when missing). */
export async function seedOffices(db: Kysely<DB>): Promise<SeededOffices> {
  const ids: Record<string, string> = {}
  for (const office of OFFICES) {
    const existing = await db.selectFrom('offices').select('id').where('code', '=', office.code).executeTakeFirst()
    ids[office.code] = existing
      ? existing.id
      : (await db.transaction().execute((trx) => createOffice(trx, SYSTEM, { ...office }))).id
  }
  return { vilnius: ids.VNO as string, tbilisi: ids.TBS as string, baghdad: ids.BGW as string }
}

export async function seedAll(db: Kysely<DB>): Promise<void> {
  const offices = await seedOffices(db)
  const project = await seedProjects(db, SYSTEM)
  console.log(`${project.created ? 'created' : 'exists '} project ${SEED_PROJECT_CODE} with its budget lines`)
  const cases = await seedReturnCases(db, { countryOfficeId: offices.vilnius, projectId: project.projectId })
  for (const seeded of cases) console.log(`${seeded.created ? 'created' : 'exists '} case ${seeded.reference} (${seeded.externalReference})`)
  for (const step of await seedReintegrationSelection(db)) console.log(`${step.outcome.padEnd(7)} reintegration ${step.externalReference}: ${step.detail}`)
  for (const travel of await seedTravel(db)) console.log(`${travel.outcome.padEnd(7)} travel ${travel.externalReference}: ${travel.detail}`)
  for (const step of await seedReintegrationDelivery(db)) console.log(`${step.outcome.padEnd(7)} reintegration ${step.externalReference}: ${step.detail}`)
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
