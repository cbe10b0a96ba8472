import { sql, type Insertable, type Kysely, type Selectable, type Updateable } from 'kysely'
import type { CaseStatus, DB, TransitVisasTable, TravelDocumentsTable } from '../../db/schema.js'
import { decodeCursor, DEFAULT_PAGE_SIZE, paginate, toPage, type Page } from '../../shared/pagination.js'
import { invalidField } from '../../shared/problems.js'
import { caseFacts } from '../return-cases/index.js'
import { travelDates } from './ports.js'
import type { TravelDocumentListFilter, TravelDocumentQueueFilter, TravelDocumentQueueItemRecord, TravelDocumentReadStatus, TravelDocumentRecord } from './schemas.js'
import { UUID_PATTERN } from '../../shared/ids.js'
import type { TransitVisaListFilter, TransitVisaRecord } from './transit-visa-schemas.js'
import { todayIso, daysBetween } from '../../shared/dates.js'
import { updateVersioned } from '../../shared/rows.js'
import { pick } from '../../shared/objects.js'

export type TravelDocumentRow = Selectable<TravelDocumentsTable>

const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/

/** Cases whose travellers still need documents: not yet departed and not ended. */
export const PRE_DEPARTURE_CASE_STATUSES: readonly CaseStatus[] = ['draft', 'submitted', 'in_counselling', 'approved', 'travel_booked']

/** The status as read: a held document past its expiry date is `expired`. */
export function effectiveStatus(row: Pick<TravelDocumentRow, 'status' | 'expires_on'>, today: string = todayIso()): TravelDocumentReadStatus {
  if ((row.status === 'valid' || row.status === 'issued') && row.expires_on !== null && row.expires_on < today) return 'expired'
  return row.status
}

function waitingDays(row: TravelDocumentRow, today: string): number | null {
  if (row.kind !== 'emergency_travel_document' || row.requested_on === null) return null
  const decidedOn = row.status === 'refused' ? row.refused_on : row.status === 'issued' ? row.issued_on : null
  return daysBetween(row.requested_on, decidedOn ?? today)
}

export function toTravelDocument(row: TravelDocumentRow, today: string = todayIso()): TravelDocumentRecord {
  return {
    id: row.id,
    case_id: row.case_id,
    member_id: row.member_id,
    kind: row.kind,
    status: effectiveStatus(row, today),
    description: row.description,
    document_number: row.document_number,
    issuing_country: row.issuing_country,
    issuing_authority: row.issuing_authority,
    issued_on: row.issued_on,
    expires_on: row.expires_on,
    requested_on: row.requested_on,
    waiting_days: waitingDays(row, today),
    ...workflowFields(row),
  }
}

/** Every document of a traveller, oldest first. `forShare` keeps them from changing until the caller's transaction ends. */
export async function documentsOfMember(db: Kysely<DB>, memberId: string, options: { forShare?: boolean } = {}): Promise<TravelDocumentRow[]> {
  let query = db.selectFrom('travel_documents').selectAll().where('member_id', '=', memberId).orderBy('id')
  if (options.forShare) query = query.forShare()
  return query.execute()
}

export async function listDocuments(db: Kysely<DB>, caseId: string, filter: TravelDocumentListFilter): Promise<Page<TravelDocumentRecord>> {
  const today = todayIso()
  let query = db.selectFrom('travel_documents').selectAll().where('case_id', '=', caseId)
  if (filter.member_id) query = query.where('member_id', '=', filter.member_id)
  if (filter.kind) query = query.where('kind', '=', filter.kind)
  if (filter.status === 'expired') {
    query = query.where('status', 'in', ['valid', 'issued']).where('expires_on', '<', today)
  } else if (filter.status === 'valid' || filter.status === 'issued') {
    query = query.where('status', '=', filter.status).where('expires_on', '>=', today)
  } else if (filter.status) {
    query = query.where('status', '=', filter.status)
  }
  return paginate(query, filter, (rows) => rows.map((row) => toTravelDocument(row, today)))
}

