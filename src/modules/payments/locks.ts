import type { Transaction } from 'kysely'
import type { DB } from '../../db/schema.js'
import type { Actor } from '../../shared/roles.js'
import { findCaseForActor, type ReturnCaseRow } from '../return-cases/index.js'
import { lockLivePaymentRequestsOfCase } from './repository.js'
import { budgetLinesOfCase, lockBudgetLines } from '../projects/index.js'

/**
 * Locks what releasing a case's money touches, in the order every write that touches these rows
 * takes them (docs/modules/reintegration.md, "Lock order"): the case's live payment requests (by
 * id), then the budget lines they and the case's ledger entries are on (by id), then the case.
 * Every release takes it: a travel no-show or cancellation, the lapse of reintegration assistance.
 * A payment approval locks its request, then its line (committing), then (in the ticket hook) the case: taking the requests first
 * here means a release waits for an approval in flight instead of deadlocking with it, and
 * an approval that comes after finds its request cancelled.
 *
 * Checks visibility first (404 for a case the caller may not see) so nothing is locked for it.
 */
export async function lockCaseForRelease(db: Transaction<DB>, actor: Actor, caseId: string): Promise<ReturnCaseRow> {
  await findCaseForActor(db, actor, caseId)
  const payments = await lockLivePaymentRequestsOfCase(db, caseId)
  await lockBudgetLines(db, [...new Set([...payments.map((payment) => payment.budget_line_id), ...(await budgetLinesOfCase(db, caseId))])])
  return findCaseForActor(db, actor, caseId, { forUpdate: true })
}
