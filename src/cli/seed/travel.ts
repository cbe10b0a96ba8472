import type { Kysely, Transaction } from 'kysely'
import type { DB } from '../../db/schema.js'
import { requestExcessBaggage } from '../../modules/excess-baggage/index.js'
import { findCaseByExternalReference, listCaseMembers } from '../../modules/return-cases/index.js'
import { issueDocument, recordDocument, type CreateTravelDocumentInput } from '../../modules/travel-documents/index.js'
import { caseHasBookings, confirmArrival, confirmDeparture, createBooking, requestTicket, type CreateBookingInput } from '../../modules/travel/index.js'
import { OPERATIONS, seedContext } from './actors.js'
import { approveAndPay } from './payments.js'

/**
 * Travel of the 2010–2011 seed cases, as it happened: four Georgians flown from Vilnius to
 * Tbilisi, and the Iraqi couple from Vilnius to Baghdad changing planes in Istanbul. Documents,
 * bookings, tickets paid through approved payment requests, one excess-baggage charge (the
 * construction tools), departure confirmed by the country office and arrival by the partner
 * office. Document numbers, fares, flights and times are illustrative.
 */

const EUR = (amount_minor: number) => ({ amount_minor, currency: 'EUR' })

type SeedDocument = Omit<CreateTravelDocumentInput, 'member_id'> & { issued?: { document_number: string; issued_on: string; expires_on: string } }

interface SeedTraveller {
  document: SeedDocument
  ticketNumber: string
  fareMinor: number
  excessBaggage?: { kilograms: number; costMinor: number; reason: string }
}

interface SeedTravel {
  externalReference: string
  booking: CreateBookingInput
  /** One per household member, in the order the members were recorded. */
  travellers: SeedTraveller[]
  paidOn: string
}

const TRAVEL_AGENCY = { type: 'supplier' as const, name: 'Baltic Travel Service (Vilnius)' }

function passport(number: string, issuedOn: string, expiresOn: string): SeedDocument {
  return { kind: 'national_passport', document_number: number, issuing_country: 'GE', issued_on: issuedOn, expires_on: expiresOn }
}

function directToTbilisi(reference: string, date: string, departs: string, arrives: string, vilniusOffset: string): CreateBookingInput {
  return {
    booking_reference: reference,
    segments: [
      { from_airport: 'VNO', to_airport: 'TBS', carrier: 'A9', flight_number: '622', departs_at: `${date}T${departs}${vilniusOffset}`, arrives_at: `${date}T${arrives}+04:00` },
    ],
  }
}

const SEED_TRAVEL: SeedTravel[] = [
  {
    externalReference: 'SEED-2010-GE-1',
    booking: directToTbilisi('GE10A1', '2010-09-15', '13:20:00', '17:55:00', '+03:00'),
    travellers: [
      {
        document: passport('07AB12345', '2007-04-02', '2017-04-01'),
        ticketNumber: '6072101000011',
        fareMinor: 32_000,
        excessBaggage: { kilograms: 20, costMinor: 10_000, reason: 'Construction tools for the reintegration plan' },
      },
    ],
    paidOn: '2010-09-08',
  },
  {
    externalReference: 'SEED-2010-GE-2',
    booking: directToTbilisi('GE10B2', '2010-10-20', '13:20:00', '17:55:00', '+03:00'),
    travellers: [{ document: passport('08CD67890', '2008-06-11', '2018-06-10'), ticketNumber: '6072101000022', fareMinor: 32_000 }],
    paidOn: '2010-10-13',
  },
  {
    externalReference: 'SEED-2010-GE-3',
    booking: {
      ...directToTbilisi('GE10C3', '2010-11-18', '12:20:00', '17:55:00', '+02:00'),
      assistance: [{ stage: 'arrival', service: 'meet_and_assist', notes: 'Met by IOM Tbilisi for onward travel to Telavi' }],
    },
    travellers: [
      {
        document: {
          kind: 'emergency_travel_document',
          issuing_country: 'GE',
          issuing_authority: 'Embassy of Georgia in Vilnius',
          requested_on: '2010-10-05',
          issued: { document_number: 'ETD0010733', issued_on: '2010-10-28', expires_on: '2011-01-28' },
        },
        ticketNumber: '6072101000033',
        fareMinor: 29_500,
      },
    ],
    paidOn: '2010-11-10',
  },
  {
    externalReference: 'SEED-2011-GE-4',
    booking: directToTbilisi('GE11D4', '2011-02-10', '12:20:00', '17:55:00', '+02:00'),
    travellers: [{ document: passport('09EF24680', '2009-09-21', '2019-09-20'), ticketNumber: '6072101000044', fareMinor: 31_000 }],
    paidOn: '2011-02-03',
  },
  {
    externalReference: 'SEED-2011-IQ-1',
    booking: {
      booking_reference: 'IQ11E5',
      segments: [
        { from_airport: 'VNO', to_airport: 'IST', carrier: 'TK', flight_number: '1424', departs_at: '2011-04-12T06:35:00+03:00', arrives_at: '2011-04-12T09:05:00+03:00' },
        { from_airport: 'IST', to_airport: 'BGW', carrier: 'TK', flight_number: '788', departs_at: '2011-04-12T12:40:00+03:00', arrives_at: '2011-04-12T15:55:00+03:00' },
      ],
      assistance: [
        { stage: 'transit', service: 'meet_and_assist', notes: 'IOM Istanbul meets the couple at the transfer desk' },
        { stage: 'arrival', service: 'meet_and_assist', notes: 'IOM Baghdad meets the couple at arrivals' },
      ],
    },
    travellers: ['ETD1104417', 'ETD1104418'].map((number) => ({
      document: {
        kind: 'emergency_travel_document' as const,
        issuing_country: 'IQ',
        issuing_authority: 'Embassy of the Republic of Iraq in Warsaw',
        requested_on: '2011-03-01',
        issued: { document_number: number, issued_on: '2011-03-29', expires_on: '2011-06-29' },
      },
      ticketNumber: `235210${number.slice(-7)}`,
      fareMinor: 41_500,
    })),
    paidOn: '2011-04-05',
  },
]

