import type { Kysely, Transaction } from 'kysely'
import type { DB } from '../../db/schema.js'
import { recordChange } from '../../shared/audit.js'
import type { RequestContext } from '../../shared/context.js'
import { addCalendarPeriod, addDays, latestAcceptableDate, todayIso } from '../../shared/dates.js'
import { assertVersion } from '../../shared/etag.js'
import type { Page } from '../../shared/pagination.js'
import { DEFAULT_PAGE_SIZE } from '../../shared/pagination.js'
import { ProblemError, conflict, forbidden, invalidField } from '../../shared/problems.js'
import { isPartnerOnly, type Actor } from '../../shared/roles.js'
import { lockCaseForRelease } from '../payments/index.js'
import { releasesOfRequest } from '../projects/index.js'
import { assertCaseOpen, findCaseForActor, type ReturnCaseRow } from '../return-cases/index.js'
import { projectOfCase } from './cases.js'
import * as repository from './contact-repository.js'
import type { ContactDeadlineRow } from './contact-repository.js'
import type { ContactDeadlineFilter, ContactDeadlineRecord, RecordContactInput } from './contact-schemas.js'
import { abandonPlansOfCase } from './plans.js'
import { pick } from '../../shared/objects.js'
import { money } from '../../shared/money.js'

/**
 * The one-month contact deadline: a returnee must get in touch with the partner office in the
 * country of origin within the project's contact period after arrival, or the reintegration
 * assistance lapses. The deadline opens when the arrival is confirmed; suppliers are paid only
 * once the first contact is recorded; past the due day without contact an approver may lapse it,
 * which releases the case's reintegration commitments.
 */

const ENTITY = 'contact_deadline'

/** What the events and the audit trail say of a deadline: dates and states, nothing about the person. */
function eventPayload(row: ContactDeadlineRow, caseRow: Pick<ReturnCaseRow, 'reference' | 'partner_office_id'>, extra: Record<string, unknown> = {}) {
  return {
    ...pick(row, ['case_id', 'project_id', 'arrived_on', 'status', 'contacted_on', 'contact_channel', 'version']),
    ...pick(caseRow, ['reference', 'partner_office_id']),
    contact_due_on: row.due_on,
    ...extra,
  }
}

function snapshot(row: ContactDeadlineRow): Record<string, unknown> {
  return { ...pick(row, ['arrived_on', 'status', 'contacted_on', 'contact_channel', 'lapse_reason']), contact_due_on: row.due_on }
}

/** The audit entry and the event of a change to a deadline. */
async function recordDeadlineChange(
  db: Transaction<DB>,
  context: RequestContext,
  verb: string,
  change: { before: ContactDeadlineRow | null; after: ContactDeadlineRow; caseRow: ReturnCaseRow; extra?: Record<string, unknown> },
): Promise<void> {
  await recordChange(db, context, {
    action: `${ENTITY}.${verb}`,
    entityType: ENTITY,
    entityId: change.after.case_id,
    caseId: change.after.case_id,
    before: change.before && snapshot(change.before),
    after: { ...snapshot(change.after), ...change.extra },
    payload: eventPayload(change.after, change.caseRow, change.extra),
  })
}

/**
 * Opens the deadline of a case that has just arrived (called by travel when the last traveller's
 * arrival is confirmed, in that transaction): due on the arrival day plus the project's contact
 * period, which the deadline keeps.
 */
export async function openContactDeadline(db: Transaction<DB>, context: RequestContext, caseRow: ReturnCaseRow, arrivedOn: string): Promise<void> {
  const project = await projectOfCase(db, caseRow)
  const period = { months: project.contact_period_months, days: project.contact_period_days }
  const row = await repository.insertDeadline(db, {
    case_id: caseRow.id,
    project_id: project.id,
    arrived_on: arrivedOn,
    contact_period_months: period.months,
    contact_period_days: period.days,
    due_on: addCalendarPeriod(arrivedOn, period),
    status: 'awaiting_contact',
  })
  if (!row) return
  await recordDeadlineChange(db, context, 'opened', { before: null, after: row, caseRow, extra: { contact_period: period } })
}

