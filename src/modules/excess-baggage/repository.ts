import type { Insertable, Kysely, Selectable, Updateable } from 'kysely'
import type { DB, ExcessBaggageTable } from '../../db/schema.js'
import { paginate, type Page } from '../../shared/pagination.js'
import type { ExcessBaggageListFilter, ExcessBaggageRecord } from './schemas.js'
import { updateVersioned, findRow, insertRow } from '../../shared/rows.js'
import { money } from '../../shared/money.js'
import { pick } from '../../shared/objects.js'

export type ExcessBaggageRow = Selectable<ExcessBaggageTable>

export function toExcessBaggage(row: ExcessBaggageRow): ExcessBaggageRecord {
  return {
    ...pick(row, ['id', 'case_id', 'member_id', 'ticket_id', 'kilograms', 'reason', 'status', 'payment_request_id', 'requested_by', 'version']),
    cost: money(row.cost_minor, row.currency),
    payee: { type: row.payee_type, name: row.payee_name },
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  }
}

export async function insertExcessBaggage(db: Kysely<DB>, values: Insertable<ExcessBaggageTable>): Promise<ExcessBaggageRow> {
  return insertRow(db, 'excess_baggage', values)
}

export async function findExcessBaggage(db: Kysely<DB>, caseId: string, id: string, options: { forUpdate?: boolean } = {}): Promise<ExcessBaggageRow | undefined> {
  return findRow(db, 'excess_baggage', { id, case_id: caseId }, options)
}

export async function findExcessBaggageByPayment(db: Kysely<DB>, paymentRequestId: string): Promise<ExcessBaggageRow | undefined> {
  return db.selectFrom('excess_baggage').selectAll().where('payment_request_id', '=', paymentRequestId).forUpdate().executeTakeFirst()
}

export async function updateExcessBaggage(db: Kysely<DB>, id: string, changes: Updateable<ExcessBaggageTable>): Promise<ExcessBaggageRow> {
  return updateVersioned(db, 'excess_baggage', id, changes)
}

export async function listExcessBaggage(db: Kysely<DB>, caseId: string, filter: ExcessBaggageListFilter): Promise<Page<ExcessBaggageRecord>> {
  let query = db.selectFrom('excess_baggage').selectAll().where('case_id', '=', caseId)
  if (filter.status) query = query.where('status', '=', filter.status)
  if (filter.member_id) query = query.where('member_id', '=', filter.member_id)
  if (filter.ticket_id) query = query.where('ticket_id', '=', filter.ticket_id)
  return paginate(query, filter, (rows) => rows.map(toExcessBaggage))
}

export async function excessBaggageRecordsOfMember(db: Kysely<DB>, memberId: string): Promise<Record<string, string[]>> {
  const rows = await db.selectFrom('excess_baggage').select('id').where('member_id', '=', memberId).orderBy('id').execute()
  return { excess_baggage: rows.map((row) => row.id) }
}

/** Payment request ids of the charges on a ticket, or (with `memberId`) charged to the traveller without a ticket. */
export async function chargesOnTicket(db: Kysely<DB>, filter: { ticketId: string; memberId?: string }): Promise<string[]> {
  const rows = await db
    .selectFrom('excess_baggage')
    .select('payment_request_id')
    .where((eb) => {
      const onTicket = eb('ticket_id', '=', filter.ticketId)
      return filter.memberId ? eb.or([onTicket, eb.and([eb('member_id', '=', filter.memberId), eb('ticket_id', 'is', null)])]) : onTicket
    })
    .orderBy('payment_request_id')
    .execute()
  return rows.map((row) => row.payment_request_id)
}
