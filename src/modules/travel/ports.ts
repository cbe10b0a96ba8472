import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'
import { Port } from '../../shared/port.js'

/**
 * Costs other modules charge to a ticket or its traveller (excess baggage), which end with the
 * ticket. Travel asks; the owner answers (wired in src/modules/index.ts): travel never reads its table.
 */
export interface TicketCharges {
  /** Payment request ids of the live charges on the ticket, and with `memberId` of those charged to that traveller without a ticket. */
  livePaymentsOn(db: Kysely<DB>, filter: { ticketId: string; memberId?: string }): Promise<string[]>
}

export const ticketCharges = new Port<TicketCharges>('which live costs are charged to this ticket or traveller?')

export function wireTicketCharges(charges: TicketCharges): void {
  ticketCharges.provide(charges)
}

/**
 * Travel insurance is another module's (travel-arrangements, which builds on travel): ticketing
 * asks it which policy covers a traveller's journey. Wired in src/modules/index.ts.
 */
export interface TravelCover {
  /** The id of a live policy of the traveller covering every day from `from` to `until` (locked until the transaction ends), or null. */
  policyCovering(db: Kysely<DB>, memberId: string, from: string, until: string): Promise<string | null>
}

export const travelCover = new Port<TravelCover>('which travel insurance covers this traveller\'s journey?')

export function wireTravelCover(cover: TravelCover): void {
  travelCover.provide(cover)
}