/**
 * The operations queues across cases (only cases not yet departed nor ended):
 * - `waiting`: emergency travel documents still requested, the longest-waiting first;
 * - `expiring_before_travel`: held documents that expire before the travel date (the end of the
 *   case's latest active booking, else its intended departure date), earliest expiry first,
 *   leaving out travellers who hold another document valid through that date.
 * Keyset pagination on (date, id).
 */
export async function documentQueue(db: Kysely<DB>, filter: TravelDocumentQueueFilter): Promise<Page<TravelDocumentQueueItemRecord>> {
  const limit = filter.limit ?? DEFAULT_PAGE_SIZE
  const after = decodeCursor(filter.cursor, 2)
  if (after && !(typeof after[0] === 'string' && DATE_PATTERN.test(after[0]) && typeof after[1] === 'string' && UUID_PATTERN.test(after[1]))) {
    throw invalidField('/query/cursor', 'malformed cursor')
  }
  const today = todayIso()
  const waiting = filter.attention === 'waiting'
  const sortColumn = waiting ? sql.ref('d.requested_on') : sql.ref('d.expires_on')
  const travelOn = sql<string | null>`coalesce(${travelDates.get().travelEndsOn(sql.ref('c.id'))}, c.intended_departure_on)`
  let query = db
    .selectFrom('travel_documents as d')
    .innerJoin(caseFacts(db).as('c'), 'c.id', 'd.case_id')
    .selectAll('d')
    .select(['c.reference as case_reference', 'c.status as case_status', 'c.intended_departure_on as case_intended_departure_on'])
    .select(travelOn.as('travel_on'))
    .where('c.status', 'in', PRE_DEPARTURE_CASE_STATUSES)
    .orderBy(sortColumn)
    .orderBy('d.id')
    .limit(limit + 1)
  if (waiting) {
    query = query.where('d.status', '=', 'requested')
  } else {
    query = query
      .where('d.status', 'in', ['valid', 'issued'])
      .where(sql<boolean>`d.expires_on < ${travelOn}`)
      .where(
        sql<boolean>`not exists (
          select 1 from travel_documents other
           where other.member_id = d.member_id and other.id <> d.id and other.status in ('valid', 'issued')
             and other.expires_on >= ${travelOn})`,
      )
  }
  if (after) query = query.where(sql<boolean>`(${sortColumn}, d.id) > (${String(after[0])}::date, ${String(after[1])}::uuid)`)
  const rows = await query.execute()
  return toPage(
    rows,
    limit,
    (row) => [(waiting ? row.requested_on : row.expires_on) as string, row.id],
    (row) => {
      const { case_reference, case_status, case_intended_departure_on, travel_on, ...document } = row
      return {
        document: toTravelDocument(document, today),
        case: { id: row.case_id, reference: case_reference, status: case_status, intended_departure_on: case_intended_departure_on },
        travel_on: travel_on === null ? null : String(travel_on).slice(0, 10),
      }
    },
  )
}

export async function travelDocumentRecordsOfMember(db: Kysely<DB>, memberId: string): Promise<Record<string, string[]>> {
  const rows = await db.selectFrom('travel_documents').select('id').where('member_id', '=', memberId).orderBy('id').execute()
  return { travel_documents: rows.map((row) => row.id) }
}

// ---------------------------------------------------------------- transit visas

export type TransitVisaRow = Selectable<TransitVisasTable>

export function toTransitVisa(row: TransitVisaRow): TransitVisaRecord {
  return {
    ...pick(row, ['id', 'case_id', 'member_id', 'transit_country', 'status', 'issuing_authority', 'requested_on', 'visa_number', 'issued_on', 'valid_from', 'valid_until']),
    ...workflowFields(row),
  }
}

