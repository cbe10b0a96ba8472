import type { Transaction } from 'kysely'
import type { DB } from '../../db/schema.js'
import type { IdempotencyClaim } from '../../db/unit-of-work.js'
import type { RequestContext } from '../../shared/context.js'
import { newId } from '../../shared/ids.js'
import { ProblemError } from '../../shared/problems.js'
import type { AuditInput } from '../../shared/audit.js'
import type { CommitBatches } from './commit-batches.js'
import { commitFunds, releaseFunds, type LedgerEntryRow, type LedgerPosting } from './ledger.js'
import type { ManualLedgerPostingInput } from './ledger-schemas.js'

/**
 * A commitment or release that finance records by hand for a cost handled outside this
 * service (source type `other`). Spending always goes through a payment with maker-checker,
 * never through here. The line's project and the audit entry are checked and written by the
 * posting's own statement: a commitment is one round trip between BEGIN and COMMIT.
 */
export async function postManualEntry(
  db: Transaction<DB>,
  context: RequestContext,
  kind: ManualLedgerPostingInput['kind'],
  posting: LedgerPosting,
  claim?: IdempotencyClaim,
): Promise<LedgerEntryRow> {
  return kind === 'commit' ? commitFunds(db, context, posting, claim) : releaseFunds(db, context, posting)
}

/** The posting a manual entry makes, after the checks the body schema cannot express (400 otherwise). */
export function manualPosting(projectId: string, lineId: string, input: ManualLedgerPostingInput): LedgerPosting & { audit: AuditInput; projectId: string } {
  if (input.amount.amount_minor < 1) {
    throw new ProblemError('validation-error', 'The amount must be at least 1 minor unit', { errors: [{ pointer: '/body/amount/amount_minor', detail: 'must be at least 1' }] })
  }
  if (input.kind === 'release' && input.source_id === undefined) {
    throw new ProblemError('validation-error', 'A release names the commitment it gives back', { errors: [{ pointer: '/body/source_id', detail: 'is required for a release' }] })
  }
  const source = { type: 'other' as const, id: input.source_id ?? newId() }
  return {
    budgetLineId: lineId,
    projectId,
    amount: input.amount,
    source,
    note: input.note,
    audit: {
      action: input.kind === 'commit' ? 'budget_line.manual_commit' : 'budget_line.manual_release',
      entityType: 'budget_line',
      entityId: lineId,
      after: { amount: input.amount, source_id: source.id, note: input.note },
    },
  }
}

/**
 * The commit strategy of a manual entry. A commitment without an Idempotency-Key joins its line's
 * group commit (a keyed one must claim its key in its own transaction, so it cannot). Undefined
 * when the entry is not batched, or the batch did not take it: the caller then posts it in the
 * request's own unit of work (postManualEntry), which gives the exact answer.
 */
export async function groupCommit(
  batches: CommitBatches,
  context: RequestContext,
  kind: ManualLedgerPostingInput['kind'],
  posting: ReturnType<typeof manualPosting>,
  request: { keyed: boolean },
): Promise<LedgerEntryRow | undefined> {
  if (kind !== 'commit' || request.keyed) return undefined
  return batches.commit(context, posting)
}