function noDeadline(caseRow: ReturnCaseRow): ProblemError {
  return new ProblemError('not-found', `Return case ${caseRow.reference} has no contact deadline: it opens when the arrival is confirmed (the case is ${caseRow.status})`)
}

export async function getContactDeadline(db: Kysely<DB>, actor: Actor, caseId: string): Promise<ContactDeadlineRecord> {
  const caseRow = await findCaseForActor(db, actor, caseId)
  const row = await repository.findDeadline(db, caseRow.id)
  if (!row) throw noDeadline(caseRow)
  return repository.toContactDeadline(row, caseRow, todayIso())
}

/**
 * The work queue of deadlines awaiting contact: due within `due_within` days, and overdue. A
 * partner-only caller sees the cases referred to its office, and no other office's.
 */
export async function listContactDeadlines(db: Kysely<DB>, actor: Actor, filter: ContactDeadlineFilter): Promise<Page<ContactDeadlineRecord>> {
  let partnerOfficeId = filter.partner_office_id
  if (isPartnerOnly(actor)) {
    if (partnerOfficeId !== undefined && partnerOfficeId !== actor.officeId) throw forbidden('A partner office sees only the cases referred to it')
    partnerOfficeId = actor.officeId ?? undefined
  }
  const today = todayIso()
  return repository.awaitingContactPage(db, {
    today,
    dueBy: addDays(today, filter.due_within ?? 7),
    partnerOfficeId,
    limit: filter.limit ?? DEFAULT_PAGE_SIZE,
    cursor: filter.cursor,
  })
}

async function lockDeadline(db: Transaction<DB>, caseRow: ReturnCaseRow, expectedVersion: number | undefined): Promise<ContactDeadlineRow> {
  const row = await repository.findDeadline(db, caseRow.id, { forUpdate: true })
  if (!row) throw conflict(`Return case ${caseRow.reference} has not arrived (it is ${caseRow.status}); the contact deadline opens on arrival`, { current_status: caseRow.status })
  assertVersion(row.version, expectedVersion)
  return row
}

function invalidTransition(row: ContactDeadlineRow, action: string): ProblemError {
  return new ProblemError('invalid-transition', `Cannot ${action.replace('_', ' ')} a contact deadline that is ${row.status}`, {
    current_status: row.status,
    action,
    allowed_from: ['awaiting_contact'],
  })
}

/**
 * The partner office the case is referred to records the returnee's first contact: a day from the
 * arrival day to today, and the channel. Repeating the same contact changes nothing and answers
 * the deadline as it is; another day or channel once one is recorded is 409. A contact after the
 * due day still counts while the assistance has not lapsed (it is shown as late).
 */
export async function recordFirstContact(
  db: Transaction<DB>,
  context: RequestContext,
  caseId: string,
  expectedVersion: number | undefined,
  input: RecordContactInput,
): Promise<ContactDeadlineRecord> {
  const caseRow = await findCaseForActor(db, context.actor, caseId, { forUpdate: true })
  if (caseRow.partner_office_id === null || caseRow.partner_office_id !== context.actor.officeId) {
    throw new ProblemError('forbidden', `The first contact is recorded by the partner office case ${caseRow.reference} is referred to`, { required_roles: ['partner'] })
  }
  assertCaseOpen(caseRow)
  const row = await lockDeadline(db, caseRow, expectedVersion)
  const today = todayIso()
  if (row.status === 'contacted') {
    if (row.contacted_on === input.contacted_on && row.contact_channel === input.channel) return repository.toContactDeadline(row, caseRow, today)
    throw conflict(`The first contact of case ${caseRow.reference} is already recorded (${row.contacted_on ?? 'before contacts were recorded'}, ${row.contact_channel ?? 'no channel'})`, {
      contacted_on: row.contacted_on,
      channel: row.contact_channel,
    })
  }
  if (row.status !== 'awaiting_contact') throw invalidTransition(row, 'record_contact')
  if (input.contacted_on < row.arrived_on) throw invalidField('/body/contacted_on', `must not be before the arrival day (${row.arrived_on})`)
  if (input.contacted_on > latestAcceptableDate()) throw invalidField('/body/contacted_on', 'must not be in the future')
  const updated = await repository.updateDeadline(db, row.case_id, {
    status: 'contacted',
    contacted_on: input.contacted_on,
    contact_channel: input.channel,
    contact_recorded_by: context.actor.sub,
    contact_recorded_at: new Date(),
  })
  await recordDeadlineChange(db, context, 'contact_recorded', { before: row, after: updated, caseRow, extra: { late: input.contacted_on > row.due_on } })
  return repository.toContactDeadline(updated, caseRow, today)
}

