import type { Insertable, Kysely, Selectable, Updateable } from 'kysely'
import type { AccommodationsTable, DB, TravelInsurancesTable } from '../../db/schema.js'
import { daysBetween } from '../../shared/dates.js'
import { paginate, type Page } from '../../shared/pagination.js'
import type { AccommodationListFilter, AccommodationRecord, TravelInsuranceListFilter, TravelInsuranceRecord } from './schemas.js'
import { updateVersioned, insertRow } from '../../shared/rows.js'
import { money } from '../../shared/money.js'
import { pick } from '../../shared/objects.js'

export type TravelInsuranceRow = Selectable<TravelInsurancesTable>
export type AccommodationRow = Selectable<AccommodationsTable>
export type ArrangementTable = 'travel_insurances' | 'accommodations'
export type ArrangementRow = TravelInsuranceRow | AccommodationRow

function commonFields(row: ArrangementRow) {
  return {
    ...pick(row, ['id', 'case_id', 'payee_name', 'status', 'payment_request_id', 'notes', 'requested_by', 'version']),
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  }
}

export function toTravelInsurance(row: TravelInsuranceRow): TravelInsuranceRecord {
  return {
    ...commonFields(row),
    ...pick(row, ['member_id', 'insurer', 'policy_number', 'cover_from', 'cover_until']),
    premium: money(row.cost_minor, row.currency),
  }
}

export function toAccommodation(row: AccommodationRow): AccommodationRecord {
  return {
    ...commonFields(row),
    ...pick(row, ['place_name', 'address', 'check_in_on', 'check_out_on']),
    nights: daysBetween(row.check_in_on, row.check_out_on),
    guests: row.guests,
    cost: money(row.cost_minor, row.currency),
  }
}

export async function insertTravelInsurance(db: Kysely<DB>, values: Insertable<TravelInsurancesTable>): Promise<TravelInsuranceRow> {
  return insertRow(db, 'travel_insurances', values)
}

export async function insertAccommodation(db: Kysely<DB>, values: Insertable<AccommodationsTable>): Promise<AccommodationRow> {
  return insertRow(db, 'accommodations', values)
}

export async function findArrangement<T extends ArrangementTable>(
  db: Kysely<DB>,
  table: T,
  filter: { caseId: string; id: string } | { paymentRequestId: string },
  options: { forUpdate?: boolean } = {},
): Promise<Selectable<DB[T]> | undefined> {
  const from = db.selectFrom(table as ArrangementTable).selectAll()
  let query = 'paymentRequestId' in filter ? from.where('payment_request_id', '=', filter.paymentRequestId) : from.where('id', '=', filter.id).where('case_id', '=', filter.caseId)
  if (options.forUpdate) query = query.forUpdate()
  return (await query.executeTakeFirst()) as Selectable<DB[T]> | undefined
}

export async function setArrangementStatus(db: Kysely<DB>, table: ArrangementTable, id: string, status: Updateable<TravelInsurancesTable>['status']): Promise<ArrangementRow> {
  return (await updateVersioned(db, table, id, { status })) as ArrangementRow
}

export async function listTravelInsurances(db: Kysely<DB>, caseId: string, filter: TravelInsuranceListFilter): Promise<Page<TravelInsuranceRecord>> {
  let query = db.selectFrom('travel_insurances').selectAll().where('case_id', '=', caseId)
  if (filter.member_id) query = query.where('member_id', '=', filter.member_id)
  if (filter.status) query = query.where('status', '=', filter.status)
  return paginate(query, filter, (rows) => rows.map(toTravelInsurance))
}

export async function listAccommodations(db: Kysely<DB>, caseId: string, filter: AccommodationListFilter): Promise<Page<AccommodationRecord>> {
  let query = db.selectFrom('accommodations').selectAll().where('case_id', '=', caseId)
  if (filter.status) query = query.where('status', '=', filter.status)
  return paginate(query, filter, (rows) => rows.map(toAccommodation))
}

/**
 * The traveller's policy that covers every day from `from` to `until` and is not rejected or
 * cancelled (the one covering longest), locked FOR SHARE until the caller's transaction ends.
 */
export async function policyCovering(db: Kysely<DB>, memberId: string, from: string, until: string): Promise<string | null> {
  const row = await db
    .selectFrom('travel_insurances')
    .select('id')
    .where('member_id', '=', memberId)
    .where('status', 'in', ['requested', 'approved', 'paid'])
    .where('cover_from', '<=', from)
    .where('cover_until', '>=', until)
    .orderBy('cover_until', 'desc')
    .orderBy('id')
    .limit(1)
    .forShare()
    .executeTakeFirst()
  return row?.id ?? null
}

export async function travelInsuranceRecordsOfMember(db: Kysely<DB>, memberId: string): Promise<Record<string, string[]>> {
  const rows = await db.selectFrom('travel_insurances').select('id').where('member_id', '=', memberId).orderBy('id').execute()
  return { travel_insurances: rows.map((row) => row.id) }
}
