import { sql, type Insertable, type Kysely, type Selectable, type Updateable } from 'kysely'
import type { DB, MicConsultationsTable, MicEnquirersTable } from '../../db/schema.js'
import { decodeCursor, DEFAULT_PAGE_SIZE, paginate, toPage, type Page } from '../../shared/pagination.js'
import { invalidField } from '../../shared/problems.js'
import { isUuid } from '../../shared/ids.js'
import type {
  ConsultationChannel,
  ConsultationTopic,
  MicConsultationListFilter,
  MicConsultationRecord,
  MicEnquirerListFilter,
  MicEnquirerRecord,
  MicFollowUpRecord,
} from './schemas.js'
import { updateVersioned, findRow, insertRow } from '../../shared/rows.js'
import { pick } from '../../shared/objects.js'

export type EnquirerRow = Selectable<MicEnquirersTable>
export type ConsultationRow = Selectable<MicConsultationsTable>

export function toEnquirer(row: EnquirerRow): MicEnquirerRecord {
  return {
    ...pick(row, ['id', 'given_name', 'family_name', 'residence_country', 'planned_return_on', 'notes', 'created_by', 'version']),
    contact: { email: row.email, phone: row.phone, address: row.address },
    household: row.household as MicEnquirerRecord['household'],
    consent: { given_at: row.consent_given_at.toISOString(), given_by: row.consent_given_by, scope: row.consent_scope as MicEnquirerRecord['consent']['scope'], recorded_by: row.consent_recorded_by },
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  }
}

export function toConsultation(row: ConsultationRow): MicConsultationRecord {
  return {
    ...pick(row, ['id', 'enquirer_id', 'held_on', 'question', 'information_given', 'referrals', 'follow_up_on', 'follow_up_done_on', 'residence_country', 'counsellor', 'created_by', 'version']),
    channel: row.channel as ConsultationChannel,
    topics: row.topics as ConsultationTopic[],
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  }
}

// ---------------------------------------------------------------- enquirers

export async function insertEnquirer(db: Kysely<DB>, values: Insertable<MicEnquirersTable>): Promise<EnquirerRow> {
  return insertRow(db, 'mic_enquirers', values)
}

export async function findEnquirerRow(db: Kysely<DB>, id: string, options: { forUpdate?: boolean } = {}): Promise<EnquirerRow | undefined> {
  return findRow(db, 'mic_enquirers', { id }, options)
}

export async function updateEnquirerRow(db: Kysely<DB>, id: string, changes: Updateable<MicEnquirersTable>): Promise<EnquirerRow> {
  return updateVersioned(db, 'mic_enquirers', id, changes)
}

/** Removes the enquirer and their consultations; returns how many consultations went with them. */
export async function deleteEnquirerRow(db: Kysely<DB>, id: string): Promise<number> {
  const consultations = await db.deleteFrom('mic_consultations').where('enquirer_id', '=', id).executeTakeFirst()
  await db.deleteFrom('mic_enquirers').where('id', '=', id).execute()
  return Number(consultations.numDeletedRows)
}

/** The enquirers matching the filters, in the order registered; each query word must start a word of the name. */
export async function listEnquirers(db: Kysely<DB>, filter: MicEnquirerListFilter & { words: string[] }): Promise<Page<MicEnquirerRecord>> {
  let query = db.selectFrom('mic_enquirers').selectAll()
  // The words are normalized to letters and digits, so they hold no LIKE wildcard.
  for (const word of filter.words) query = query.where(sql<boolean>`(' ' || name_search) like ${`% ${word}%`}`)
  if (filter.residence_country) query = query.where('residence_country', '=', filter.residence_country)
  if (filter.household_nationality) query = query.where(sql<boolean>`household @> ${JSON.stringify([{ nationality: filter.household_nationality }])}::jsonb`)
  if (filter.planned_return_from) query = query.where('planned_return_on', '>=', filter.planned_return_from)
  if (filter.planned_return_to) query = query.where('planned_return_on', '<=', filter.planned_return_to)
  return paginate(query, filter, (rows) => rows.map(toEnquirer))
}

// ---------------------------------------------------------------- consultations

export async function insertConsultation(db: Kysely<DB>, values: Insertable<MicConsultationsTable>): Promise<ConsultationRow> {
  return insertRow(db, 'mic_consultations', values)
}

export async function findConsultationRow(db: Kysely<DB>, enquirerId: string, id: string, options: { forUpdate?: boolean } = {}): Promise<ConsultationRow | undefined> {
  return findRow(db, 'mic_consultations', { id, enquirer_id: enquirerId }, options)
}

/** Whether any of the enquirer's consultations still has a follow-up to do. */
export async function hasOpenFollowUps(db: Kysely<DB>, enquirerId: string): Promise<boolean> {
  const row = await db
    .selectFrom('mic_consultations')
    .select('id')
    .where('enquirer_id', '=', enquirerId)
    .where('follow_up_on', 'is not', null)
    .where('follow_up_done_on', 'is', null)
    .limit(1)
    .executeTakeFirst()
  return row !== undefined
}

