import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'
import { createSupplier, findByRegistration, registrationKey, type CreateSupplierInput } from '../../modules/suppliers/index.js'
import { seedPartner } from './actors.js'

/** The id of the supplier registered under `input.registration_number` in `country`, registered by the partner office when missing. */
export async function ensureSupplier(db: Kysely<DB>, country: string, partnerOfficeId: string, input: CreateSupplierInput): Promise<string> {
  const existing = await findByRegistration(db, country, registrationKey(input.registration_number))
  if (existing) return existing.id
  const partner = seedPartner(partnerOfficeId, country.toLowerCase())
  return (await db.transaction().execute((trx) => createSupplier(trx, partner, input))).id
}
