import { sql, type Expression, type Insertable, type Kysely, type RawBuilder, type Selectable, type Updateable } from 'kysely'
import type { BookingSegmentsTable, BookingsTable, DB, PaymentStatus, TicketsTable } from '../../db/schema.js'
import { paginate, type Page } from '../../shared/pagination.js'
import type { BookingListFilter, BookingRecord, TicketAction, TicketListFilter, TicketRecord } from './schemas.js'
import { paymentStatuses } from '../payments/index.js'
import type { TransitVisaNeed } from '../travel-documents/index.js'
import { updateVersioned, findRow, insertRow } from '../../shared/rows.js'
import { money } from '../../shared/money.js'

export type BookingRow = Selectable<BookingsTable>
export type SegmentRow = Selectable<BookingSegmentsTable>
export type TicketRow = Selectable<TicketsTable>
export type TicketWithContext = TicketRow & { travel_on: string; payment_status: PaymentStatus }

// ---------------------------------------------------------------- local times

/** An instant shown in the local time of the offset it was scheduled in: `2026-12-01T06:35:00+02:00`. */
export function localTime(at: Date, offsetMinutes: number): string {
  const shifted = new Date(at.getTime() + offsetMinutes * 60_000).toISOString().slice(0, 19)
  const sign = offsetMinutes < 0 ? '-' : '+'
  const absolute = Math.abs(offsetMinutes)
  return `${shifted}${sign}${String(Math.floor(absolute / 60)).padStart(2, '0')}:${String(absolute % 60).padStart(2, '0')}`
}

/** The UTC offset of an RFC 3339 time, in minutes (`Z` is 0). */
export function offsetMinutesOf(value: string): number {
  const match = /(?:Z|([+-])(\d{2}):(\d{2}))$/.exec(value)
  if (!match || match[1] === undefined) return 0
  const minutes = Number(match[2]) * 60 + Number(match[3])
  return match[1] === '-' ? -minutes : minutes
}

// ---------------------------------------------------------------- bookings

export function toBooking(row: BookingRow, segments: readonly SegmentRow[]): BookingRecord {
  const ordered = [...segments].sort((a, b) => a.position - b.position)
  const first = ordered[0] as SegmentRow
  const last = ordered.at(-1) as SegmentRow
  const transitPoints = ordered.slice(1).map((segment, index) => {
    const previous = ordered[index] as SegmentRow
    return {
      airport: segment.from_airport,
      arrives_at: localTime(previous.arrives_at, previous.arrives_offset_minutes),
      departs_at: localTime(segment.departs_at, segment.departs_offset_minutes),
      connection_minutes: Math.round((segment.departs_at.getTime() - previous.arrives_at.getTime()) / 60_000),
      country: row.transit_requirements.find((requirement) => requirement.airport === segment.from_airport)?.country ?? null,
      visa_required: row.transit_requirements.some((requirement) => requirement.airport === segment.from_airport && requirement.visa_required),
    }
  })
  return {
    id: row.id,
    case_id: row.case_id,
    booking_reference: row.booking_reference,
    status: row.status,
    segments: ordered.map((segment) => ({
      position: segment.position,
      from_airport: segment.from_airport,
      to_airport: segment.to_airport,
      carrier: segment.carrier,
      flight_number: segment.flight_number,
      departs_at: localTime(segment.departs_at, segment.departs_offset_minutes),
      arrives_at: localTime(segment.arrives_at, segment.arrives_offset_minutes),
    })),
    transit_points: transitPoints,
    departure_airport: first.from_airport,
    arrival_airport: last.to_airport,
    travel_starts_at: localTime(first.departs_at, first.departs_offset_minutes),
    travel_ends_on: row.travel_ends_on,
    assistance: row.assistance,
    escorts: row.escorts,
    notes: row.notes,
    cancellation:
      row.status === 'cancelled' && row.cancelled_by && row.cancelled_at
        ? { cancelled_by: row.cancelled_by, cancelled_at: row.cancelled_at.toISOString(), reason: row.cancellation_reason ?? '' }
        : null,
    created_by: row.created_by,
    version: row.version,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  }
}