export interface SeededTravel {
  externalReference: string
  caseId: string | null
  outcome: 'created' | 'exists' | 'skipped'
  detail: string
}

async function seedOne(trx: Transaction<DB>, caseRow: { id: string; reference: string; partner_office_id: string | null }, seed: SeedTravel): Promise<void> {
  const members = await listCaseMembers(trx, caseRow.id)
  const booking = await createBooking(trx, OPERATIONS, caseRow.id, seed.booking)
  const ticketIds: string[] = []
  for (const [index, traveller] of seed.travellers.entries()) {
    const member = members[index]
    if (!member) throw new Error(`Seed case ${caseRow.reference} has no member ${index + 1}`)
    const { issued, ...document } = traveller.document
    const recorded = await recordDocument(trx, OPERATIONS, caseRow.id, { ...document, member_id: member.id })
    if (issued) await issueDocument(trx, OPERATIONS, caseRow.id, recorded.id, undefined, issued)
    const ticket = await requestTicket(trx, OPERATIONS, caseRow.id, {
      booking_id: booking.id,
      member_id: member.id,
      ticket_number: traveller.ticketNumber,
      fare: EUR(traveller.fareMinor),
      payee: TRAVEL_AGENCY,
    })
    ticketIds.push(ticket.id)
    const paymentIds = [ticket.payment_request_id]
    if (traveller.excessBaggage) {
      const baggage = await requestExcessBaggage(trx, OPERATIONS, caseRow.id, {
        ticket_id: ticket.id,
        kilograms: traveller.excessBaggage.kilograms,
        cost: EUR(traveller.excessBaggage.costMinor),
        reason: traveller.excessBaggage.reason,
        payee: { type: 'carrier', name: 'Georgian Airways' },
      })
      paymentIds.push(baggage.payment_request_id)
    }
    for (const paymentId of paymentIds) {
      await approveAndPay(trx, paymentId, seed.paidOn, `SEED-${traveller.ticketNumber.slice(-6)}-${paymentIds.indexOf(paymentId) + 1}`)
    }
  }
  const segments = seed.booking.segments
  const departedAt = (segments[0] as { departs_at: string }).departs_at
  const arrivedAt = (segments.at(-1) as { arrives_at: string }).arrives_at
  for (const ticketId of ticketIds) await confirmDeparture(trx, OPERATIONS, caseRow.id, ticketId, undefined, departedAt)
  const partner = seedContext(`seed-partner-${caseRow.partner_office_id}`, ['partner'], caseRow.partner_office_id)
  for (const ticketId of ticketIds) await confirmArrival(trx, partner, caseRow.id, ticketId, undefined, arrivedAt)
}

/**
 * Loads the travel of the seed cases through the services (audit entries, events, ledger
 * entries exist as for any change), one transaction per case. Idempotent: a case that already
 * has a booking is left alone. A case not (yet) approved, or not referred to a partner office,
 * is skipped: travel needs approval, and arrival is confirmed by the partner office.
 */
export async function seedTravel(db: Kysely<DB>): Promise<SeededTravel[]> {
  const results: SeededTravel[] = []
  for (const seed of SEED_TRAVEL) {
    const caseRow = await findCaseByExternalReference(db, seed.externalReference)
    if (!caseRow) {
      results.push({ externalReference: seed.externalReference, caseId: null, outcome: 'skipped', detail: 'the case is not seeded' })
      continue
    }
    if (await caseHasBookings(db, caseRow.id)) {
      results.push({ externalReference: seed.externalReference, caseId: caseRow.id, outcome: 'exists', detail: `case ${caseRow.reference} is ${caseRow.status}` })
      continue
    }
    if (caseRow.status !== 'approved' || caseRow.partner_office_id === null) {
      results.push({
        externalReference: seed.externalReference,
        caseId: caseRow.id,
        outcome: 'skipped',
        detail: `case ${caseRow.reference} is ${caseRow.status}${caseRow.partner_office_id === null ? ', not referred' : ''}; travel needs an approved, referred case`,
      })
      continue
    }
    await db.transaction().execute((trx) => seedOne(trx, caseRow, seed))
    results.push({ externalReference: seed.externalReference, caseId: caseRow.id, outcome: 'created', detail: `case ${caseRow.reference} travelled and arrived` })
  }
  return results
}
