import type { Kysely, Selectable } from 'kysely'
import type { DB, OfficesTable } from '../../db/schema.js'
import { paginate, type Page } from '../../shared/pagination.js'
import type { CreateOfficeInput, OfficeListFilter, OfficeRecord, UpdateOfficeInput } from './schemas.js'
import { PREPARED } from '../../db/prepared.js'
import { updateVersioned, findRow } from '../../shared/rows.js'

export function toOffice(row: Selectable<OfficesTable>): OfficeRecord {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    country: row.country,
    kind: row.kind,
    version: row.version,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  }
}

export async function insertOffice(db: Kysely<DB>, id: string, input: CreateOfficeInput): Promise<OfficeRecord> {
  const row = await db.insertInto('offices').values({ id, ...input }).returningAll().executeTakeFirstOrThrow()
  return toOffice(row)
}

export async function findOffice(db: Kysely<DB>, id: string, options: { forUpdate?: boolean } = {}): Promise<OfficeRecord | undefined> {
  const row = await findRow(db, 'offices', { id }, options)
  return row && toOffice(row)
}

export async function updateOffice(db: Kysely<DB>, id: string, changes: UpdateOfficeInput): Promise<OfficeRecord> {
  const row = await updateVersioned(db, 'offices', id, changes)
  return toOffice(row)
}

export async function listOffices(db: Kysely<DB>, filter: OfficeListFilter): Promise<Page<OfficeRecord>> {
  let query = db.selectFrom('offices').selectAll()
  if (filter.kind) query = query.where('kind', '=', filter.kind)
  if (filter.country) query = query.where('country', '=', filter.country)
  return paginate(query, filter, (rows) => rows.map(toOffice))
}

/** Partner offices that cover returns to a country (for referral of cases). */
export async function partnerOfficesIn(db: Kysely<DB>, country: string): Promise<OfficeRecord[]> {
  const rows = await db.selectFrom('offices').selectAll().where('kind', '=', 'partner_office').where('country', '=', country).orderBy('id').execute()
  return rows.map(toOffice)
}

export async function findOfficeByCode(db: Kysely<DB>, code: string): Promise<OfficeRecord | undefined> {
  const row = await db.selectFrom('offices').selectAll().where('code', '=', code).executeTakeFirst()
  return row && toOffice(row)
}

/** What a new case needs of its office, on the hot path of creating a case (prepared). */
export async function officeCodeAndKind(db: Kysely<DB>, id: string): Promise<Pick<OfficeRecord, 'id' | 'code' | 'kind'> | undefined> {
  return db.selectFrom('offices').modifyFront(PREPARED).select(['id', 'code', 'kind']).where('id', '=', id).executeTakeFirst()
}
