import type { InjectOptions, LightMyRequestResponse } from 'fastify'
import { sql, type Kysely } from 'kysely'
import type { BudgetCategory, CaseStatus, DB } from '../../src/db/schema.js'
import { newId } from '../../src/shared/ids.js'
import { buildTestApp, type TestApp } from '../helpers/app.js'

/**
 * What the travel tests stand on: offices, an active EUR project with its budget lines, and
 * approved return cases with their households, written straight into the test's database
 * (these tests are about travel, not about how cases and projects come to be). Everything
 * travel does goes through the API.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = Record<string, any>
export type Caller = (options: InjectOptions) => Promise<LightMyRequestResponse>

export const EUR = (amount_minor: number) => ({ amount_minor, currency: 'EUR' })

/** Today plus some days, as an ISO date. */
export function isoDate(offsetDays = 0): string {
  const now = new Date()
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + offsetDays)).toISOString().slice(0, 10)
}

export interface MemberSpec {
  givenName?: string
  relationship?: 'principal' | 'spouse_partner' | 'child' | 'parent' | 'sibling' | 'other_relative'
  escortNeeded?: boolean
}

export interface TravelFixture extends TestApp {
  db: Kysely<DB>
  offices: { vilnius: string; tbilisi: string; baghdad: string }
  projectId: string
  lines: Record<'travel' | 'excess_baggage' | 'cash_grant', string>
  operations: Caller
  counsellor: Caller
  approver: Caller
  finance: Caller
  auditor: Caller
  /** The partner office in Tbilisi, to which the Georgian cases are referred. */
  tbilisi: Caller
  /** The partner office in Baghdad: sees none of the Georgian cases. */
  baghdad: Caller
  newCase(options?: { members?: MemberSpec[]; status?: CaseStatus; partnerOfficeId?: string | null; intendedDepartureOn?: string }): Promise<{ caseId: string; memberIds: string[] }>
}

let caseCounter = 0

export async function travelFixture(t: { teardown(fn: () => unknown): void }, lines: Partial<Record<BudgetCategory, number>> = {}): Promise<TravelFixture> {
  const testApp = await buildTestApp(t, { MAX_EVENT_LOOP_DELAY_MS: '0' })
  const db = testApp.database.db
  const offices = { vilnius: newId(), tbilisi: newId(), baghdad: newId() }
  await db
    .insertInto('offices')
    .values([
      { id: offices.vilnius, code: 'VNO', name: 'IOM Vilnius', country: 'LT', kind: 'country_office' },
      { id: offices.tbilisi, code: 'TBS', name: 'IOM Tbilisi', country: 'GE', kind: 'partner_office' },
      { id: offices.baghdad, code: 'BGW', name: 'IOM Baghdad', country: 'IQ', kind: 'partner_office' },
    ])
    .execute()
  const projectId = newId()
  const allocations = { travel: 600_000, excess_baggage: 40_000, cash_grant: 120_000, ...lines }
  await db
    .insertInto('projects')
    .values({
      id: projectId,
      code: 'LT-TRAVEL-TEST',
      title: 'Travel test project',
      starts_on: isoDate(-365),
      ends_on: isoDate(3 * 365),
      currency: 'EUR',
      total_minor: Object.values(allocations).reduce((sum, amount) => sum + amount, 0),
      status: 'active',
      second_approval_threshold_minor: null,
      cash_grant_rule_kind: 'per_person',
      cash_grant_adult_minor: 20_000,
      cash_grant_child_minor: 10_000,
      cash_grant_flat_minor: null,
    })
    .execute()
  const lineIds: Record<string, string> = {}
  for (const [category, allocated] of Object.entries(allocations)) {
    lineIds[category] = newId()
    await db
      .insertInto('budget_lines')
      .values({ id: lineIds[category] as string, project_id: projectId, category: category as BudgetCategory, name: category, currency: 'EUR', accepts_commitments: true, allocated_minor: allocated })
      .execute()
  }

  const newCase: TravelFixture['newCase'] = async (options = {}) => {
    const caseId = newId()
    caseCounter += 1
    const partnerOfficeId = options.partnerOfficeId === undefined ? offices.tbilisi : options.partnerOfficeId
    await db
      .insertInto('return_cases')
      .values({
        id: caseId,
        reference: `VNO-2026-${String(caseCounter).padStart(5, '0')}`,
        office_id: offices.vilnius,
        partner_office_id: partnerOfficeId,
        referred_at: partnerOfficeId ? new Date() : null,
        project_id: projectId,
        status: options.status ?? 'approved',
        // A closed case always says why it closed.
        closure_reason: options.status === 'closed' ? 'other' : null,
        legal_status: 'irregular_stay',
        referral_source: 'self',
        country_of_return: 'GE',
        intended_departure_on: options.intendedDepartureOn ?? isoDate(30),
        created_by: 'fixture',
      })
      .execute()
    const memberIds: string[] = []
    for (const [index, member] of (options.members ?? [{}]).entries()) {
      const id = newId()
      memberIds.push(id)
      const relationship = member.relationship ?? (index === 0 ? 'principal' : 'spouse_partner')
      const givenName = member.givenName ?? (index === 0 ? 'Giorgi' : `Nino${index}`)
      await db
        .insertInto('case_members')
        .values({
          id,
          case_id: caseId,
          relationship,
          is_principal: relationship === 'principal',
          given_name: givenName,
          family_name: 'Beridze',
          name_key: `${givenName.toLowerCase()}|beridze`,
          sex: 'unknown',
          date_of_birth: '1980-05-12',
          birth_year: null,
          nationality: 'GE',
          created_by: 'fixture',
        })
        .execute()
      if (member.escortNeeded) {
        await db
          .insertInto('member_vulnerabilities')
          .values({ id: newId(), case_id: caseId, member_id: id, code: 'medical_needs', notes: 'oxygen during the flight', escort_needed: true, recorded_by: 'fixture' })
          .execute()
      }
    }
    return { caseId, memberIds }
  }

  return {
    ...testApp,
    db,
    offices,
    projectId,
    lines: lineIds as TravelFixture['lines'],
    operations: testApp.as('olga', ['operations']),
    counsellor: testApp.as('carla', ['counsellor']),
    approver: testApp.as('abe', ['approver']),
    finance: testApp.as('fiona', ['finance']),
    auditor: testApp.as('audrey', ['auditor']),
    tbilisi: testApp.as('tamar', ['partner'], offices.tbilisi),
    baghdad: testApp.as('bilal', ['partner'], offices.baghdad),
    newCase,
  }
}