/**
 * An approver lapses the assistance of a case past its due day without contact, with a reason:
 * its active reintegration plans are abandoned, each releasing what it still holds on its line,
 * in this one transaction. The deadline moves to `lapsed` under its row lock, so a repeat finds it
 * lapsed (409) and releases nothing twice. Locks in the order of every release (payment requests,
 * budget lines, case), then the deadline.
 */
export async function lapseContactDeadline(
  db: Transaction<DB>,
  context: RequestContext,
  caseId: string,
  expectedVersion: number | undefined,
  reason: string,
): Promise<ContactDeadlineRecord> {
  const caseRow = await lockCaseForRelease(db, context.actor, caseId)
  assertCaseOpen(caseRow)
  const row = await lockDeadline(db, caseRow, expectedVersion)
  if (row.status !== 'awaiting_contact') throw invalidTransition(row, 'lapse')
  const today = todayIso()
  if (row.due_on >= today) {
    throw conflict(`The contact deadline of case ${caseRow.reference} runs until ${row.due_on}; it can lapse only after that day`, { contact_due_on: row.due_on })
  }
  const why = reason.trim()
  const abandoned = await abandonPlansOfCase(db, context, caseRow.id, `reintegration assistance lapsed (no contact by ${row.due_on}): ${why}`)
  const released = (await releasesOfRequest(db, caseRow.id, context.requestId)).map((entry) => ({
    ledger_entry_id: entry.id,
    budget_line_id: entry.budget_line_id,
    amount: money(entry.amount_minor, entry.currency),
    source: { type: entry.source_type, id: entry.source_id },
  }))
  const updated = await repository.updateDeadline(db, row.case_id, { status: 'lapsed', lapsed_by: context.actor.sub, lapsed_at: new Date(), lapse_reason: why })
  await recordDeadlineChange(db, context, 'lapsed', { before: row, after: updated, caseRow, extra: { abandoned_plan_ids: abandoned, released } })
  return repository.toContactDeadline(updated, caseRow, today)
}

/**
 * Suppliers are paid once the returnee has been in touch: 409 `contact-not-recorded` while the
 * first contact is not recorded (or the assistance lapsed without it).
 */
export async function assertFirstContactRecorded(db: Kysely<DB>, caseRow: ReturnCaseRow): Promise<void> {
  const row = await repository.findDeadline(db, caseRow.id)
  if (row?.status === 'contacted') return
  const detail =
    row === undefined
      ? `Return case ${caseRow.reference} has no contact deadline yet (the arrival is not confirmed)`
      : row.status === 'lapsed'
        ? `The reintegration assistance of case ${caseRow.reference} lapsed on ${row.lapsed_at?.toISOString().slice(0, 10)}: the returnee did not get in touch by ${row.due_on}`
        : `The partner office has not recorded the returnee's first contact (due by ${row.due_on}); record it with POST /v1/return-cases/${caseRow.id}/contact-deadline:record-contact`
  throw new ProblemError('contact-not-recorded', detail, { case_id: caseRow.id, contact_status: row?.status ?? null, contact_due_on: row?.due_on ?? null })
}

/** No new plan for a case whose assistance lapsed. */
export async function assertNotLapsed(db: Kysely<DB>, caseRow: ReturnCaseRow): Promise<void> {
  const row = await repository.findDeadline(db, caseRow.id)
  if (row?.status === 'lapsed') {
    throw conflict(`The reintegration assistance of case ${caseRow.reference} lapsed: the returnee did not get in touch by ${row.due_on}`, { contact_status: row.status, contact_due_on: row.due_on })
  }
}
