import type { Insertable, Kysely, Selectable, Updateable, Transaction } from 'kysely'
import type { DB, PaymentRequestsTable } from '../../db/schema.js'
import { paginate, type Page } from '../../shared/pagination.js'
import type { PaymentDetailsRecord, PaymentRequestListFilter, PaymentRequestRecord } from './schemas.js'
import { paymentWorkflow } from './transitions.js'
import { casesReferredTo } from '../return-cases/index.js'
import { updateVersioned, findRow, insertRow } from '../../shared/rows.js'
import { money } from '../../shared/money.js'

export type PaymentRequestRow = Selectable<PaymentRequestsTable>

const iso = (value: Date) => value.toISOString()

/** How the request was paid, or null before it is. */
export function toPaymentDetails(row: PaymentRequestRow): PaymentDetailsRecord | null {
  if (row.paid_amount_minor === null || !row.paid_by || !row.paid_recorded_at || !row.paid_on || !row.payment_reference) return null
  const local =
    row.local_amount_minor !== null && row.local_currency && row.exchange_rate && row.rate_date && row.rate_source
      ? { amount: money(row.local_amount_minor, row.local_currency), exchange_rate: row.exchange_rate, rate_date: row.rate_date, rate_source: row.rate_source }
      : null
  return {
    paid_by: row.paid_by,
    recorded_at: iso(row.paid_recorded_at),
    paid_on: row.paid_on,
    reference: row.payment_reference,
    amount: money(row.paid_amount_minor, row.currency),
    local,
  }
}

export function toPaymentRequest(row: PaymentRequestRow): PaymentRequestRecord {
  const approvals: PaymentRequestRecord['approvals'] = []
  if (row.first_approved_by && row.first_approved_at) approvals.push({ approved_by: row.first_approved_by, approved_at: iso(row.first_approved_at) })
  if (row.second_approved_by && row.second_approved_at) approvals.push({ approved_by: row.second_approved_by, approved_at: iso(row.second_approved_at) })
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    project_id: row.project_id,
    budget_line_id: row.budget_line_id,
    case_id: row.case_id,
    source: { type: row.source_type, id: row.source_id },
    commit_on_approval: row.commit_on_approval,
    commitment_source: { type: row.commitment_source_type, id: row.commitment_source_id },
    amount: money(row.amount_minor, row.currency),
    payee: { type: row.payee_type, id: row.payee_id, name: row.payee_name },
    description: row.description,
    requested_by: row.requested_by,
    requested_at: iso(row.requested_at),
    second_approval_required: row.second_approval_required,
    approvals,
    committed: money(row.committed_minor, row.currency),
    released: money(row.released_minor, row.currency),
    rejection:
      row.rejected_by && row.rejected_at
        ? { rejected_by: row.rejected_by, rejected_at: iso(row.rejected_at), reason: row.rejection_reason ?? '' }
        : null,
    cancellation:
      row.cancelled_by && row.cancelled_at
        ? { cancelled_by: row.cancelled_by, cancelled_at: iso(row.cancelled_at), reason: row.cancellation_reason ?? '' }
        : null,
    payment: toPaymentDetails(row),
    allowed_actions: paymentWorkflow.allowedActions(row.status),
    version: row.version,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
  }
}

export async function insertPaymentRequest(db: Kysely<DB>, values: Insertable<PaymentRequestsTable>): Promise<PaymentRequestRow> {
  return insertRow(db, 'payment_requests', values)
}

export async function findPaymentRequestRow(db: Kysely<DB>, id: string, options: { forUpdate?: boolean } = {}): Promise<PaymentRequestRow | undefined> {
  return findRow(db, 'payment_requests', { id }, options)
}

/** The request that currently pays a cost (not rejected nor cancelled), if any. */
export async function findLivePaymentRequestForSource(db: Kysely<DB>, sourceType: PaymentRequestRow['source_type'], sourceId: string): Promise<PaymentRequestRow | undefined> {
  return db
    .selectFrom('payment_requests')
    .selectAll()
    .where('source_type', '=', sourceType)
    .where('source_id', '=', sourceId)
    .where('status', 'not in', ['rejected', 'cancelled'])
    .executeTakeFirst()
}

export async function updatePaymentRequest(db: Kysely<DB>, id: string, changes: Updateable<PaymentRequestsTable>): Promise<PaymentRequestRow> {
  return updateVersioned(db, 'payment_requests', id, changes)
}

/**
 * Payment requests in creation order. `partnerOfficeId` restricts the page to requests of cases
 * referred to that partner office (what a partner-only caller may see).
 */
export async function listPaymentRequests(
  db: Kysely<DB>,
  filter: PaymentRequestListFilter,
  visibility: { partnerOfficeId: string | null },
): Promise<Page<PaymentRequestRecord>> {
  let query = db.selectFrom('payment_requests as pr').selectAll('pr')
  if (filter.status) query = query.where('pr.status', '=', filter.status)
  if (filter.kind) query = query.where('pr.kind', '=', filter.kind)
  if (filter.case_id) query = query.where('pr.case_id', '=', filter.case_id)
  if (filter.project_id) query = query.where('pr.project_id', '=', filter.project_id)
  if (filter.budget_line_id) query = query.where('pr.budget_line_id', '=', filter.budget_line_id)
  if (visibility.partnerOfficeId !== null) {
    const officeId = visibility.partnerOfficeId
    query = query.where('pr.case_id', 'in', casesReferredTo(db, officeId))
  }
  return paginate(query, filter, (rows) => rows.map(toPaymentRequest), { column: 'pr.id' })
}

/** Payment requests that still hold or may still draw money: requested, awaiting a second approval, approved. */
export const LIVE_PAYMENT_STATUSES: readonly PaymentRequestRow['status'][] = ['requested', 'awaiting_second_approval', 'approved']

/** The case's live payment requests, oldest first. */
export async function livePaymentRequestsOfCase(db: Kysely<DB>, caseId: string): Promise<string[]> {
  const rows = await db.selectFrom('payment_requests').select('id').where('case_id', '=', caseId).where('status', 'in', LIVE_PAYMENT_STATUSES).orderBy('id').execute()
  return rows.map((row) => row.id)
}

/** Locks the case's live payment requests in id order (see travel's lock order) and returns their lines. */
export async function lockLivePaymentRequestsOfCase(db: Transaction<DB>, caseId: string): Promise<Array<{ id: string; budget_line_id: string }>> {
  return db
    .selectFrom('payment_requests')
    .select(['id', 'budget_line_id'])
    .where('case_id', '=', caseId)
    .where('status', 'in', LIVE_PAYMENT_STATUSES)
    .orderBy('id')
    .forUpdate()
    .execute()
}

/** The statuses of some payment requests, by id. */
export async function paymentStatuses(db: Kysely<DB>, ids: readonly string[]): Promise<Map<string, PaymentRequestRow['status']>> {
  if (ids.length === 0) return new Map()
  const rows = await db.selectFrom('payment_requests').select(['id', 'status']).where('id', 'in', [...new Set(ids)]).execute()
  return new Map(rows.map((row) => [row.id, row.status]))
}

/** Payment requests by id (those that exist). */
export async function findPaymentRequestRows(db: Kysely<DB>, ids: readonly string[]): Promise<PaymentRequestRow[]> {
  if (ids.length === 0) return []
  return db.selectFrom('payment_requests').selectAll().where('id', 'in', [...ids]).execute()
}