export async function updateConsultationRow(db: Kysely<DB>, id: string, changes: Updateable<MicConsultationsTable>): Promise<ConsultationRow> {
  return updateVersioned(db, 'mic_consultations', id, changes)
}

/** An enquirer's consultations matching the filters, in the order recorded. */
export async function listConsultations(db: Kysely<DB>, enquirerId: string, filter: MicConsultationListFilter): Promise<Page<MicConsultationRecord>> {
  let query = db.selectFrom('mic_consultations').selectAll().where('enquirer_id', '=', enquirerId)
  if (filter.topic) query = query.where(sql<boolean>`topics @> array[${filter.topic}]::text[]`)
  if (filter.channel) query = query.where('channel', '=', filter.channel)
  if (filter.held_from) query = query.where('held_on', '>=', filter.held_from)
  if (filter.held_to) query = query.where('held_on', '<=', filter.held_to)
  return paginate(query, filter, (rows) => rows.map(toConsultation))
}

// ---------------------------------------------------------------- the follow-up queue

export interface FollowUpWindow {
  today: string
  /** The last due date listed (today + due_within). */
  until: string
  counsellor?: string
  limit?: number
  cursor?: string
}

/** A YYYY-MM-DD that names a day that exists (2026-02-30 does not), so it casts to a date in SQL. */
export function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false
  const day = new Date(`${value}T00:00:00Z`)
  return !Number.isNaN(day.getTime()) && day.toISOString().slice(0, 10) === value
}

function followUpCursor(cursor: string | undefined): [string, string] | undefined {
  const key = decodeCursor(cursor, 2)
  if (key === undefined) return undefined
  const [dueOn, id] = key
  if (typeof dueOn !== 'string' || !isCalendarDate(dueOn) || !isUuid(id)) throw invalidField('/query/cursor', 'malformed cursor')
  return [dueOn, id]
}

/** Open follow-ups due by `until` (overdue ones included), the earliest due first; keyset on (due date, id). */
export async function followUpsDue(db: Kysely<DB>, window: FollowUpWindow): Promise<Page<MicFollowUpRecord>> {
  const limit = window.limit ?? DEFAULT_PAGE_SIZE
  const after = followUpCursor(window.cursor)
  let query = db
    .selectFrom('mic_consultations as c')
    .innerJoin('mic_enquirers as e', 'e.id', 'c.enquirer_id')
    .select(['c.id', 'c.enquirer_id', 'e.given_name', 'e.family_name', 'c.held_on', 'c.topics', 'c.counsellor', 'c.follow_up_on'])
    .select(sql<number>`(c.follow_up_on - ${window.today}::date)`.as('days_until_due'))
    .where('c.follow_up_on', 'is not', null)
    .where('c.follow_up_done_on', 'is', null)
    .where('c.follow_up_on', '<=', window.until)
    .orderBy('c.follow_up_on')
    .orderBy('c.id')
    .limit(limit + 1)
  if (window.counsellor) query = query.where('c.counsellor', '=', window.counsellor)
  if (after) query = query.where(sql<boolean>`(c.follow_up_on, c.id) > (${after[0]}::date, ${after[1]}::uuid)`)
  const rows = await query.execute()
  return toPage(rows, limit, (row) => [row.follow_up_on, row.id], (row) => ({
    consultation_id: row.id,
    enquirer_id: row.enquirer_id,
    given_name: row.given_name,
    family_name: row.family_name,
    held_on: row.held_on,
    topics: row.topics as ConsultationTopic[],
    counsellor: row.counsellor,
    follow_up_on: row.follow_up_on as string,
    state: Number(row.days_until_due) < 0 ? 'overdue' : 'due',
    days_until_due: Number(row.days_until_due),
  }))
}

// ---------------------------------------------------------------- figures for the period reports

export interface ConsultationFigureRow {
  topic: string | null
  channel: string | null
  country: string | null
  consultations: number
  /** Bits of GROUPING(topic, channel, country): 0 for a full cell, 7 for the total. */
  grouping: number
}

/**
 * Consultations held in a period, counted in one statement by topic × channel × country of
 * residence and by each of them alone: a consultation on two topics counts once under each topic
 * and once in every other figure (distinct ids).
 */
export async function consultationFigureRows(db: Kysely<DB>, period: { from: string; to: string }): Promise<ConsultationFigureRow[]> {
  const result = await sql<ConsultationFigureRow>`
    select topic, c.channel, c.residence_country as country, count(distinct c.id)::int as consultations,
           grouping(topic, c.channel, c.residence_country)::int as grouping
    from mic_consultations c cross join lateral unnest(c.topics) as t(topic)
    where c.held_on between ${period.from}::date and ${period.to}::date
    group by grouping sets ((topic, c.channel, c.residence_country), (topic), (c.channel), (c.residence_country), ())
    order by grouping, topic, c.channel, country
  `.execute(db)
  return result.rows
}

/** An enquirer by e-mail address (the seed data finds its demo enquirers this way). */
export async function findEnquirerByEmail(db: Kysely<DB>, email: string): Promise<MicEnquirerRecord | undefined> {
  const row = await db.selectFrom('mic_enquirers').selectAll().where('email', '=', email).orderBy('id').executeTakeFirst()
  return row && toEnquirer(row)
}
