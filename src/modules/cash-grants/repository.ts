import type { Insertable, Kysely, Selectable } from 'kysely'
import type { CashGrantStatus, CashGrantsTable, DB } from '../../db/schema.js'
import { paginate, type Page } from '../../shared/pagination.js'
import { findPaymentRequestRows, toPaymentDetails, type PaymentRequestRow } from '../payments/index.js'
import type { CashGrantListFilter, CashGrantRecord } from './schemas.js'
import { updateVersioned, findRow, insertRow } from '../../shared/rows.js'
import { money } from '../../shared/money.js'

export type CashGrantRow = Selectable<CashGrantsTable>

/** Grants that still count for their recipient: one live grant per household or returnee. */
export const LIVE_GRANT_STATUSES: readonly CashGrantStatus[] = ['requested', 'approved', 'paid']

export function toCashGrant(row: CashGrantRow, payment: PaymentRequestRow): CashGrantRecord {
  return {
    id: row.id,
    case_id: row.case_id,
    project_id: row.project_id,
    payment_request_id: row.payment_request_id,
    scope: row.scope,
    member_id: row.member_id,
    basis: row.basis,
    rule:
      row.basis === 'rule' && row.rule_kind && row.reference_on && row.adults !== null && row.children !== null
        ? { kind: row.rule_kind, reference_on: row.reference_on, adults: row.adults, children: row.children }
        : null,
    amount: money(row.amount_minor, row.currency),
    justification: row.justification,
    status: row.status,
    payment_status: payment.status,
    payment: toPaymentDetails(payment),
    requested_by: row.requested_by,
    version: row.version,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  }
}

async function paymentsOf(db: Kysely<DB>, rows: readonly CashGrantRow[]): Promise<Map<string, PaymentRequestRow>> {
  if (rows.length === 0) return new Map()
  const payments = await findPaymentRequestRows(db, rows.map((row) => row.payment_request_id))
  return new Map(payments.map((payment) => [payment.id, payment]))
}

/** Grants with their payment requests, as API records. */
export async function withPayments(db: Kysely<DB>, rows: readonly CashGrantRow[]): Promise<CashGrantRecord[]> {
  const payments = await paymentsOf(db, rows)
  return rows.map((row) => {
    const payment = payments.get(row.payment_request_id)
    if (!payment) throw new Error(`Cash grant ${row.id} has no payment request ${row.payment_request_id}`)
    return toCashGrant(row, payment)
  })
}

export async function insertCashGrant(db: Kysely<DB>, values: Insertable<CashGrantsTable>): Promise<CashGrantRow> {
  return insertRow(db, 'cash_grants', values)
}

export async function findCashGrant(db: Kysely<DB>, caseId: string, grantId: string): Promise<CashGrantRow | undefined> {
  return db.selectFrom('cash_grants').selectAll().where('id', '=', grantId).where('case_id', '=', caseId).executeTakeFirst()
}

export async function findCashGrantByPayment(db: Kysely<DB>, paymentRequestId: string, options: { forUpdate?: boolean } = {}): Promise<CashGrantRow | undefined> {
  return findRow(db, 'cash_grants', { payment_request_id: paymentRequestId }, options)
}

export async function liveGrantsOfCase(db: Kysely<DB>, caseId: string): Promise<CashGrantRow[]> {
  return db.selectFrom('cash_grants').selectAll().where('case_id', '=', caseId).where('status', 'in', LIVE_GRANT_STATUSES).orderBy('id').execute()
}

export async function setCashGrantStatus(db: Kysely<DB>, id: string, status: CashGrantStatus): Promise<CashGrantRow> {
  return updateVersioned(db, 'cash_grants', id, { status })
}

export async function listCashGrants(db: Kysely<DB>, caseId: string, filter: CashGrantListFilter): Promise<Page<CashGrantRecord>> {
  let query = db.selectFrom('cash_grants').selectAll().where('case_id', '=', caseId)
  if (filter.status) query = query.where('status', '=', filter.status)
  return paginate(query, filter, (rows) => withPayments(db, rows))
}

export async function cashGrantRecordsOfMember(db: Kysely<DB>, memberId: string): Promise<Record<string, string[]>> {
  const rows = await db.selectFrom('cash_grants').select('id').where('member_id', '=', memberId).orderBy('id').execute()
  return { cash_grants: rows.map((row) => row.id) }
}
