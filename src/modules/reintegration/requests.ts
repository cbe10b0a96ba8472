import type { Transaction } from 'kysely'
import type { DB, ReintegrationItemValue } from '../../db/schema.js'
import type { RequestContext } from '../../shared/context.js'
import { assertVersion } from '../../shared/etag.js'
import { newId } from '../../shared/ids.js'
import { ProblemError, invalidField, unprocessable } from '../../shared/problems.js'
import { caseRecordReads, assertCaseOpen, findCaseForActor, listCaseMembers, type ReturnCaseRow } from '../return-cases/index.js'
import { REQUEST_FORM_CASE_STATUSES, assertCaseNotEnded, assertCaseStatus, currencyMismatch, projectOfCase } from './cases.js'
import * as repository from './repository.js'
import type { RequestRow } from './repository.js'
import { deriveUrgency } from './scoring.js'
import type {
  AssessReintegrationRequestInput,
  CreateReintegrationRequestInput,
  ItemInputValue,
  ReintegrationRequestRecord,
  RequestAction,
  UpdateReintegrationRequestInput,
} from './schemas.js'
import { requestWorkflow } from './transitions.js'
import { todayIso } from '../../shared/dates.js'
import { recordChange } from '../../shared/audit.js'
import { updateVersioned } from '../../shared/rows.js'
import { money } from '../../shared/money.js'
import { pick } from '../../shared/objects.js'

/** The migrant's own words and the assessors' reasoning are personal: audited as changed, never with their values. */
export const REQUEST_MASKED_FIELDS = ['skills_and_experience', 'motivation_statement'] as const
const ASSESSMENT_MASKED_FIELDS = ['feasibility_justification', 'motivation_justification'] as const

/** Money's upper bound: a line total or a sum beyond it is refused rather than rounded. */
const MAX_AMOUNT_MINOR = 1e13

function requestNotFound(requestId: string): ProblemError {
  return new ProblemError('not-found', `Reintegration request ${requestId} does not exist in this case`)
}

export function requestSnapshot(row: RequestRow): Record<string, unknown> {
  return pick(row, [
    'scope', 'member_id', 'filled_on', 'planned_activity', 'form_of_help', 'other_kind', 'skills_and_experience', 'motivation_statement',
    'items', 'amount_requested_minor', 'currency', 'status', 'current_assessment_id',
  ])
}

/** Outbox payloads leave the system: no free text about the person. */
export function requestEventPayload(row: RequestRow, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: row.id,
    case_id: row.case_id,
    scope: row.scope,
    member_id: row.member_id,
    form_of_help: row.form_of_help,
    other_kind: row.other_kind,
    amount_requested: money(row.amount_requested_minor, row.currency),
    status: row.status,
    version: row.version,
    ...extra,
  }
}

/** The audit entry and the event of a change to a request: what changed, and the request as events show it (with `event` added). */
export async function recordRequestChange(
  db: Transaction<DB>,
  context: RequestContext,
  action: string,
  updated: RequestRow,
  change: { before?: Record<string, unknown>; after: Record<string, unknown>; maskedFields?: readonly string[]; event?: Record<string, unknown> },
): Promise<void> {
  await recordChange(db, context, {
    action,
    entityType: 'reintegration_request',
    entityId: updated.id,
    caseId: updated.case_id,
    before: change.before,
    after: change.after,
    maskedFields: change.maskedFields,
    payload: requestEventPayload(updated, change.event),
  })
}

/** Items in the project's currency, with totals that stay exact. */
export function checkedItems(items: readonly ItemInputValue[], currency: string, pointer: string): { values: ReintegrationItemValue[]; totalMinor: number } {
  const wrongCurrency = items.flatMap((item, index) => (item.unit_price.currency === currency ? [] : [`${pointer}/${index}/unit_price/currency`]))
  if (wrongCurrency.length > 0) throw currencyMismatch(currency, wrongCurrency)
  const tooLarge = items.flatMap((item, index) =>
    item.quantity * item.unit_price.amount_minor > MAX_AMOUNT_MINOR ? [{ pointer: `${pointer}/${index}`, detail: 'the line total is too large' }] : [],
  )
  if (tooLarge.length > 0) throw unprocessable('An item total is too large', tooLarge)
  const values = repository.toItemValues(items)
  const totalMinor = repository.itemsTotal(values)
  if (totalMinor > MAX_AMOUNT_MINOR) throw unprocessable('The total of the items is too large', [{ pointer, detail: 'the total is too large' }])
  return { values, totalMinor }
}