/** The local date of a route's first departure. */
export function travelStartsOn(segments: readonly SegmentRow[]): string {
  const first = [...segments].sort((a, b) => a.position - b.position)[0] as SegmentRow
  return localTime(first.departs_at, first.departs_offset_minutes).slice(0, 10)
}

/** The transit points of a booking where travellers need a visa, with the local dates they arrive there and fly on. */
export function transitVisaNeeds(row: Pick<BookingRow, 'transit_requirements'>, segments: readonly SegmentRow[]): TransitVisaNeed[] {
  const ordered = [...segments].sort((a, b) => a.position - b.position)
  return ordered.slice(1).flatMap((segment, index) => {
    const requirement = row.transit_requirements.find((entry) => entry.airport === segment.from_airport && entry.visa_required)
    if (!requirement) return []
    const previous = ordered[index] as SegmentRow
    return [
      {
        airport: segment.from_airport,
        country: requirement.country,
        arrives_on: localTime(previous.arrives_at, previous.arrives_offset_minutes).slice(0, 10),
        departs_on: localTime(segment.departs_at, segment.departs_offset_minutes).slice(0, 10),
      },
    ]
  })
}

export async function insertBooking(db: Kysely<DB>, values: Insertable<BookingsTable>, segments: Array<Insertable<BookingSegmentsTable>>): Promise<BookingRow> {
  const row = await db.insertInto('bookings').values(values).returningAll().executeTakeFirstOrThrow()
  await db.insertInto('booking_segments').values(segments).execute()
  return row
}

export async function findBooking(db: Kysely<DB>, caseId: string, bookingId: string, options: { forUpdate?: boolean } = {}): Promise<BookingRow | undefined> {
  return findRow(db, 'bookings', { id: bookingId, case_id: caseId }, options)
}

export async function activeBookingWithReference(db: Kysely<DB>, caseId: string, reference: string): Promise<BookingRow | undefined> {
  return db.selectFrom('bookings').selectAll().where('case_id', '=', caseId).where('booking_reference', '=', reference).where('status', '=', 'active').executeTakeFirst()
}

export async function segmentsOf(db: Kysely<DB>, bookingIds: readonly string[]): Promise<SegmentRow[]> {
  if (bookingIds.length === 0) return []
  return db.selectFrom('booking_segments').selectAll().where('booking_id', 'in', bookingIds).orderBy('booking_id').orderBy('position').execute()
}

export async function presentBookings(db: Kysely<DB>, rows: readonly BookingRow[]): Promise<BookingRecord[]> {
  const segments = await segmentsOf(
    db,
    rows.map((row) => row.id),
  )
  return rows.map((row) => toBooking(row, segments.filter((segment) => segment.booking_id === row.id)))
}

export async function updateBooking(db: Kysely<DB>, id: string, changes: Updateable<BookingsTable>): Promise<BookingRow> {
  return updateVersioned(db, 'bookings', id, changes)
}

export async function activeBookingsOfCase(db: Kysely<DB>, caseId: string): Promise<BookingRow[]> {
  return db.selectFrom('bookings').selectAll().where('case_id', '=', caseId).where('status', '=', 'active').orderBy('id').forUpdate().execute()
}

export async function listBookings(db: Kysely<DB>, caseId: string, filter: BookingListFilter): Promise<Page<BookingRecord>> {
  let query = db.selectFrom('bookings').selectAll().where('case_id', '=', caseId)
  if (filter.status) query = query.where('status', '=', filter.status)
  return paginate(query, filter, (rows) => presentBookings(db, rows))
}

// ---------------------------------------------------------------- tickets

export function ticketActions(row: Pick<TicketRow, 'status' | 'arrived_at' | 'carrier_refund_minor'>, paymentStatus: PaymentStatus): TicketAction[] {
  switch (row.status) {
    case 'refunded':
      return paymentStatus === 'paid' && row.carrier_refund_minor === null ? ['record_carrier_refund'] : []
    case 'requested':
      return ['void']
    case 'issued':
      return paymentStatus === 'paid' ? ['refund', 'confirm_departure', 'record_no_show'] : ['void', 'refund', 'confirm_departure', 'record_no_show']
    case 'used':
      return row.arrived_at === null ? ['confirm_arrival'] : []
    default:
      return []
  }
}

