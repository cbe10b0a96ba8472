import type { Kysely } from 'kysely'
import type { CaseStatus, DB } from '../../db/schema.js'
import { ProblemError, conflict, notFound } from '../../shared/problems.js'
import { findProjectRow, type ProjectRow } from '../projects/index.js'
import { assertCaseOpen, type ReturnCaseRow } from '../return-cases/index.js'

/** What reintegration needs from a case: its status rules and its project. */

/** The form is filled in before departure: while the case is being counselled, decided or booked. */
export const REQUEST_FORM_CASE_STATUSES: readonly CaseStatus[] = ['submitted', 'in_counselling', 'approved', 'travel_booked']
/** Money is committed to a plan only once return assistance is approved, and until the case ends. */
export const PLAN_CASE_STATUSES: readonly CaseStatus[] = ['approved', 'travel_booked', 'departed', 'arrived', 'in_reintegration']
/** Cases that ended without a return: nothing more is assessed, decided or paid for them. */
export const ENDED_CASE_STATUSES: readonly CaseStatus[] = ['rejected', 'withdrawn', 'no_show', 'cancelled', 'closed']
/** Goods and services are delivered in the country of origin, once the returnees are there. */
export const RETURNED_CASE_STATUSES: readonly CaseStatus[] = ['arrived', 'in_reintegration']

export function assertCaseStatus(caseRow: ReturnCaseRow, allowed: readonly CaseStatus[], what: string): void {
  assertCaseOpen(caseRow)
  if (!allowed.includes(caseRow.status)) {
    throw conflict(`${what}; return case ${caseRow.reference} is ${caseRow.status}`, { current_status: caseRow.status, allowed_case_statuses: allowed })
  }
}

export function assertCaseNotEnded(caseRow: ReturnCaseRow, what: string): void {
  assertCaseOpen(caseRow)
  if (ENDED_CASE_STATUSES.includes(caseRow.status)) {
    throw conflict(`${what}: return case ${caseRow.reference} is ${caseRow.status}`, { current_status: caseRow.status })
  }
}

/** The project funding the case: its currency is the currency of every amount of the case's reintegration. */
export async function projectOfCase(db: Kysely<DB>, caseRow: ReturnCaseRow): Promise<ProjectRow> {
  if (!caseRow.project_id) {
    throw new ProblemError('conflict', `Return case ${caseRow.reference} is not attached to a project that could fund reintegration; attach one first`, {
      case_id: caseRow.id,
    })
  }
  const project = await findProjectRow(db, caseRow.project_id)
  if (!project) throw notFound('Project', caseRow.project_id)
  return project
}

export function currencyMismatch(expected: string, pointers: string[]): ProblemError {
  return new ProblemError('currency-mismatch', `Amounts of this case are kept in ${expected}, the project's currency`, {
    expected_currency: expected,
    errors: pointers.map((pointer) => ({ pointer, detail: `must be ${expected}` })),
  })
}