function assertDateNotInFuture(date: string, pointer: string): void {
  if (date > todayIso()) throw invalidField(pointer, 'must not be in the future')
}

function assertOtherKind(formOfHelp: string, otherKind: string | null | undefined, pointer: string): void {
  if (formOfHelp === 'other' && !otherKind) throw unprocessable('Say which other help is needed', [{ pointer, detail: 'required when form_of_help is other' }])
  if (formOfHelp !== 'other' && otherKind) throw unprocessable('other_kind goes only with form_of_help other', [{ pointer, detail: 'only when form_of_help is other' }])
}

/** One live request per household or returnee; a household request excludes per-returnee ones and the reverse. */
function assertOneLiveRequest(live: readonly RequestRow[], scope: 'household' | 'returnee', memberId: string | null): void {
  const household = live.find((request) => request.scope === 'household')
  const clash = scope === 'household' ? live[0] : (household ?? live.find((request) => request.member_id === memberId))
  if (clash) {
    const detail =
      clash.scope === 'household'
        ? `The household already has reintegration request ${clash.id} (${clash.status})`
        : scope === 'household'
          ? `Returnees of this case already have reintegration requests (e.g. ${clash.id}); a household request would duplicate them`
          : `This returnee already has reintegration request ${clash.id} (${clash.status})`
    throw new ProblemError('duplicate-resource', detail, { existing_id: clash.id, current_status: clash.status })
  }
}

/** The case (locked first, as every write to a case's reintegration does) and the request, locked. */
export async function lockRequest(db: Transaction<DB>, context: RequestContext, caseId: string, requestId: string): Promise<{ caseRow: ReturnCaseRow; request: RequestRow }> {
  const caseRow = await findCaseForActor(db, context.actor, caseId, { forUpdate: true })
  const request = await repository.findRequest(db, caseRow.id, requestId, { forUpdate: true })
  if (!request) throw requestNotFound(requestId)
  return { caseRow, request }
}

/**
 * What every change of a request starts with: the case and the request locked (case first), the
 * case checked (`assertCase`), the If-Match version, and the status `action` leads to (409
 * `invalid-transition` when the workflow does not allow it).
 */
export async function lockRequestFor(
  db: Transaction<DB>,
  context: RequestContext,
  ids: { caseId: string; requestId: string },
  expectedVersion: number | undefined,
  action: RequestAction,
  assertCase: (caseRow: ReturnCaseRow) => void | Promise<void>,
): Promise<{ caseRow: ReturnCaseRow; request: RequestRow; to: RequestRow['status'] }> {
  const { caseRow, request } = await lockRequest(db, context, ids.caseId, ids.requestId)
  await assertCase(caseRow)
  assertVersion(request.version, expectedVersion)
  return { caseRow, request, to: requestWorkflow.target(action, request.status) }
}

/**
 * Records the request form of a household or one returnee, before departure: amounts in the
 * project's currency, their total the amount requested.
 */
