import type { Transaction } from 'kysely'
import type { BookingAssistanceValue, BookingEscortValue, BookingTransitRequirementValue, CaseStatus, DB } from '../../db/schema.js'
import { recordChange } from '../../shared/audit.js'
import type { RequestContext } from '../../shared/context.js'
import { assertVersion } from '../../shared/etag.js'
import { newId } from '../../shared/ids.js'
import { ProblemError, conflict, notFound, unprocessable } from '../../shared/problems.js'
import type { Actor } from '../../shared/roles.js'
import { caseRecordReads, assertCaseOpen, findCaseForActor, listCaseMembers, type ReturnCaseRow, lockOpenCase } from '../return-cases/index.js'
import * as repository from './repository.js'
import { offsetMinutesOf, type BookingRow, type SegmentRow } from './repository.js'
import type { AssistanceInputValue, BookingListFilter, BookingRecord, CreateBookingInput, EscortInputValue, SegmentInputValue, TransitPointInputValue, UpdateBookingInput } from './schemas.js'

/** Travel is arranged once return assistance is approved, and changed until the travellers leave. */
export const BOOKABLE_CASE_STATUSES: readonly CaseStatus[] = ['approved', 'travel_booked']

type FieldError = { pointer: string; detail: string }

/** The case, locked, in a status where travel can be arranged (409 otherwise). */
export async function caseForTravelWrite(db: Transaction<DB>, actor: Actor, caseId: string, what: string): Promise<ReturnCaseRow> {
  const caseRow = await findCaseForActor(db, actor, caseId, { forUpdate: true })
  assertTravelArrangeable(caseRow, what)
  return caseRow
}

export function assertTravelArrangeable(caseRow: ReturnCaseRow, what: string): void {
  assertCaseOpen(caseRow)
  if (!BOOKABLE_CASE_STATUSES.includes(caseRow.status)) {
    throw conflict(`${what} needs an approved case that has not yet departed; case ${caseRow.reference} is ${caseRow.status}`, {
      current_status: caseRow.status,
      allowed_case_statuses: BOOKABLE_CASE_STATUSES,
    })
  }
}

interface PlannedSegment {
  values: Omit<SegmentRow, 'booking_id'>
  arrivesLocalDate: string
}

const OFFSET_LIMITS = { min: -12 * 60, max: 14 * 60 }

/** Checks the route hangs together: each flight moves forward in time and leaves from where the previous one arrived. */
function planSegments(segments: readonly SegmentInputValue[]): PlannedSegment[] {
  const errors: FieldError[] = []
  const planned: PlannedSegment[] = []
  segments.forEach((segment, index) => {
    const pointer = `/body/segments/${index}`
    const departsAt = new Date(segment.departs_at)
    const arrivesAt = new Date(segment.arrives_at)
    const departsOffset = offsetMinutesOf(segment.departs_at)
    const arrivesOffset = offsetMinutesOf(segment.arrives_at)
    for (const [field, offset] of [['departs_at', departsOffset], ['arrives_at', arrivesOffset]] as const) {
      if (offset < OFFSET_LIMITS.min || offset > OFFSET_LIMITS.max) errors.push({ pointer: `${pointer}/${field}`, detail: 'the UTC offset must be between -12:00 and +14:00' })
    }
    if (segment.from_airport === segment.to_airport) errors.push({ pointer: `${pointer}/to_airport`, detail: 'must differ from from_airport' })
    if (arrivesAt.getTime() <= departsAt.getTime()) errors.push({ pointer: `${pointer}/arrives_at`, detail: 'must be after departs_at (compare with the offsets)' })
    const previous = segments[index - 1]
    if (previous) {
      if (segment.from_airport !== previous.to_airport) {
        errors.push({ pointer: `${pointer}/from_airport`, detail: `must be ${previous.to_airport}, where the previous segment arrives` })
      }
      if (departsAt.getTime() < new Date(previous.arrives_at).getTime()) {
        errors.push({ pointer: `${pointer}/departs_at`, detail: 'must not be before the previous segment arrives' })
      }
    }
    planned.push({
      values: {
        position: index + 1,
        from_airport: segment.from_airport,
        to_airport: segment.to_airport,
        carrier: segment.carrier,
        flight_number: segment.flight_number,
        departs_at: departsAt,
        departs_offset_minutes: departsOffset,
        arrives_at: arrivesAt,
        arrives_offset_minutes: arrivesOffset,
      },
      arrivesLocalDate: segment.arrives_at.slice(0, 10),
    })
  })
  if (errors.length > 0) throw unprocessable('The route is not consistent', errors)
  return planned
}

