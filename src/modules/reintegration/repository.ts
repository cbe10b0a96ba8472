import { sql, type Kysely, type Selectable, type Transaction } from 'kysely'
import type {
  DB,
  ReintegrationAssessmentsTable,
  ReintegrationDecisionsTable,
  ReintegrationDisbursementsTable,
  ReintegrationItemValue,
  ReintegrationPlansTable,
  ReintegrationRequestsTable,
} from '../../db/schema.js'
import { paginate, type Page } from '../../shared/pagination.js'
import { toUrgencyRecord } from './scoring.js'
import type {
  AssessmentRecord,
  DecisionRecord,
  DisbursementRecord,
  ItemInputValue,
  ItemRecord,
  ReintegrationPlanRecord,
  ReintegrationRequestRecord,
} from './schemas.js'
import { planWorkflow, requestActions } from './transitions.js'
import { UUID_PATTERN } from '../../shared/ids.js'
import { supplierNames } from '../suppliers/index.js'
import { money } from '../../shared/money.js'
import { findRow } from '../../shared/rows.js'

export type RequestRow = Selectable<ReintegrationRequestsTable>
export type AssessmentRow = Selectable<ReintegrationAssessmentsTable>
export type DecisionRow = Selectable<ReintegrationDecisionsTable>
export type PlanRow = Selectable<ReintegrationPlansTable>
export type DisbursementRow = Selectable<ReintegrationDisbursementsTable>

const iso = (value: Date) => value.toISOString()

// ---------------------------------------------------------------- items

export function toItemValues(items: readonly ItemInputValue[]): ReintegrationItemValue[] {
  return items.map((item) => ({ description: item.description.trim(), quantity: item.quantity, unit_price_minor: item.unit_price.amount_minor }))
}

export function itemsTotal(items: readonly ReintegrationItemValue[]): number {
  return items.reduce((sum, item) => sum + item.quantity * item.unit_price_minor, 0)
}

export function toItems(items: readonly ReintegrationItemValue[], currency: string): ItemRecord[] {
  return items.map((item) => ({
    description: item.description,
    quantity: item.quantity,
    unit_price: money(item.unit_price_minor, currency),
    total: money(item.quantity * item.unit_price_minor, currency),
  }))
}

// ---------------------------------------------------------------- requests

export async function findRequest(db: Kysely<DB>, caseId: string, requestId: string, options: { forUpdate?: boolean } = {}): Promise<RequestRow | undefined> {
  if (!UUID_PATTERN.test(requestId)) return undefined
  return findRow(db, 'reintegration_requests', { id: requestId, case_id: caseId }, options)
}

export async function liveRequestsOfCase(db: Kysely<DB>, caseId: string): Promise<RequestRow[]> {
  return db.selectFrom('reintegration_requests').selectAll().where('case_id', '=', caseId).where('status', 'not in', ['rejected', 'withdrawn']).orderBy('id').execute()
}

export function toAssessment(row: AssessmentRow): AssessmentRecord {
  return {
    id: row.id,
    assessed_on: row.assessed_on,
    assessed_by: row.assessed_by,
    feasibility: { score: row.feasibility_score, justification: row.feasibility_justification },
    motivation: { score: row.motivation_score, justification: row.motivation_justification },
    urgency: toUrgencyRecord(row),
    created_at: iso(row.created_at),
  }
}

export function toDecision(row: DecisionRow, currency: string): DecisionRecord {
  return {
    id: row.id,
    outcome: row.outcome,
    decided_by: row.decided_by,
    decided_at: iso(row.decided_at),
    reason: row.reason,
    budget: row.budget_minor === null ? null : money(row.budget_minor, currency),
    available: row.available_minor === null ? null : money(row.available_minor, currency),
    plan_id: row.plan_id,
  }
}

/** Requests with their current assessment, decisions and plan, as the API shows them. */
export async function presentRequests(db: Kysely<DB>, rows: readonly RequestRow[]): Promise<ReintegrationRequestRecord[]> {
  if (rows.length === 0) return []
  const ids = rows.map((row) => row.id)
  const assessmentIds = rows.map((row) => row.current_assessment_id).filter((id): id is string => id !== null)
  const assessments = assessmentIds.length > 0 ? await db.selectFrom('reintegration_assessments').selectAll().where('id', 'in', assessmentIds).execute() : []
  const decisions = await db.selectFrom('reintegration_decisions').selectAll().where('request_id', 'in', ids).orderBy('id').execute()
  const plans = await db.selectFrom('reintegration_plans').select(['id', 'request_id']).where('request_id', 'in', ids).execute()
  const assessmentOf = new Map(assessments.map((row) => [row.id, row]))
  const planOf = new Map(plans.map((row) => [row.request_id, row.id]))
  return rows.map((row) => {
    const assessment = row.current_assessment_id ? assessmentOf.get(row.current_assessment_id) : undefined
    return {
      id: row.id,
      case_id: row.case_id,
      scope: row.scope,
      member_id: row.member_id,
      filled_on: row.filled_on,
      planned_activity: row.planned_activity,
      form_of_help: row.form_of_help,
      other_kind: row.other_kind,
      skills_and_experience: row.skills_and_experience,
      motivation_statement: row.motivation_statement,
      items: toItems(row.items, row.currency),
      amount_requested: money(row.amount_requested_minor, row.currency),
      status: row.status,
      assessment: assessment ? toAssessment(assessment) : null,
      decisions: decisions.filter((decision) => decision.request_id === row.id).map((decision) => toDecision(decision, row.currency)),
      plan_id: planOf.get(row.id) ?? null,
      withdrawal:
        row.withdrawn_by && row.withdrawn_at ? { withdrawn_by: row.withdrawn_by, withdrawn_at: iso(row.withdrawn_at), reason: row.withdrawal_reason ?? '' } : null,
      allowed_actions: requestActions(row.status),
      created_by: row.created_by,
      version: row.version,
      created_at: iso(row.created_at),
      updated_at: iso(row.updated_at),
    }
  })
}