// ---------------------------------------------------------------- requests

export async function expectStatus(response: LightMyRequestResponse, status: number, what: string): Promise<Json> {
  if (response.statusCode !== status) throw new Error(`${what}: expected ${status}, got ${response.statusCode} ${response.body}`)
  return response.body ? (response.json() as Json) : {}
}

export function passport(memberId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { member_id: memberId, kind: 'national_passport', document_number: '13AB45678', issuing_country: 'GE', issued_on: '2019-03-01', expires_on: isoDate(3 * 365), ...overrides }
}

export async function recordPassport(fixture: TravelFixture, caseId: string, memberId: string, overrides: Record<string, unknown> = {}): Promise<Json> {
  const response = await fixture.operations({ method: 'POST', url: `/v1/return-cases/${caseId}/travel-documents`, payload: passport(memberId, overrides) })
  return expectStatus(response, 201, 'record passport')
}

/** One direct flight Vilnius → Tbilisi leaving on `date` at 06:35 (+02:00), arriving at 11:55 (+04:00) the same day. */
export function directSegment(date: string): Record<string, string> {
  return { from_airport: 'VNO', to_airport: 'TBS', carrier: 'A9', flight_number: '622', departs_at: `${date}T06:35:00+02:00`, arrives_at: `${date}T11:55:00+04:00` }
}

export async function createBooking(fixture: TravelFixture, caseId: string, body: Record<string, unknown> = {}): Promise<Json> {
  const response = await fixture.operations({
    method: 'POST',
    url: `/v1/return-cases/${caseId}/bookings`,
    payload: { booking_reference: `PNR${String(Math.floor(Math.random() * 1e5)).padStart(5, '0')}`, segments: [directSegment(isoDate(30))], ...body },
  })
  return expectStatus(response, 201, 'create booking')
}

let ticketCounter = 0

export function ticketBody(bookingId: string, memberId: string, fareMinor = 32_000): Record<string, unknown> {
  ticketCounter += 1
  return {
    booking_id: bookingId,
    member_id: memberId,
    ticket_number: `607${String(Date.now() % 1e7).padStart(7, '0')}${String(ticketCounter).padStart(3, '0')}`,
    fare: EUR(fareMinor),
    payee: { type: 'supplier', name: 'Baltic Travel Service' },
  }
}

