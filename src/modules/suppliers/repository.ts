import type { Kysely, Selectable } from 'kysely'
import type { DB, SuppliersTable } from '../../db/schema.js'
import { paginate, type Page } from '../../shared/pagination.js'
import type { SupplierListFilter } from './schemas.js'
import { UUID_PATTERN } from '../../shared/ids.js'

export type SupplierRow = Selectable<SuppliersTable>

/** How registration numbers are compared: `204-566 978` and `204566978` are the same number. */
export function registrationKey(registrationNumber: string): string {
  return registrationNumber.toUpperCase().replace(/[\s./-]/g, '')
}

/** The supplier by id, or undefined; with `officeId`, only a supplier registered by that office. */
export async function findSupplierRow(db: Kysely<DB>, id: string, options: { forUpdate?: boolean; officeId?: string } = {}): Promise<SupplierRow | undefined> {
  if (!UUID_PATTERN.test(id)) return undefined
  let query = db.selectFrom('suppliers').selectAll().where('id', '=', id)
  if (options.officeId !== undefined) query = query.where('office_id', '=', options.officeId)
  if (options.forUpdate) query = query.forUpdate()
  return query.executeTakeFirst()
}

export async function findByRegistration(db: Kysely<DB>, country: string, key: string, exceptId?: string): Promise<SupplierRow | undefined> {
  let query = db.selectFrom('suppliers').selectAll().where('country', '=', country).where('registration_key', '=', key)
  if (exceptId) query = query.where('id', '<>', exceptId)
  return query.executeTakeFirst()
}

/** Suppliers in registration order; with `officeId`, only those registered by that office. */
export async function listSuppliers(db: Kysely<DB>, filter: SupplierListFilter, scope: { officeId?: string }): Promise<Page<SupplierRow>> {
  let query = db.selectFrom('suppliers').selectAll()
  if (scope.officeId !== undefined) query = query.where('office_id', '=', scope.officeId)
  if (filter.country) query = query.where('country', '=', filter.country)
  if (filter.office_id) query = query.where('office_id', '=', filter.office_id)
  if (filter.active !== undefined) query = query.where('active', '=', filter.active)
  return paginate(query, filter)
}

/** Suppliers by id, as disbursements name them. */
export async function supplierNames(db: Kysely<DB>, ids: readonly string[]): Promise<Map<string, { id: string; name: string; office_id: string }>> {
  if (ids.length === 0) return new Map()
  const rows = await db.selectFrom('suppliers').select(['id', 'name', 'office_id']).where('id', 'in', [...new Set(ids)]).execute()
  return new Map(rows.map((row) => [row.id, row]))
}
