import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'
import { createOffice, findOfficeByCode } from '../../modules/offices/index.js'
import { ADMIN } from './actors.js'

/**
 * The well-known ids of the seeded offices: the spec's request examples name them (ADR 0054), so after
 * `npm run seed` an example works in Swagger UI as it stands.
 */
export const SEED_OFFICE_IDS = {
  vilnius: '0193a0b4-1c2d-7e3f-8a4b-5c6d7e8f9a0b',
  tbilisi: '0193a0b4-1c2d-7e3f-8a4b-5c6d7e8f9a1b',
  baghdad: '0193a0b4-1c2d-7e3f-8a4b-5c6d7e8f9a2b',
} as const

const OFFICES = [
  { id: SEED_OFFICE_IDS.vilnius, input: { code: 'VNO', name: 'IOM Vilnius', country: 'LT', kind: 'country_office' } },
  { id: SEED_OFFICE_IDS.tbilisi, input: { code: 'TBS', name: 'IOM Tbilisi', country: 'GE', kind: 'partner_office' } },
  { id: SEED_OFFICE_IDS.baghdad, input: { code: 'BGW', name: 'IOM Baghdad', country: 'IQ', kind: 'partner_office' } },
] as const

export interface SeededOffices {
  vilnius: string
  tbilisi: string
  baghdad: string
}

/**
 * The country office in Vilnius and the partner offices in Georgia and Iraq (found by code, created when
 * missing, with their well-known ids). An office registered earlier under the code keeps its own id.
 */
export async function seedOffices(db: Kysely<DB>): Promise<SeededOffices> {
  const ids: Record<string, string> = {}
  for (const { id, input } of OFFICES) {
    const existing = await findOfficeByCode(db, input.code)
    ids[input.code] = existing ? existing.id : (await db.transaction().execute((trx) => createOffice(trx, ADMIN, { ...input }, { id }))).id
  }
  return { vilnius: ids.VNO as string, tbilisi: ids.TBS as string, baghdad: ids.BGW as string }
}