export async function createRequest(db: Transaction<DB>, context: RequestContext, caseId: string, input: CreateReintegrationRequestInput): Promise<ReintegrationRequestRecord> {
  const caseRow = await findCaseForActor(db, context.actor, caseId, { forUpdate: true })
  assertCaseStatus(caseRow, REQUEST_FORM_CASE_STATUSES, 'A reintegration request is filled in before departure')
  const project = await projectOfCase(db, caseRow)
  if (input.scope === 'returnee' && !input.member_id) throw unprocessable('A request for a returnee names the household member', [{ pointer: '/body/member_id', detail: 'required for scope returnee' }])
  if (input.scope === 'household' && input.member_id) throw unprocessable('A household request is for the whole household', [{ pointer: '/body/member_id', detail: 'not allowed for scope household' }])
  if (input.member_id) {
    const members = await listCaseMembers(db, caseRow.id)
    if (!members.some((member) => member.id === input.member_id)) {
      throw unprocessable(`Member ${input.member_id} is not in the household of case ${caseRow.reference}`, [{ pointer: '/body/member_id', detail: 'not a member of this case' }])
    }
  }
  const filledOn = input.filled_on ?? todayIso()
  assertDateNotInFuture(filledOn, '/body/filled_on')
  assertOtherKind(input.form_of_help, input.other_kind, '/body/other_kind')
  const { values, totalMinor } = checkedItems(input.items, project.currency, '/body/items')
  assertOneLiveRequest(await repository.liveRequestsOfCase(db, caseRow.id), input.scope, input.member_id ?? null)

  const row = await db
    .insertInto('reintegration_requests')
    .values({
      id: newId(),
      case_id: caseRow.id,
      scope: input.scope,
      member_id: input.member_id ?? null,
      filled_on: filledOn,
      planned_activity: input.planned_activity.trim(),
      form_of_help: input.form_of_help,
      other_kind: input.other_kind ?? null,
      skills_and_experience: input.skills_and_experience.trim(),
      motivation_statement: input.motivation_statement.trim(),
      items: JSON.stringify(values),
      amount_requested_minor: totalMinor,
      currency: project.currency,
      status: 'submitted',
      created_by: context.actor.sub,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
  await recordRequestChange(db, context, 'reintegration_request.submitted', row, { after: requestSnapshot(row), maskedFields: REQUEST_MASKED_FIELDS })
  return repository.presentRequest(db, row)
}

/** Changes the form while it is `submitted`: once assessed, the scores refer to what was assessed. */
export async function updateRequest(
  db: Transaction<DB>,
  context: RequestContext,
  ids: { caseId: string; requestId: string },
  expectedVersion: number | undefined,
  input: UpdateReintegrationRequestInput,
): Promise<ReintegrationRequestRecord> {
  const { request } = await lockRequestFor(db, context, ids, expectedVersion, 'edit', (caseRow) =>
    assertCaseStatus(caseRow, REQUEST_FORM_CASE_STATUSES, 'A reintegration request is filled in before departure'),
  )
  if (input.filled_on !== undefined) assertDateNotInFuture(input.filled_on, '/body/filled_on')
  const formOfHelp = input.form_of_help ?? request.form_of_help
  const otherKind = input.other_kind !== undefined ? input.other_kind : formOfHelp === 'other' ? request.other_kind : null
  assertOtherKind(formOfHelp, otherKind, '/body/other_kind')
  const items = input.items ? checkedItems(input.items, request.currency, '/body/items') : undefined
  const updated = await updateVersioned(db, 'reintegration_requests', request.id, {
    ...(input.filled_on !== undefined ? { filled_on: input.filled_on } : {}),
    ...(input.planned_activity !== undefined ? { planned_activity: input.planned_activity.trim() } : {}),
    form_of_help: formOfHelp,
    other_kind: otherKind,
    ...(input.skills_and_experience !== undefined ? { skills_and_experience: input.skills_and_experience.trim() } : {}),
    ...(input.motivation_statement !== undefined ? { motivation_statement: input.motivation_statement.trim() } : {}),
    ...(items ? { items: JSON.stringify(items.values), amount_requested_minor: items.totalMinor } : {}),
  })
  await recordRequestChange(db, context, 'reintegration_request.updated', updated, {
    before: requestSnapshot(request),
    after: requestSnapshot(updated),
    maskedFields: REQUEST_MASKED_FIELDS,
  })
  return repository.presentRequest(db, updated)
}

/**
 * Scores feasibility and motivation as staff judged them and derives urgency on the assessment
 * date (crisis list, household vulnerabilities). A request may be re-assessed until it is decided;
 * the latest assessment counts and earlier ones stay on record.
 */
export async function assessRequest(
  db: Transaction<DB>,
  context: RequestContext,
  ids: { caseId: string; requestId: string },
  expectedVersion: number | undefined,
  input: AssessReintegrationRequestInput,
): Promise<ReintegrationRequestRecord> {
  const { caseRow, request, to } = await lockRequestFor(db, context, ids, expectedVersion, 'assess', (caseRow) => assertCaseNotEnded(caseRow, 'A reintegration request cannot be assessed'))
  const assessedOn = input.assessed_on ?? todayIso()
  assertDateNotInFuture(assessedOn, '/body/assessed_on')
  if (assessedOn < request.filled_on) throw invalidField('/body/assessed_on', `must not be before the form was filled in (${request.filled_on})`)
  const urgency = await deriveUrgency(db, caseRow, assessedOn)
  const assessment = await db
    .insertInto('reintegration_assessments')
    .values({
      id: newId(),
      request_id: request.id,
      assessed_on: assessedOn,
      assessed_by: context.actor.sub,
      feasibility_score: input.feasibility.score,
      feasibility_justification: input.feasibility.justification.trim(),
      motivation_score: input.motivation.score,
      motivation_justification: input.motivation.justification.trim(),
      urgency_score: urgency.score,
      urgency_crisis_points: urgency.crisisPoints,
      urgency_vulnerability_points: urgency.vulnerabilityPoints,
      urgency_basis: JSON.stringify(urgency.basis),
    })
    .returningAll()
    .executeTakeFirstOrThrow()
  const updated = await updateVersioned(db, 'reintegration_requests', request.id, { status: to, current_assessment_id: assessment.id })
  const scores = { feasibility: assessment.feasibility_score, motivation: assessment.motivation_score, urgency: assessment.urgency_score }
  await recordRequestChange(db, context, 'reintegration_request.assessed', updated, {
    before: { status: request.status, current_assessment_id: request.current_assessment_id },
    after: {
      status: updated.status,
      current_assessment_id: assessment.id,
      assessed_on: assessedOn,
      ...scores,
      urgency_basis: urgency.basis,
      feasibility_justification: assessment.feasibility_justification,
      motivation_justification: assessment.motivation_justification,
    },
    maskedFields: ASSESSMENT_MASKED_FIELDS,
    event: { assessment_id: assessment.id, assessed_on: assessedOn, scores },
  })
  return repository.presentRequest(db, updated)
}

/**
 * A change of status for a reason (a rejection, a withdrawal) on a request of an open case: the
 * request locked and checked as lockRequestFor does, `apply` writes the change (given the reason
 * trimmed), and the change is recorded as `reintegration_request.<new status>` with the reason.
 */
export function reasonedRequestChange(
  action: RequestAction,
  apply: (db: Transaction<DB>, context: RequestContext, request: RequestRow, to: RequestRow['status'], reason: string) => Promise<RequestRow>,
) {
  return async (db: Transaction<DB>, context: RequestContext, ids: { caseId: string; requestId: string }, expectedVersion: number | undefined, reason: string): Promise<ReintegrationRequestRecord> => {
    const { request, to } = await lockRequestFor(db, context, ids, expectedVersion, action, assertCaseOpen)
    const updated = await apply(db, context, request, to, reason.trim())
    await recordRequestChange(db, context, `reintegration_request.${to}`, updated, {
      before: { status: request.status },
      after: { status: to, reason: reason.trim() },
    })
    return repository.presentRequest(db, updated)
  }
}

/** The migrant withdraws the request before it is decided. */
export const withdrawRequest = reasonedRequestChange('withdraw', (db, context, request, to, reason) =>
  updateVersioned(db, 'reintegration_requests', request.id, { status: to, withdrawn_by: context.actor.sub, withdrawn_at: new Date(), withdrawal_reason: reason }),
)

export const { list: listRequests, get: getRequest } = caseRecordReads('Reintegration request', {
  list: (db, caseId, page: { limit?: number; cursor?: string }) => repository.requestPage(db, caseId, page),
  find: (db, caseId, id) => repository.findRequest(db, caseId, id),
  present: (db, row): Promise<ReintegrationRequestRecord> => repository.presentRequest(db, row),
})