/** A traveller's transit visas for the given countries, oldest first, locked FOR SHARE so they cannot change before the caller's transaction ends. */
export async function transitVisasOfMember(db: Kysely<DB>, memberId: string, countries: readonly string[]): Promise<TransitVisaRow[]> {
  if (countries.length === 0) return []
  return db.selectFrom('transit_visas').selectAll().where('member_id', '=', memberId).where('transit_country', 'in', countries).orderBy('id').forShare().execute()
}

export async function listTransitVisas(db: Kysely<DB>, caseId: string, filter: TransitVisaListFilter): Promise<Page<TransitVisaRecord>> {
  let query = db.selectFrom('transit_visas').selectAll().where('case_id', '=', caseId)
  if (filter.member_id) query = query.where('member_id', '=', filter.member_id)
  if (filter.transit_country) query = query.where('transit_country', '=', filter.transit_country)
  if (filter.status) query = query.where('status', '=', filter.status)
  return paginate(query, filter, (rows) => rows.map(toTransitVisa))
}

export async function transitVisaRecordsOfMember(db: Kysely<DB>, memberId: string): Promise<Record<string, string[]>> {
  const rows = await db.selectFrom('transit_visas').select('id').where('member_id', '=', memberId).orderBy('id').execute()
  return { transit_visas: rows.map((row) => row.id) }
}

// ---------------------------------------------------------------- both tables of the document workflow

/** The tables of the document workflow (document-workflow.ts): rows of one traveller of a case, requested, then issued or refused. */
export type DocumentTable = 'travel_documents' | 'transit_visas'
interface DocumentTables {
  travel_documents: { row: TravelDocumentRow; insert: Insertable<TravelDocumentsTable>; update: Updateable<TravelDocumentsTable> }
  transit_visas: { row: TransitVisaRow; insert: Insertable<TransitVisasTable>; update: Updateable<TransitVisasTable> }
}
export type DocumentRowOf<T extends DocumentTable> = DocumentTables[T]['row']
export type DocumentInsertOf<T extends DocumentTable> = DocumentTables[T]['insert']
export type DocumentUpdateOf<T extends DocumentTable> = DocumentTables[T]['update']

/** What both records show the same way: the decision, the remarks, the actions allowed now, who recorded it and its version. */
function workflowFields(row: TravelDocumentRow | TransitVisaRow): Pick<TransitVisaRecord, 'refused_on' | 'refusal_reason' | 'notes' | 'allowed_actions' | 'created_by' | 'version' | 'created_at' | 'updated_at'> {
  return {
    refused_on: row.refused_on,
    refusal_reason: row.refusal_reason,
    notes: row.notes,
    allowed_actions: row.status === 'requested' ? ['issue', 'refuse'] : [],
    created_by: row.created_by,
    version: row.version,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  }
}

export async function insertRow<T extends DocumentTable>(db: Kysely<DB>, table: T, values: DocumentInsertOf<T>): Promise<DocumentRowOf<T>> {
  const row = await db.insertInto(table as DocumentTable).values(values as Insertable<DB[DocumentTable]>).returningAll().executeTakeFirstOrThrow()
  return row as DocumentRowOf<T>
}

export async function findOnCase<T extends DocumentTable>(db: Kysely<DB>, table: T, caseId: string, id: string, options: { forUpdate?: boolean } = {}): Promise<DocumentRowOf<T> | undefined> {
  let query = db.selectFrom(table as DocumentTable).selectAll().where('id', '=', id).where('case_id', '=', caseId)
  if (options.forUpdate) query = query.forUpdate()
  return (await query.executeTakeFirst()) as DocumentRowOf<T> | undefined
}

export async function updateRow<T extends DocumentTable>(db: Kysely<DB>, table: T, id: string, changes: DocumentUpdateOf<T>): Promise<DocumentRowOf<T>> {
  const row = await updateVersioned(db, table as DocumentTable, id, changes as Updateable<DB[DocumentTable]>)
  return row as DocumentRowOf<T>
}
