import { type Insertable, type Kysely, type Selectable, type Transaction, type Updateable } from 'kysely'
import type { DB, ReintegrationContactDeadlinesTable } from '../../db/schema.js'
import { daysBetween } from '../../shared/dates.js'
import { isUuid } from '../../shared/ids.js'
import { decodeCursor, encodeCursor, type Page } from '../../shared/pagination.js'
import { invalidField } from '../../shared/problems.js'
import { caseFacts } from '../return-cases/index.js'
import type { ContactDeadlineRecord } from './contact-schemas.js'
import { findRow } from '../../shared/rows.js'

export type ContactDeadlineRow = Selectable<ReintegrationContactDeadlinesTable>

/** What a deadline shows of its case. */
export interface CaseOfDeadline {
  reference: string
  partner_office_id: string | null
}

export function toContactDeadline(row: ContactDeadlineRow, caseOf: CaseOfDeadline, today: string): ContactDeadlineRecord {
  const daysUntilDue = daysBetween(today, row.due_on)
  return {
    case_id: row.case_id,
    reference: caseOf.reference,
    partner_office_id: caseOf.partner_office_id,
    project_id: row.project_id,
    arrived_on: row.arrived_on,
    contact_period: { months: row.contact_period_months, days: row.contact_period_days },
    contact_due_on: row.due_on,
    status: row.status,
    overdue: row.status === 'awaiting_contact' && daysUntilDue < 0,
    days_until_due: daysUntilDue,
    first_contact:
      row.status === 'contacted'
        ? {
            contacted_on: row.contacted_on,
            channel: row.contact_channel,
            late: row.contacted_on !== null && row.contacted_on > row.due_on,
            recorded_by: row.contact_recorded_by ?? '',
            recorded_at: (row.contact_recorded_at ?? row.updated_at).toISOString(),
          }
        : null,
    lapse:
      row.status === 'lapsed'
        ? { reason: row.lapse_reason ?? '', lapsed_by: row.lapsed_by ?? '', lapsed_at: (row.lapsed_at ?? row.updated_at).toISOString() }
        : null,
    version: row.version,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  }
}

/** Opens the deadline of a case; a case has one, so a second arrival of the same case keeps the first. */
export async function insertDeadline(db: Kysely<DB>, values: Insertable<ReintegrationContactDeadlinesTable>): Promise<ContactDeadlineRow | undefined> {
  return db.insertInto('reintegration_contact_deadlines').values(values).onConflict((oc) => oc.column('case_id').doNothing()).returningAll().executeTakeFirst()
}

export async function findDeadline(db: Kysely<DB>, caseId: string, options: { forUpdate?: boolean } = {}): Promise<ContactDeadlineRow | undefined> {
  return findRow(db, 'reintegration_contact_deadlines', { case_id: caseId }, options)
}

export async function updateDeadline(db: Transaction<DB>, caseId: string, changes: Updateable<ReintegrationContactDeadlinesTable>): Promise<ContactDeadlineRow> {
  return db
    .updateTable('reintegration_contact_deadlines')
    .set((eb) => ({ ...changes, version: eb('version', '+', 1), updated_at: new Date() }))
    .where('case_id', '=', caseId)
    .returningAll()
    .executeTakeFirstOrThrow()
}

/** The keyset of the work queue: due day, then case id. */
function afterDueKey(cursor: string | undefined): [string, string] | undefined {
  const key = decodeCursor(cursor, 2)
  if (key === undefined) return undefined
  const [dueOn, caseId] = key
  if (typeof dueOn !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(dueOn) || !isUuid(caseId)) throw invalidField('/query/cursor', 'malformed cursor')
  return [dueOn, caseId]
}

/**
 * The deadlines awaiting contact that fall on or before `dueBy` (so every overdue one too), of
 * cases not closed, the earliest due first; only those of one partner office when it is given.
 */
export async function awaitingContactPage(
  db: Kysely<DB>,
  filter: { today: string; dueBy: string; partnerOfficeId?: string; limit: number; cursor?: string },
): Promise<Page<ContactDeadlineRecord>> {
  const after = afterDueKey(filter.cursor)
  let query = db
    .selectFrom('reintegration_contact_deadlines as d')
    .innerJoin(caseFacts(db).as('c'), 'c.id', 'd.case_id')
    .selectAll('d')
    .select(['c.reference', 'c.partner_office_id'])
    .where('d.status', '=', 'awaiting_contact')
    .where('d.due_on', '<=', filter.dueBy)
    .where('c.status', '<>', 'closed')
    .orderBy('d.due_on')
    .orderBy('d.case_id')
    .limit(filter.limit + 1)
  if (filter.partnerOfficeId !== undefined) query = query.where('c.partner_office_id', '=', filter.partnerOfficeId)
  if (after) query = query.where((eb) => eb(eb.refTuple('d.due_on', 'd.case_id'), '>', eb.tuple(after[0], after[1])))
  const rows = await query.execute()
  const shown = rows.slice(0, filter.limit)
  const last = shown.at(-1)
  return {
    items: shown.map((row) => toContactDeadline(row, row, filter.today)),
    next_cursor: rows.length > filter.limit && last !== undefined ? encodeCursor([last.due_on, last.case_id]) : null,
  }
}

export type ReminderKind = 'due_soon' | 'overdue'

/**
 * Claims the deadlines a reminder is due for, at most `limit`: sets the reminder's marker on each
 * in one UPDATE, only where it is still unset, and returns them. Concurrent runs (several service
 * instances) queue on the rows' locks and re-check the marker, so each reminder is claimed once;
 * the caller writes the events in the same transaction, so a claim and its event commit together.
 *
 * `due_soon`: awaiting contact, due today or within `soonDays`. `overdue`: awaiting contact, due
 * before today.
 */
export async function claimReminders(db: Transaction<DB>, kind: ReminderKind, options: { today: string; soonBy: string; limit: number; now: Date }): Promise<ContactDeadlineRow[]> {
  const marker = kind === 'due_soon' ? 'due_soon_notified_at' : 'overdue_notified_at'
  const claimable = db
    .selectFrom('reintegration_contact_deadlines')
    .select('case_id')
    .where('status', '=', 'awaiting_contact')
    .where(marker, 'is', null)
    .$call((query) => (kind === 'due_soon' ? query.where('due_on', '>=', options.today).where('due_on', '<=', options.soonBy) : query.where('due_on', '<', options.today)))
    .orderBy('due_on')
    .orderBy('case_id')
    .limit(options.limit)
  return db
    .updateTable('reintegration_contact_deadlines')
    .set({ [marker]: options.now })
    .where('case_id', 'in', claimable)
    .where(marker, 'is', null)
    .where('status', '=', 'awaiting_contact')
    .returningAll()
    .execute()
}

/** The case facts a reminder names, by case id. */
export async function casesOfDeadlines(db: Kysely<DB>, caseIds: readonly string[]): Promise<Map<string, CaseOfDeadline & { status: string }>> {
  if (caseIds.length === 0) return new Map()
  const rows = await caseFacts(db).where('id', 'in', [...caseIds]).execute()
  return new Map(rows.map((row) => [row.id, { reference: row.reference, partner_office_id: row.partner_office_id, status: row.status }]))
}