export function toTicket(row: TicketWithContext): TicketRecord {
  return {
    id: row.id,
    case_id: row.case_id,
    booking_id: row.booking_id,
    member_id: row.member_id,
    ticket_number: row.ticket_number,
    fare: money(row.fare_minor, row.currency),
    payee: { type: row.payee_type, name: row.payee_name },
    status: row.status,
    payment_request_id: row.payment_request_id,
    payment_status: row.payment_status,
    travel_on: row.travel_on,
    travel_document_id: row.travel_document_id,
    issued_at: row.issued_at?.toISOString() ?? null,
    departure:
      row.departed_at && row.departure_recorded_by && row.departure_recorded_at
        ? { at: row.departed_at.toISOString(), recorded_by: row.departure_recorded_by, recorded_at: row.departure_recorded_at.toISOString() }
        : null,
    arrival:
      row.arrived_at && row.arrival_recorded_by && row.arrival_recorded_at
        ? { at: row.arrived_at.toISOString(), recorded_by: row.arrival_recorded_by, recorded_at: row.arrival_recorded_at.toISOString() }
        : null,
    no_show: row.no_show_recorded_by && row.no_show_recorded_at ? { recorded_by: row.no_show_recorded_by, recorded_at: row.no_show_recorded_at.toISOString() } : null,
    ended: row.ended_by && row.ended_at ? { by: row.ended_by, at: row.ended_at.toISOString(), reason: row.end_reason ?? '' } : null,
    carrier_refund:
      row.carrier_refund_minor !== null && row.carrier_refunded_on && row.carrier_refund_reference && row.carrier_refund_ledger_entry_id && row.carrier_refund_recorded_by && row.carrier_refund_recorded_at
        ? {
            amount: money(Number(row.carrier_refund_minor), row.currency),
            refunded_on: row.carrier_refunded_on,
            reference: row.carrier_refund_reference,
            ledger_entry_id: row.carrier_refund_ledger_entry_id,
            recorded_by: row.carrier_refund_recorded_by,
            recorded_at: row.carrier_refund_recorded_at.toISOString(),
          }
        : null,
    allowed_actions: ticketActions(row, row.payment_status),
    requested_by: row.requested_by,
    version: row.version,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  }
}

function ticketsWithTravelDate(db: Kysely<DB>) {
  return db.selectFrom('tickets as t').innerJoin('bookings as b', 'b.id', 't.booking_id').selectAll('t').select('b.travel_ends_on as travel_on')
}

/** Tickets with the status of the payment request that pays each (asked of payments). */
async function withPaymentStatus(db: Kysely<DB>, rows: ReadonlyArray<TicketRow & { travel_on: string }>): Promise<TicketWithContext[]> {
  const statuses = await paymentStatuses(db, rows.map((row) => row.payment_request_id))
  return rows.map((row) => ({ ...row, payment_status: statuses.get(row.payment_request_id) as PaymentStatus }))
}

export async function ticketWithContext(db: Kysely<DB>, ticketId: string): Promise<TicketWithContext> {
  const [ticket] = await withPaymentStatus(db, [await ticketsWithTravelDate(db).where('t.id', '=', ticketId).executeTakeFirstOrThrow()])
  return ticket as TicketWithContext
}

export async function presentTicket(db: Kysely<DB>, ticketId: string): Promise<TicketRecord> {
  return toTicket(await ticketWithContext(db, ticketId))
}

export async function insertTicket(db: Kysely<DB>, values: Insertable<TicketsTable>): Promise<TicketRow> {
  return insertRow(db, 'tickets', values)
}

export async function findTicket(db: Kysely<DB>, caseId: string, ticketId: string, options: { forUpdate?: boolean } = {}): Promise<TicketRow | undefined> {
  return findRow(db, 'tickets', { id: ticketId, case_id: caseId }, options)
}

