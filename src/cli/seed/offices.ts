import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'
import type { RequestContext } from '../../shared/context.js'
import { createOffice, findOfficeByCode } from '../../modules/offices/index.js'

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
    const existing = await findOfficeByCode(db, office.code)
    ids[office.code] = existing ? existing.id : (await db.transaction().execute((trx) => createOffice(trx, SYSTEM, { ...office }))).id
  }
  return { vilnius: ids.VNO as string, tbilisi: ids.TBS as string, baghdad: ids.BGW as string }
}
