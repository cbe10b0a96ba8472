import type { Kysely, Selectable } from 'kysely'
import type { DB, SuppliersTable } from '../../db/schema.js'
import { decodeCursor, DEFAULT_PAGE_SIZE, toPage, type Page } from '../../shared/pagination.js'
import { hasRole, isPartnerOnly, type Actor } from '../../shared/roles.js'
import type { SupplierListFilter, SupplierRecord } from './schemas.js'
import { UUID_PATTERN } from '../../shared/ids.js'

export type SupplierRow = Selectable<SuppliersTable>

const NO_OFFICE = '00000000-0000-0000-0000-000000000000'

/** The office a partner-only actor is limited to (a malformed office id matches nothing). */
function partnerOffice(actor: Actor): string {
  return actor.officeId !== null && UUID_PATTERN.test(actor.officeId) ? actor.officeId : NO_OFFICE
}

/** How registration numbers are compared: `204-566 978` and `204566978` are the same number. */
export function registrationKey(registrationNumber: string): string {
  return registrationNumber.toUpperCase().replace(/[\s./-]/g, '')
}

/** Bank details are for those who pay the supplier: finance, and the partner office that registered it. */
export function maySeeBankDetails(actor: Actor, supplier: Pick<SupplierRow, 'office_id'>): boolean {
  return hasRole(actor, 'finance') || (actor.roles.includes('partner') && actor.officeId === supplier.office_id)
}

/** The supplier as the actor may see it: every response shape goes through here, so bank details never leak. */
export function presentSupplier(actor: Actor, row: SupplierRow): SupplierRecord {
  const visible = maySeeBankDetails(actor, row)
  return {
    id: row.id,
    office_id: row.office_id,
    country: row.country,
    name: row.name,
    registration_number: row.registration_number,
    address: row.address,
    contact: row.contact,
    bank_details: visible ? row.bank_details : null,
    bank_details_visible: visible,
    has_bank_details: row.bank_details !== null,
    active: row.active,
    deactivation:
      row.active || row.deactivated_at === null
        ? null
        : { deactivated_by: row.deactivated_by ?? '', deactivated_at: row.deactivated_at.toISOString(), reason: row.deactivation_reason ?? '' },
    created_by: row.created_by,
    version: row.version,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  }
}

/** The supplier by id, or undefined; a partner-only actor finds only the suppliers of its own office. */
export async function findSupplierRow(db: Kysely<DB>, id: string, options: { forUpdate?: boolean; actor?: Actor } = {}): Promise<SupplierRow | undefined> {
  if (!UUID_PATTERN.test(id)) return undefined
  let query = db.selectFrom('suppliers').selectAll().where('id', '=', id)
  if (options.actor && isPartnerOnly(options.actor)) query = query.where('office_id', '=', partnerOffice(options.actor))
  if (options.forUpdate) query = query.forUpdate()
  return query.executeTakeFirst()
}

export async function findByRegistration(db: Kysely<DB>, country: string, key: string, exceptId?: string): Promise<SupplierRow | undefined> {
  let query = db.selectFrom('suppliers').selectAll().where('country', '=', country).where('registration_key', '=', key)
  if (exceptId) query = query.where('id', '<>', exceptId)
  return query.executeTakeFirst()
}

export async function listSuppliers(db: Kysely<DB>, actor: Actor, filter: SupplierListFilter): Promise<Page<SupplierRecord>> {
  const limit = filter.limit ?? DEFAULT_PAGE_SIZE
  const after = decodeCursor(filter.cursor, 1)
  let query = db.selectFrom('suppliers').selectAll().orderBy('id').limit(limit + 1)
  if (after) query = query.where('id', '>', String(after[0]))
  if (isPartnerOnly(actor)) query = query.where('office_id', '=', partnerOffice(actor))
  if (filter.country) query = query.where('country', '=', filter.country)
  if (filter.office_id) query = query.where('office_id', '=', filter.office_id)
  if (filter.active !== undefined) query = query.where('active', '=', filter.active)
  return toPage(await query.execute(), limit, (row) => [row.id], (row) => presentSupplier(actor, row))
}

/** Suppliers by id, as disbursements name them. */
export async function supplierNames(db: Kysely<DB>, ids: readonly string[]): Promise<Map<string, { id: string; name: string; office_id: string }>> {
  if (ids.length === 0) return new Map()
  const rows = await db.selectFrom('suppliers').select(['id', 'name', 'office_id']).where('id', 'in', [...new Set(ids)]).execute()
  return new Map(rows.map((row) => [row.id, row]))
}