export async function findTicketByPayment(db: Kysely<DB>, paymentRequestId: string): Promise<TicketRow | undefined> {
  return db.selectFrom('tickets').selectAll().where('payment_request_id', '=', paymentRequestId).forUpdate().executeTakeFirst()
}

/** The case's tickets, locked, oldest first. */
export async function ticketsOfCase(db: Kysely<DB>, caseId: string): Promise<TicketRow[]> {
  return db.selectFrom('tickets').selectAll().where('case_id', '=', caseId).orderBy('id').forUpdate().execute()
}

export async function liveTicketOf(db: Kysely<DB>, bookingId: string, memberId: string): Promise<TicketRow | undefined> {
  return db
    .selectFrom('tickets')
    .selectAll()
    .where('booking_id', '=', bookingId)
    .where('member_id', '=', memberId)
    .where('status', 'in', ['requested', 'issued', 'used'])
    .executeTakeFirst()
}

export async function liveTicketWithNumber(db: Kysely<DB>, ticketNumber: string): Promise<TicketRow | undefined> {
  return db.selectFrom('tickets').selectAll().where('ticket_number', '=', ticketNumber).where('status', '<>', 'voided').executeTakeFirst()
}

export async function updateTicket(db: Kysely<DB>, id: string, changes: Updateable<TicketsTable>): Promise<TicketRow> {
  return updateVersioned(db, 'tickets', id, changes)
}

export async function listTickets(db: Kysely<DB>, caseId: string, filter: TicketListFilter): Promise<Page<TicketRecord>> {
  let query = ticketsWithTravelDate(db).where('t.case_id', '=', caseId)
  if (filter.status) query = query.where('t.status', '=', filter.status)
  if (filter.member_id) query = query.where('t.member_id', '=', filter.member_id)
  if (filter.booking_id) query = query.where('t.booking_id', '=', filter.booking_id)
  return paginate(query, filter, async (rows) => (await withPaymentStatus(db, rows)).map(toTicket), { column: 't.id' })
}

/** The travellers of a case who hold an issued ticket on an active booking. */
export async function travellersWithIssuedTicket(db: Kysely<DB>, caseId: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom('tickets as t')
    .innerJoin('bookings as b', 'b.id', 't.booking_id')
    .select('t.member_id')
    .distinct()
    .where('t.case_id', '=', caseId)
    .where('t.status', '=', 'issued')
    .where('b.status', '=', 'active')
    .execute()
  return new Set(rows.map((row) => row.member_id))
}

/** How many tickets of the case are in each status. */
export async function ticketStatusCounts(db: Kysely<DB>, caseId: string): Promise<Record<TicketRow['status'], number> & { arrived: number }> {
  const rows = await db
    .selectFrom('tickets')
    .select(['status'])
    .select((eb) => [eb.fn.countAll<number>().as('count'), eb.fn.count<number>('arrived_at').as('arrived')])
    .where('case_id', '=', caseId)
    .groupBy('status')
    .execute()
  const counts = { requested: 0, issued: 0, used: 0, refunded: 0, voided: 0, arrived: 0 }
  for (const row of rows) {
    counts[row.status] = Number(row.count)
    if (row.status === 'used') counts.arrived = Number(row.arrived)
  }
  return counts
}

export async function caseHasBookings(db: Kysely<DB>, caseId: string): Promise<boolean> {
  return (await db.selectFrom('bookings').select('id').where('case_id', '=', caseId).executeTakeFirst()) !== undefined
}

export async function ticketRecordsOfMember(db: Kysely<DB>, memberId: string): Promise<Record<string, string[]>> {
  const rows = await db.selectFrom('tickets').select('id').where('member_id', '=', memberId).orderBy('id').execute()
  return { tickets: rows.map((row) => row.id) }
}

/** The last arrival date of a case's active bookings (null without one), as an expression over the case id. */
export function travelEndsOn(caseId: Expression<string>): RawBuilder<string | null> {
  return sql<string | null>`(select max(b.travel_ends_on) from bookings b where b.case_id = ${caseId} and b.status = 'active')`
}
