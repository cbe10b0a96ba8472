import type { Expression, RawBuilder } from 'kysely'
import { Port } from '../../shared/port.js'

/**
 * When a case travels, as a SQL expression over its id: the queue of documents expiring before
 * travel asks it in the same statement. Travel answers (wired in src/modules/index.ts):
 * travel-documents never reads bookings, and travel already depends on it.
 */
export interface TravelDates {
  /** The last arrival date of the case's active bookings, or null when it has none. */
  travelEndsOn(caseId: Expression<string>): RawBuilder<string | null>
}

export const travelDates = new Port<TravelDates>('when does this case travel?')

export function wireTravelDates(dates: TravelDates): void {
  travelDates.provide(dates)
}
