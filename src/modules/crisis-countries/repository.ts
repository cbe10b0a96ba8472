import { sql, type Kysely, type Selectable, type Transaction } from 'kysely'
import type { CrisisCountriesTable, DB } from '../../db/schema.js'
import { paginate, type Page } from '../../shared/pagination.js'
import type { CrisisCountryListFilter, CrisisCountryRecord } from './schemas.js'
import { UUID_PATTERN } from '../../shared/ids.js'
import { findRow } from '../../shared/rows.js'
import { pick } from '../../shared/objects.js'

export type CrisisCountryRow = Selectable<CrisisCountriesTable>

export function toCrisisCountry(row: CrisisCountryRow): CrisisCountryRecord {
  return {
    ...pick(row, ['id', 'country', 'kind', 'valid_from', 'valid_to', 'source', 'notes', 'created_by', 'version']),
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  }
}

export async function findCrisisCountry(db: Kysely<DB>, id: string, options: { forUpdate?: boolean } = {}): Promise<CrisisCountryRow | undefined> {
  if (!UUID_PATTERN.test(id)) return undefined
  return findRow(db, 'crisis_countries', { id }, options)
}

/** Listings of the same country and kind whose period overlaps [from, to] (to null: open-ended). */
export async function overlappingListings(
  db: Kysely<DB>,
  listing: { country: string; kind: string; valid_from: string; valid_to: string | null },
  exceptId?: string,
): Promise<CrisisCountryRow[]> {
  let query = db
    .selectFrom('crisis_countries')
    .selectAll()
    .where('country', '=', listing.country)
    .where('kind', '=', listing.kind as CrisisCountryRow['kind'])
    .where((eb) => eb.or([eb('valid_to', 'is', null), eb('valid_to', '>=', listing.valid_from)]))
    .orderBy('id')
  if (listing.valid_to !== null) query = query.where('valid_from', '<=', listing.valid_to)
  if (exceptId) query = query.where('id', '<>', exceptId)
  return query.execute()
}

/**
 * Serialises changes to the listings of one country (there may be no row to lock yet): the lock
 * is held until the calling transaction ends.
 */
export async function lockCountryListings(db: Transaction<DB>, country: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext(${`crisis_countries:${country}`}))`.execute(db)
}

/** Severity order when several listings apply on one date: a war before a conflict before a disaster. */
const SEVERITY = sql<number>`case kind when 'war' then 0 when 'conflict' then 1 else 2 end`

/** The listing that makes a return to `country` urgent on `onDate` (an ISO date), if any. */
export async function crisisListingOn(db: Kysely<DB>, country: string, onDate: string): Promise<CrisisCountryRow | undefined> {
  return db
    .selectFrom('crisis_countries')
    .selectAll()
    .where('country', '=', country)
    .where('valid_from', '<=', onDate)
    .where((eb) => eb.or([eb('valid_to', 'is', null), eb('valid_to', '>=', onDate)]))
    .orderBy(SEVERITY)
    .orderBy('valid_from', 'desc')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst()
}

export async function listCrisisCountries(db: Kysely<DB>, filter: CrisisCountryListFilter): Promise<Page<CrisisCountryRecord>> {
  let query = db.selectFrom('crisis_countries').selectAll()
  if (filter.country) query = query.where('country', '=', filter.country)
  if (filter.kind) query = query.where('kind', '=', filter.kind)
  if (filter.on) {
    const on = filter.on
    query = query.where('valid_from', '<=', on).where((eb) => eb.or([eb('valid_to', 'is', null), eb('valid_to', '>=', on)]))
  }
  return paginate(query, filter, (rows) => rows.map(toCrisisCountry))
}

/** Whether the country was ever listed with this kind of crisis. */
export async function isListed(db: Kysely<DB>, country: string, kind: CrisisCountryRow['kind']): Promise<boolean> {
  return (await db.selectFrom('crisis_countries').select('id').where('country', '=', country).where('kind', '=', kind).executeTakeFirst()) !== undefined
}