interface Route {
  departureAirport: string
  arrivalAirport: string
  transitAirports: string[]
}

function routeOf(segments: ReadonlyArray<Pick<SegmentRow, 'from_airport' | 'to_airport' | 'position'>>): Route {
  const ordered = [...segments].sort((a, b) => a.position - b.position)
  return {
    departureAirport: (ordered[0] as SegmentRow).from_airport,
    arrivalAirport: (ordered.at(-1) as SegmentRow).to_airport,
    transitAirports: ordered.slice(1).map((segment) => segment.from_airport),
  }
}

/** Assistance is where the route goes (the transit stage only at its transit points), for travellers of this case. */
function planAssistance(inputs: readonly AssistanceInputValue[], route: Route, memberIds: ReadonlySet<string>): { values: BookingAssistanceValue[]; errors: FieldError[] } {
  const errors: FieldError[] = []
  const values = inputs.map((input, index) => {
    const pointer = `/body/assistance/${index}`
    let airport = input.airport
    if (input.stage === 'departure') {
      if (airport !== undefined && airport !== route.departureAirport) errors.push({ pointer: `${pointer}/airport`, detail: `departure is from ${route.departureAirport}` })
      airport = route.departureAirport
    } else if (input.stage === 'arrival') {
      if (airport !== undefined && airport !== route.arrivalAirport) errors.push({ pointer: `${pointer}/airport`, detail: `arrival is at ${route.arrivalAirport}` })
      airport = route.arrivalAirport
    } else if (route.transitAirports.length === 0) {
      errors.push({ pointer: `${pointer}/stage`, detail: 'the route has no transit point' })
    } else if (airport === undefined) {
      if (route.transitAirports.length === 1) airport = route.transitAirports[0]
      else errors.push({ pointer: `${pointer}/airport`, detail: `required: the route changes flights at ${route.transitAirports.join(', ')}` })
    } else if (!route.transitAirports.includes(airport)) {
      errors.push({ pointer: `${pointer}/airport`, detail: `must be a transit point of the route (${route.transitAirports.join(', ')})` })
    }
    const memberId = input.member_id ?? null
    if (memberId !== null && !memberIds.has(memberId)) errors.push({ pointer: `${pointer}/member_id`, detail: 'not a member of this case' })
    return { stage: input.stage, airport: airport ?? '', service: input.service, member_id: memberId, notes: input.notes?.trim() ?? null }
  })
  return { values, errors }
}

function planEscorts(inputs: readonly EscortInputValue[], memberIds: ReadonlySet<string>): { values: BookingEscortValue[]; errors: FieldError[] } {
  const errors: FieldError[] = []
  const seen = new Set<string>()
  const values = inputs.map((input, index) => {
    const pointer = `/body/escorts/${index}`
    if (!memberIds.has(input.member_id)) errors.push({ pointer: `${pointer}/member_id`, detail: 'not a member of this case' })
    const key = `${input.member_id}|${input.kind}|${input.escort_name.trim().toLowerCase()}`
    if (seen.has(key)) errors.push({ pointer, detail: 'the same escort is listed twice for this traveller' })
    seen.add(key)
    return { member_id: input.member_id, kind: input.kind, escort_name: input.escort_name.trim(), organisation: input.organisation?.trim() ?? null, notes: input.notes?.trim() ?? null }
  })
  return { values, errors }
}