export async function presentRequest(db: Kysely<DB>, row: RequestRow): Promise<ReintegrationRequestRecord> {
  return (await presentRequests(db, [row]))[0] as ReintegrationRequestRecord
}

export async function requestPage(db: Kysely<DB>, caseId: string, page: { limit?: number; cursor?: string }): Promise<Page<ReintegrationRequestRecord>> {
  return paginate(db.selectFrom('reintegration_requests').selectAll().where('case_id', '=', caseId), page, (rows) => presentRequests(db, rows))
}

// ---------------------------------------------------------------- plans

export async function findPlan(db: Kysely<DB>, caseId: string, planId: string, options: { forUpdate?: boolean } = {}): Promise<PlanRow | undefined> {
  if (!UUID_PATTERN.test(planId)) return undefined
  return findRow(db, 'reintegration_plans', { id: planId, case_id: caseId }, options)
}

/**
 * A plan's representation shows what its disbursements use (`disbursed`, `spent`, `available`), so a change to
 * one of them is a new version of the plan: its ETag changes, and an If-Match taken before is stale.
 */
export async function touchPlan(db: Kysely<DB>, planId: string): Promise<void> {
  await db.updateTable('reintegration_plans').set((eb) => ({ version: eb('version', '+', 1), updated_at: new Date() })).where('id', '=', planId).execute()
}

export async function findPlanById(db: Kysely<DB>, planId: string, options: { forUpdate?: boolean } = {}): Promise<PlanRow | undefined> {
  return findRow(db, 'reintegration_plans', { id: planId }, options)
}

export interface PlanUsage {
  /** Requested and approved disbursements at their amount, paid ones at what was paid. */
  disbursedMinor: number
  spentMinor: number
}

/** Disbursed and spent amounts of several plans in one grouped query (plans with none get zeros). */
export async function plansUsage(db: Kysely<DB>, planIds: readonly string[]): Promise<Map<string, PlanUsage>> {
  const usage = new Map<string, PlanUsage>(planIds.map((id) => [id, { disbursedMinor: 0, spentMinor: 0 }]))
  if (planIds.length === 0) return usage
  const rows = await db
    .selectFrom('reintegration_disbursements')
    .select('plan_id')
    .select(sql<number>`coalesce(sum(case when status = 'paid' then paid_amount_minor else amount_minor end), 0)::bigint`.as('disbursed'))
    .select(sql<number>`coalesce(sum(case when status = 'paid' then paid_amount_minor else 0 end), 0)::bigint`.as('spent'))
    .where('plan_id', 'in', [...planIds])
    .where('status', 'in', ['requested', 'approved', 'paid'])
    .groupBy('plan_id')
    .execute()
  for (const row of rows) usage.set(row.plan_id, { disbursedMinor: Number(row.disbursed), spentMinor: Number(row.spent) })
  return usage
}

/** What the plan's disbursements use of its budget. Read it after locking the plan when you act on it. */
export async function planUsage(db: Kysely<DB>, planId: string): Promise<PlanUsage> {
  return (await plansUsage(db, [planId])).get(planId) as PlanUsage
}

export function toPlan(row: PlanRow, usage: PlanUsage): ReintegrationPlanRecord {
  return {
    id: row.id,
    request_id: row.request_id,
    case_id: row.case_id,
    project_id: row.project_id,
    budget_line_id: row.budget_line_id,
    budget: money(row.budget_minor, row.currency),
    items: toItems(row.items, row.currency),
    status: row.status,
    disbursed: money(usage.disbursedMinor, row.currency),
    spent: money(usage.spentMinor, row.currency),
    available: money(row.status === 'active' ? row.budget_minor - usage.disbursedMinor : 0, row.currency),
    released: money(row.released_minor, row.currency),
    approved_by: row.approved_by,
    approved_at: iso(row.approved_at),
    closure: row.closed_by && row.closed_at ? { closed_by: row.closed_by, closed_at: iso(row.closed_at), reason: row.closure_reason } : null,
    allowed_actions: planWorkflow.allowedActions(row.status),
    version: row.version,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
  }
}

