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