/** What each transit point asks (its country, whether a visa is needed there), for transit points of this route only, each once. */
function planTransitRequirements(inputs: readonly TransitPointInputValue[], route: Route): { values: BookingTransitRequirementValue[]; errors: FieldError[] } {
  const errors: FieldError[] = []
  const seen = new Set<string>()
  const values = inputs.map((input, index) => {
    const pointer = `/body/transit_points/${index}/airport`
    if (!route.transitAirports.includes(input.airport)) {
      errors.push({ pointer, detail: route.transitAirports.length === 0 ? 'the route has no transit point' : `must be a transit point of the route (${route.transitAirports.join(', ')})` })
    }
    if (seen.has(input.airport)) errors.push({ pointer, detail: `${input.airport} is listed twice` })
    seen.add(input.airport)
    return { airport: input.airport, country: input.country, visa_required: input.visa_required }
  })
  return { values, errors }
}

function bookingPayload(row: BookingRow, route: Route): Record<string, unknown> {
  return {
    id: row.id,
    case_id: row.case_id,
    booking_reference: row.booking_reference,
    status: row.status,
    departure_airport: route.departureAirport,
    arrival_airport: route.arrivalAirport,
    transit_airports: route.transitAirports,
    travel_starts_at: row.travel_starts_at.toISOString(),
    travel_ends_on: row.travel_ends_on,
    assistance: row.assistance.map((entry) => ({ stage: entry.stage, airport: entry.airport, service: entry.service, member_id: entry.member_id })),
    escorts: row.escorts.map((entry) => ({ member_id: entry.member_id, kind: entry.kind })),
    transit_points: row.transit_requirements,
    version: row.version,
  }
}

async function recordBookingChange(db: Transaction<DB>, context: RequestContext, action: string, before: BookingRow | null, after: BookingRow, route: Route): Promise<void> {
  await recordChange(db, context, { action: `booking.${action}`, entityType: 'booking', entityId: after.id, caseId: after.case_id, before, after, payload: bookingPayload(after, route) })
}

export async function createBooking(db: Transaction<DB>, context: RequestContext, caseId: string, input: CreateBookingInput): Promise<BookingRecord> {
  const caseRow = await caseForTravelWrite(db, context.actor, caseId, 'A booking')
  const segments = planSegments(input.segments)
  const route = routeOf(segments.map((segment) => segment.values))
  const memberIds = new Set((await listCaseMembers(db, caseRow.id)).map((member) => member.id))
  const assistance = planAssistance(input.assistance ?? [], route, memberIds)
  const escorts = planEscorts(input.escorts ?? [], memberIds)
  const transit = planTransitRequirements(input.transit_points ?? [], route)
  const errors = [...assistance.errors, ...escorts.errors, ...transit.errors]
  if (errors.length > 0) throw unprocessable('The booking is not consistent with its route or household', errors)
  const existing = await repository.activeBookingWithReference(db, caseRow.id, input.booking_reference)
  if (existing) {
    throw new ProblemError('duplicate-resource', `Case ${caseRow.reference} already has active booking ${existing.id} with reference ${input.booking_reference}`, {
      booking_id: existing.id,
      errors: [{ pointer: '/body/booking_reference', detail: 'already used by an active booking of this case' }],
    })
  }
  const id = newId()
  const first = segments[0] as PlannedSegment
  const last = segments.at(-1) as PlannedSegment
  const row = await repository.insertBooking(
    db,
    {
      id,
      case_id: caseRow.id,
      booking_reference: input.booking_reference,
      status: 'active',
      travel_starts_at: first.values.departs_at,
      travel_ends_on: last.arrivesLocalDate,
      assistance: JSON.stringify(assistance.values),
      escorts: JSON.stringify(escorts.values),
      transit_requirements: JSON.stringify(transit.values),
      notes: input.notes?.trim() ?? null,
      created_by: context.actor.sub,
    },
    segments.map((segment) => ({ booking_id: id, ...segment.values })),
  )
  await recordBookingChange(db, context, 'created', null, row, route)
  return (await repository.presentBookings(db, [row]))[0] as BookingRecord
}