export async function presentPlan(db: Kysely<DB>, row: PlanRow): Promise<ReintegrationPlanRecord> {
  return toPlan(row, await planUsage(db, row.id))
}

export async function planPage(db: Kysely<DB>, caseId: string, page: { limit?: number; cursor?: string }): Promise<Page<ReintegrationPlanRecord>> {
  return paginate(db.selectFrom('reintegration_plans').selectAll().where('case_id', '=', caseId), page, async (rows) => {
    const usage = await plansUsage(db, rows.map((row) => row.id))
    return rows.map((row) => toPlan(row, usage.get(row.id) as PlanUsage))
  })
}

// ---------------------------------------------------------------- disbursements

export async function findDisbursement(
  db: Kysely<DB>,
  planId: string,
  disbursementId: string,
  options: { forUpdate?: boolean } = {},
): Promise<DisbursementRow | undefined> {
  if (!UUID_PATTERN.test(disbursementId)) return undefined
  return findRow(db, 'reintegration_disbursements', { id: disbursementId, plan_id: planId }, options)
}

export async function disbursementsOfPlan(db: Kysely<DB>, planId: string): Promise<DisbursementRow[]> {
  return db.selectFrom('reintegration_disbursements').selectAll().where('plan_id', '=', planId).orderBy('id').execute()
}

export async function presentDisbursements(db: Kysely<DB>, rows: readonly DisbursementRow[]): Promise<DisbursementRecord[]> {
  if (rows.length === 0) return []
  const supplierOf = await supplierNames(db, rows.map((row) => row.supplier_id))
  return rows.map((row) => {
    const supplier = supplierOf.get(row.supplier_id) as { id: string; name: string; office_id: string }
    return {
      id: row.id,
      plan_id: row.plan_id,
      case_id: row.case_id,
      supplier: { id: supplier.id, name: supplier.name, office_id: supplier.office_id },
      items: toItems(row.items, row.currency),
      amount: money(row.amount_minor, row.currency),
      invoice_number: row.invoice_number,
      invoice_date: row.invoice_date,
      status: row.status,
      payment_request_id: row.payment_request_id,
      paid_amount: row.paid_amount_minor === null ? null : money(row.paid_amount_minor, row.currency),
      delivery:
        row.delivered_on && row.delivered_items && row.delivery_confirmed_by && row.delivery_confirmed_at
          ? {
              delivered_on: row.delivered_on,
              delivered_items: row.delivered_items,
              notes: row.delivery_notes,
              confirmed_by: row.delivery_confirmed_by,
              confirmed_at: iso(row.delivery_confirmed_at),
            }
          : null,
      created_by: row.created_by,
      version: row.version,
      created_at: iso(row.created_at),
      updated_at: iso(row.updated_at),
    }
  })
}

export async function presentDisbursement(db: Kysely<DB>, row: DisbursementRow): Promise<DisbursementRecord> {
  return (await presentDisbursements(db, [row]))[0] as DisbursementRecord
}

export async function disbursementPage(db: Kysely<DB>, planId: string, page: { limit?: number; cursor?: string }): Promise<Page<DisbursementRecord>> {
  return paginate(db.selectFrom('reintegration_disbursements').selectAll().where('plan_id', '=', planId), page, (rows) => presentDisbursements(db, rows))
}

/** The case's first request form (in creation order), whatever its status. */
export async function firstRequestOfCase(db: Kysely<DB>, caseId: string): Promise<RequestRow | undefined> {
  return db.selectFrom('reintegration_requests').selectAll().where('case_id', '=', caseId).orderBy('id').executeTakeFirst()
}

/** The case's first plan (in creation order), whatever its status. */
export async function firstPlanOfCase(db: Kysely<DB>, caseId: string): Promise<PlanRow | undefined> {
  return db.selectFrom('reintegration_plans').selectAll().where('case_id', '=', caseId).orderBy('id').executeTakeFirst()
}

/** The case's active plans, oldest first. */
export async function activePlansOfCase(db: Kysely<DB>, caseId: string): Promise<string[]> {
  const rows = await db.selectFrom('reintegration_plans').select('id').where('case_id', '=', caseId).where('status', '=', 'active').orderBy('id').execute()
  return rows.map((row) => row.id)
}

export async function reintegrationRecordsOfMember(db: Kysely<DB>, memberId: string): Promise<Record<string, string[]>> {
  const rows = await db.selectFrom('reintegration_requests').select('id').where('member_id', '=', memberId).orderBy('id').execute()
  return { reintegration_requests: rows.map((row) => row.id) }
}

export async function isPlanOfCase(db: Kysely<DB>, caseId: string, planId: string): Promise<boolean> {
  return (await db.selectFrom('reintegration_plans').select('id').where('id', '=', planId).where('case_id', '=', caseId).executeTakeFirst()) !== undefined
}

/** The case's active plans, locked, oldest first. */
export async function lockActivePlansOfCase(db: Transaction<DB>, caseId: string): Promise<PlanRow[]> {
  return db.selectFrom('reintegration_plans').selectAll().where('case_id', '=', caseId).where('status', '=', 'active').orderBy('id').forUpdate().execute()
}