export async function requestTicket(fixture: TravelFixture, caseId: string, bookingId: string, memberId: string, fareMinor = 32_000): Promise<Json> {
  const response = await fixture.operations({ method: 'POST', url: `/v1/return-cases/${caseId}/tickets`, payload: ticketBody(bookingId, memberId, fareMinor) })
  return expectStatus(response, 201, 'request ticket')
}

export async function approvePayment(fixture: TravelFixture, paymentRequestId: string): Promise<Json> {
  return expectStatus(await fixture.approver({ method: 'POST', url: `/v1/payment-requests/${paymentRequestId}:approve` }), 200, 'approve payment')
}

export async function payPayment(fixture: TravelFixture, paymentRequestId: string): Promise<Json> {
  const response = await fixture.finance({
    method: 'POST',
    url: `/v1/payment-requests/${paymentRequestId}:mark-paid`,
    payload: { payment_reference: `BT-${paymentRequestId.slice(-6)}`, paid_on: isoDate(0) },
  })
  return expectStatus(response, 200, 'mark paid')
}

/** A passport, then a ticket requested and its payment approved: the ticket is issued. */
export async function issuedTicket(fixture: TravelFixture, caseId: string, bookingId: string, memberId: string, fareMinor = 32_000): Promise<Json> {
  await recordPassport(fixture, caseId, memberId)
  const ticket = await requestTicket(fixture, caseId, bookingId, memberId, fareMinor)
  await approvePayment(fixture, ticket.payment_request_id)
  return expectStatus(await fixture.operations({ method: 'GET', url: `/v1/return-cases/${caseId}/tickets/${ticket.id}` }), 200, 'get ticket')
}

// ---------------------------------------------------------------- reading the database

export async function caseStatus(fixture: TravelFixture, caseId: string): Promise<CaseStatus> {
  const row = await fixture.db.selectFrom('return_cases').select('status').where('id', '=', caseId).executeTakeFirstOrThrow()
  return row.status
}

/** A line's cached balances beside the sums of its ledger: the two must always agree. */
export async function lineState(db: Kysely<DB>, lineId: string): Promise<{ committed: number; spent: number; ledgerCommitted: number; ledgerSpent: number }> {
  const line = await db.selectFrom('budget_lines').select(['committed_minor', 'spent_minor']).where('id', '=', lineId).executeTakeFirstOrThrow()
  const sums = await db
    .selectFrom('ledger_entries')
    .select([
      sql<number>`coalesce(sum(case kind when 'commit' then amount_minor when 'refund' then 0 else -amount_minor end), 0)::bigint`.as('committed'),
      sql<number>`coalesce(sum(case kind when 'spend' then amount_minor when 'refund' then -amount_minor else 0 end), 0)::bigint`.as('spent'),
    ])
    .where('budget_line_id', '=', lineId)
    .executeTakeFirstOrThrow()
  return { committed: Number(line.committed_minor), spent: Number(line.spent_minor), ledgerCommitted: Number(sums.committed), ledgerSpent: Number(sums.spent) }
}

/** What a source still holds committed on any line. */
export async function openCommitmentOf(db: Kysely<DB>, sourceId: string): Promise<number> {
  const row = await db
    .selectFrom('ledger_entries')
    .select(sql<number>`coalesce(sum(case kind when 'commit' then amount_minor when 'refund' then 0 else -amount_minor end), 0)::bigint`.as('open'))
    .where('source_id', '=', sourceId)
    .executeTakeFirstOrThrow()
  return Number(row.open)
}

const COUNTED_TABLES = ['travel_documents', 'bookings', 'booking_segments', 'tickets', 'excess_baggage', 'payment_requests', 'ledger_entries', 'audit_events', 'outbox_events', 'case_status_history'] as const

/** Row counts of every table a travel write touches: compare before and after a refused request. */
export async function rowCounts(db: Kysely<DB>): Promise<Record<(typeof COUNTED_TABLES)[number], number>> {
  const counts = {} as Record<(typeof COUNTED_TABLES)[number], number>
  for (const table of COUNTED_TABLES) {
    const row = await db.selectFrom(table).select(sql<number>`count(*)::int`.as('count')).executeTakeFirstOrThrow()
    counts[table] = Number(row.count)
  }
  return counts
}

export async function auditActions(db: Kysely<DB>, entityId: string): Promise<string[]> {
  const rows = await db.selectFrom('audit_events').select('action').where('entity_id', '=', entityId).orderBy('id').execute()
  return rows.map((row) => row.action)
}