async function lockBooking(db: Transaction<DB>, caseRow: ReturnCaseRow, bookingId: string, expectedVersion: number | undefined): Promise<BookingRow> {
  const row = await repository.findBooking(db, caseRow.id, bookingId, { forUpdate: true })
  if (!row) throw notFound('Booking', bookingId)
  assertVersion(row.version, expectedVersion)
  if (row.status !== 'active') {
    throw new ProblemError('invalid-transition', `Booking ${row.booking_reference} is ${row.status}`, { current_status: row.status, allowed_from: ['active'] })
  }
  return row
}

export async function updateBooking(
  db: Transaction<DB>,
  context: RequestContext,
  caseId: string,
  bookingId: string,
  expectedVersion: number | undefined,
  input: UpdateBookingInput,
): Promise<BookingRecord> {
  const caseRow = await caseForTravelWrite(db, context.actor, caseId, 'Changing a booking')
  const current = await lockBooking(db, caseRow, bookingId, expectedVersion)
  const route = routeOf(await repository.segmentsOf(db, [current.id]))
  const memberIds = new Set((await listCaseMembers(db, caseRow.id)).map((member) => member.id))
  const assistance = input.assistance ? planAssistance(input.assistance, route, memberIds) : undefined
  const escorts = input.escorts ? planEscorts(input.escorts, memberIds) : undefined
  const transit = input.transit_points ? planTransitRequirements(input.transit_points, route) : undefined
  const errors = [...(assistance?.errors ?? []), ...(escorts?.errors ?? []), ...(transit?.errors ?? [])]
  if (errors.length > 0) throw unprocessable('The booking is not consistent with its route or household', errors)
  const updated = await repository.updateBooking(db, current.id, {
    ...(assistance ? { assistance: JSON.stringify(assistance.values) } : {}),
    ...(escorts ? { escorts: JSON.stringify(escorts.values) } : {}),
    ...(transit ? { transit_requirements: JSON.stringify(transit.values) } : {}),
    ...(input.notes !== undefined ? { notes: input.notes === null ? null : input.notes.trim() } : {}),
  })
  await recordBookingChange(db, context, 'updated', current, updated, route)
  return (await repository.presentBookings(db, [updated]))[0] as BookingRecord
}

/** A booking is cancelled once none of its tickets is live (void or refund them first). */
export async function cancelBooking(
  db: Transaction<DB>,
  context: RequestContext,
  caseId: string,
  bookingId: string,
  expectedVersion: number | undefined,
  reason: string,
): Promise<BookingRecord> {
  const caseRow = await lockOpenCase(db, context.actor, caseId)
  const current = await lockBooking(db, caseRow, bookingId, expectedVersion)
  const live = await db
    .selectFrom('tickets')
    .select(['id', 'status'])
    .where('booking_id', '=', current.id)
    .where('status', 'in', ['requested', 'issued', 'used'])
    .orderBy('id')
    .execute()
  if (live.length > 0) {
    throw conflict(`Booking ${current.booking_reference} still has live tickets; void or refund them first`, {
      live_tickets: live.map((ticket) => ({ id: ticket.id, status: ticket.status })),
    })
  }
  const updated = await cancelBookingRow(db, context, current, reason)
  return (await repository.presentBookings(db, [updated]))[0] as BookingRecord
}

export async function cancelBookingRow(db: Transaction<DB>, context: RequestContext, current: BookingRow, reason: string): Promise<BookingRow> {
  const updated = await repository.updateBooking(db, current.id, {
    status: 'cancelled',
    cancelled_by: context.actor.sub,
    cancelled_at: new Date(),
    cancellation_reason: reason.trim(),
  })
  await recordBookingChange(db, context, 'cancelled', current, updated, routeOf(await repository.segmentsOf(db, [current.id])))
  return updated
}

export const { list: listBookings, get: getBooking } = caseRecordReads('Booking', {
  list: (db, caseId, filter: BookingListFilter) => repository.listBookings(db, caseId, filter),
  find: (db, caseId, id) => repository.findBooking(db, caseId, id),
  present: async (db, row): Promise<BookingRecord> => (await repository.presentBookings(db, [row]))[0] as BookingRecord,
})
