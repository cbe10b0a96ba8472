import type { FastifyInstance } from 'fastify'
import { auditRoutes } from './audit/index.js'
import { cashGrantPaymentHooks, cashGrantRecordsOfMember, cashGrantsRoutes } from './cash-grants/index.js'
import { crisisCountriesRoutes } from './crisis-countries/index.js'
import { eventsRoutes, eventsRuntime } from './events/index.js'
import { excessBaggagePaymentHooks, excessBaggageRecordsOfMember, excessBaggageRoutes, liveChargesOnTicket } from './excess-baggage/index.js'
import { micRoutes } from './mic/index.js'
import { monitoringRecordsOfMember, monitoringRoutes } from './monitoring/index.js'
import { officesRoutes } from './offices/index.js'
import { livePaymentRequestsOfCase, paymentsRoutes, wirePaymentHooks } from './payments/index.js'
import { ledgerRoutes, projectsRoutes } from './projects/index.js'
import { activePlansOfCase, disbursementPaymentHooks, reintegrationRecordsOfMember, reintegrationRoutes } from './reintegration/index.js'
import { returnCasesRoutes, wireCaseDependents } from './return-cases/index.js'
import { statisticsRoutes } from './statistics/index.js'
import { suppliersRoutes } from './suppliers/index.js'
import { transitVisaRecordsOfMember, transitVisasRoutes, travelDocumentRecordsOfMember, travelDocumentsRoutes, wireTravelDates } from './travel-documents/index.js'
import { ticketPaymentHooks, ticketRecordsOfMember, travelEndsOn, travelRoutes, wireTicketCharges, wireTravelCover } from './travel/index.js'
import {
  accommodationPaymentHooks,
  policyCovering,
  travelArrangementsRoutes,
  travelInsurancePaymentHooks,
  travelInsuranceRecordsOfMember,
} from './travel-arrangements/index.js'

/**
 * The composition root of the modules: the one place that knows them all. Who reacts to what is
 * wired here, typed, and nowhere else: a module declares the questions it asks (its ports) and
 * the modules that know the answers are plugged in below. Every process that uses the modules
 * (the app, the seed command) calls this first; an unwired port throws rather than answer nothing.
 */
export function wireModules(): void {
  // Each kind of cost follows its payment requests: approving a ticket's payment issues the ticket.
  wirePaymentHooks({
    ticket: ticketPaymentHooks,
    excess_baggage: excessBaggagePaymentHooks,
    cash_grant: cashGrantPaymentHooks,
    disbursement: disbursementPaymentHooks,
    travel_insurance: travelInsurancePaymentHooks,
    accommodation: accommodationPaymentHooks,
  })
  // May this case be withdrawn or closed? May this member be removed?
  wireCaseDependents({
    livePaymentRequests: livePaymentRequestsOfCase,
    activeReintegrationPlans: activePlansOfCase,
    recordsNamingMember: [
      travelDocumentRecordsOfMember,
      transitVisaRecordsOfMember,
      ticketRecordsOfMember,
      excessBaggageRecordsOfMember,
      travelInsuranceRecordsOfMember,
      cashGrantRecordsOfMember,
      reintegrationRecordsOfMember,
      monitoringRecordsOfMember,
    ],
  })
  // Ending a ticket cancels the excess baggage charged to it.
  wireTicketCharges({ livePaymentsOn: liveChargesOnTicket })
  // The document queue compares expiry with the date a case travels.
  wireTravelDates({ travelEndsOn })
  // Ticketing asks whether a traveller who must be insured holds a policy covering the journey.
  wireTravelCover({ policyCovering })
}

/** Wires the modules and registers their routes (in the order the spec lists them). */
export async function registerModules(app: FastifyInstance): Promise<void> {
  wireModules()
  // First, so its hook sees every write (a committed write wakes feed readers and the webhook dispatcher).
  await app.register(eventsRuntime)
  await app.register(officesRoutes)
  await app.register(returnCasesRoutes)
  await app.register(projectsRoutes)
  await app.register(ledgerRoutes)
  await app.register(paymentsRoutes)
  await app.register(cashGrantsRoutes)
  await app.register(travelDocumentsRoutes)
  await app.register(transitVisasRoutes)
  await app.register(travelRoutes)
  await app.register(excessBaggageRoutes)
  await app.register(travelArrangementsRoutes)
  await app.register(crisisCountriesRoutes)
  await app.register(suppliersRoutes)
  await app.register(reintegrationRoutes)
  await app.register(monitoringRoutes)
  await app.register(micRoutes)
  await app.register(statisticsRoutes)
  await app.register(auditRoutes)
  await app.register(eventsRoutes)
}
