import type { Kysely, Transaction, Updateable } from 'kysely'
import { createRequire } from 'node:module'
import type { DB, MicConsultationsTable, MicEnquirersTable, MicHouseholdMemberValue } from '../../db/schema.js'
import { recordChange } from '../../shared/audit.js'
import type { RequestContext } from '../../shared/context.js'
import { daysBetween, latestAcceptableDate, todayIso } from '../../shared/dates.js'
import { assertVersion } from '../../shared/etag.js'
import { newId } from '../../shared/ids.js'
import { normalizeText, searchWords } from '../../shared/normalize.js'
import type { Page } from '../../shared/pagination.js'
import { conflict, notFound, ProblemError, unprocessable } from '../../shared/problems.js'
import * as repository from './repository.js'
import type { ConsultationRow, EnquirerRow } from './repository.js'
import type {
  CreateMicConsultationInput,
  CreateMicEnquirerInput,
  MicConsentInput,
  MicConsultationListFilter,
  MicConsultationRecord,
  MicContactInput,
  MicEnquirerListFilter,
  MicEnquirerRecord,
  MicFollowUpFilter,
  MicFollowUpRecord,
  MicHouseholdMemberInput,
  UpdateMicConsultationInput,
  UpdateMicEnquirerInput,
} from './schemas.js'
import { pick } from '../../shared/objects.js'

interface FieldError {
  pointer: string
  detail: string
}

function throwIfInvalid(errors: FieldError[]): void {
  if (errors.length > 0) throw new ProblemError('validation-error', 'One or more fields are not valid', { errors })
}

/** Who the person is and how to reach them is personal: the audit trail records that it changed, never the values. */
const ENQUIRER_MASKED = ['given_name', 'family_name', 'email', 'phone', 'address', 'household', 'notes']
/** What the person asked and was told is personal too. */
const CONSULTATION_MASKED = ['question', 'information_given']

// ---------------------------------------------------------------- field rules

function notInFuture(value: string | null | undefined, pointer: string, latest: string): FieldError[] {
  return value !== null && value !== undefined && value > latest ? [{ pointer, detail: 'must not be in the future' }] : []
}

function nameErrors(input: { given_name?: string; family_name?: string }, pointer: string): FieldError[] {
  const errors: FieldError[] = []
  if (input.given_name !== undefined && normalizeText(input.given_name) === '') errors.push({ pointer: `${pointer}/given_name`, detail: 'must contain a letter or digit' })
  if (input.family_name !== undefined && normalizeText(input.family_name) === '') errors.push({ pointer: `${pointer}/family_name`, detail: 'must contain a letter or digit' })
  return errors
}

function consentErrors(consent: MicConsentInput | undefined): FieldError[] {
  if (!consent) return []
  const errors: FieldError[] = []
  if (new Date(consent.given_at).getTime() > Date.now()) errors.push({ pointer: '/body/consent/given_at', detail: 'must not be in the future' })
  if (!consent.scope.includes('information_and_advice')) errors.push({ pointer: '/body/consent/scope', detail: 'must cover information_and_advice: the centre keeps no record without it' })
  return errors
}

function householdErrors(household: readonly MicHouseholdMemberInput[] | undefined, latest: string): FieldError[] {
  return (household ?? []).flatMap((member, index) => [
    ...nameErrors({ given_name: member.given_name ?? undefined, family_name: member.family_name ?? undefined }, `/body/household/${index}`),
    ...notInFuture(member.date_of_birth, `/body/household/${index}/date_of_birth`, latest),
  ])
}

function householdValue(household: readonly MicHouseholdMemberInput[]): MicHouseholdMemberValue[] {
  return household.map((member) => ({
    given_name: member.given_name?.trim() ?? null,
    family_name: member.family_name?.trim() ?? null,
    relationship: member.relationship,
    nationality: member.nationality,
    date_of_birth: member.date_of_birth ?? null,
  }))
}

/**
 * The phone-number parser with its metadata for every country (megabytes), loaded with the first MIC contact that
 * has a phone number rather than held by every idle instance.
 */
let phoneParser: typeof import('libphonenumber-js') | undefined
function phoneNumbers(): typeof import('libphonenumber-js') {
  phoneParser ??= createRequire(import.meta.url)('libphonenumber-js') as typeof import('libphonenumber-js')
  return phoneParser
}

/** A phone number in international form, stored as E.164 so the same number is always written the same way. */
function phoneValue(phone: string | null | undefined, errors: FieldError[]): string | null | undefined {
  if (phone === null || phone === undefined) return phone
  const parsed = phoneNumbers().parsePhoneNumberFromString(phone)
  if (!parsed || !parsed.isValid()) {
    errors.push({ pointer: '/body/contact/phone', detail: 'must be a valid phone number in international form (+ and the country code)' })
    return undefined
  }
  return parsed.number
}

type ContactColumns = Pick<MicEnquirersTable, 'email' | 'phone' | 'address'>

/** The contact columns after applying the given fields (omitted ones stay); the person must stay reachable. */
function contactColumns(current: ContactColumns, contact: MicContactInput, errors: FieldError[]): ContactColumns {
  const phone = phoneValue(contact.phone, errors)
  const next: ContactColumns = {
    email: contact.email === undefined ? current.email : contact.email?.trim() ?? null,
    phone: phone === undefined ? current.phone : phone,
    address: contact.address === undefined ? current.address : contact.address?.trim() ?? null,
  }
  if (next.email === null && next.phone === null && next.address === null && errors.length === 0) {
    errors.push({ pointer: '/body/contact', detail: 'give at least one of email, phone or address' })
  }
  return next
}

function consentColumns(consent: MicConsentInput, context: RequestContext) {
  return { consent_given_at: new Date(consent.given_at), consent_given_by: consent.given_by.trim(), consent_scope: consent.scope, consent_recorded_by: context.actor.sub }
}

function nameSearch(givenName: string, familyName: string): string {
  return normalizeText(`${givenName} ${familyName}`)
}

// ---------------------------------------------------------------- enquirers

function enquirerSnapshot(row: EnquirerRow): Record<string, unknown> {
  const { given_name, family_name, email, phone, address, residence_country, planned_return_on, household, consent_given_at, consent_given_by, consent_scope, notes } = row
  return { given_name, family_name, email, phone, address, residence_country, planned_return_on, household, consent_given_at, consent_given_by, consent_scope, notes }
}

/** What may leave the system about an enquirer: no name, no contact, no household names. */
function enquirerPayload(row: EnquirerRow): Record<string, unknown> {
  return {
    id: row.id,
    residence_country: row.residence_country,
    planned_return_on: row.planned_return_on,
    household_nationalities: row.household.map((member) => member.nationality),
    consent_scope: row.consent_scope,
    version: row.version,
  }
}

async function lockedEnquirer(db: Transaction<DB>, id: string): Promise<EnquirerRow> {
  const row = await repository.findEnquirerRow(db, id, { forUpdate: true })
  if (!row) throw notFound('Enquirer', id)
  return row
}

export async function createEnquirer(db: Transaction<DB>, context: RequestContext, input: CreateMicEnquirerInput): Promise<MicEnquirerRecord> {
  const latest = latestAcceptableDate()
  const errors = [...nameErrors(input, '/body'), ...consentErrors(input.consent), ...householdErrors(input.household, latest)]
  const contact = contactColumns({ email: null, phone: null, address: null }, input.contact, errors)
  throwIfInvalid(errors)
  const row = await repository.insertEnquirer(db, {
    id: newId(),
    given_name: input.given_name.trim(),
    family_name: input.family_name.trim(),
    name_search: nameSearch(input.given_name, input.family_name),
    ...contact,
    residence_country: input.residence_country,
    planned_return_on: input.planned_return_on ?? null,
    household: JSON.stringify(householdValue(input.household ?? [])),
    ...consentColumns(input.consent, context),
    notes: input.notes ?? null,
    created_by: context.actor.sub,
  })
  await recordChange(db, context, {
    action: 'mic_enquirer.created',
    entityType: 'mic_enquirer',
    entityId: row.id,
    after: enquirerSnapshot(row),
    maskedFields: ENQUIRER_MASKED,
    payload: enquirerPayload(row),
  })
  return repository.toEnquirer(row)
}

export async function updateEnquirer(
  db: Transaction<DB>,
  context: RequestContext,
  id: string,
  expectedVersion: number | undefined,
  input: UpdateMicEnquirerInput,
): Promise<MicEnquirerRecord> {
  const current = await lockedEnquirer(db, id)
  assertVersion(current.version, expectedVersion)
  const latest = latestAcceptableDate()
  const errors = [...nameErrors(input, '/body'), ...consentErrors(input.consent), ...householdErrors(input.household, latest)]
  const contact = input.contact ? contactColumns(current, input.contact, errors) : {}
  throwIfInvalid(errors)
  if (input.consent && !input.consent.scope.includes('follow_up_contact') && (await repository.hasOpenFollowUps(db, id))) {
    throw conflict('The new consent does not cover follow_up_contact, but follow-ups of this enquirer are still open: mark them done or clear them first')
  }

  const changes: Updateable<MicEnquirersTable> = { ...contact }
  if (input.given_name !== undefined) changes.given_name = input.given_name.trim()
  if (input.family_name !== undefined) changes.family_name = input.family_name.trim()
  if (input.given_name !== undefined || input.family_name !== undefined) {
    changes.name_search = nameSearch(input.given_name ?? current.given_name, input.family_name ?? current.family_name)
  }
  if (input.residence_country !== undefined) changes.residence_country = input.residence_country
  if (input.planned_return_on !== undefined) changes.planned_return_on = input.planned_return_on
  if (input.household !== undefined) changes.household = JSON.stringify(householdValue(input.household))
  if (input.notes !== undefined) changes.notes = input.notes
  if (input.consent) Object.assign(changes, consentColumns(input.consent, context))

  const updated = await repository.updateEnquirerRow(db, id, changes)
  await recordChange(db, context, {
    action: 'mic_enquirer.updated',
    entityType: 'mic_enquirer',
    entityId: id,
    before: enquirerSnapshot(current),
    after: enquirerSnapshot(updated),
    maskedFields: ENQUIRER_MASKED,
    payload: enquirerPayload(updated),
  })
  return repository.toEnquirer(updated)
}

/**
 * Erases an enquirer and their consultations, as when consent is withdrawn. The audit trail keeps
 * that they existed and who erased them, never what they said; later period reports no longer count them.
 */
export async function deleteEnquirer(db: Transaction<DB>, context: RequestContext, id: string, expectedVersion: number | undefined): Promise<void> {
  const current = await lockedEnquirer(db, id)
  assertVersion(current.version, expectedVersion)
  const consultationsRemoved = await repository.deleteEnquirerRow(db, id)
  await recordChange(db, context, {
    action: 'mic_enquirer.deleted',
    entityType: 'mic_enquirer',
    entityId: id,
    before: enquirerSnapshot(current),
    maskedFields: ENQUIRER_MASKED,
    payload: { id, consultations_removed: consultationsRemoved },
  })
}

export async function getEnquirer(db: Kysely<DB>, id: string): Promise<MicEnquirerRecord> {
  const row = await repository.findEnquirerRow(db, id)
  if (!row) throw notFound('Enquirer', id)
  return repository.toEnquirer(row)
}

export function listEnquirers(db: Kysely<DB>, filter: MicEnquirerListFilter): Promise<Page<MicEnquirerRecord>> {
  const words = filter.q === undefined ? [] : searchWords(filter.q)
  if (filter.q !== undefined && words.length === 0) {
    throw new ProblemError('validation-error', 'The search has no letters or digits', { errors: [{ pointer: '/query/q', detail: 'must contain a letter or digit' }] })
  }
  return repository.listEnquirers(db, { ...filter, words })
}

// ---------------------------------------------------------------- consultations

function consultationSnapshot(row: ConsultationRow): Record<string, unknown> {
  return pick(row, ['held_on', 'channel', 'topics', 'question', 'information_given', 'referrals', 'follow_up_on', 'follow_up_done_on', 'residence_country', 'counsellor'])
}

/** What may leave the system about a consultation: when, how, on what; not what was said, nor where the person was sent. */
function consultationPayload(row: ConsultationRow): Record<string, unknown> {
  return {
    ...pick(row, ['id', 'enquirer_id', 'held_on', 'channel', 'topics', 'follow_up_on', 'follow_up_done_on', 'residence_country', 'version']),
    referral_count: row.referrals.length,
  }
}

interface ConsultationDates {
  held_on: string
  follow_up_on: string | null
  follow_up_done_on: string | null
  referrals: ReadonlyArray<{ referred_on: string }>
}

/** The dates of a consultation as they will be: held not in the future; referrals and the follow-up not before it. */
function consultationDateErrors(dates: ConsultationDates): FieldError[] {
  const latest = latestAcceptableDate()
  const errors = notInFuture(dates.held_on, '/body/held_on', latest)
  dates.referrals.forEach((referral, index) => {
    if (referral.referred_on < dates.held_on) errors.push({ pointer: `/body/referrals/${index}/referred_on`, detail: `must not be before the consultation (${dates.held_on})` })
    errors.push(...notInFuture(referral.referred_on, `/body/referrals/${index}/referred_on`, latest))
  })
  if (dates.follow_up_on !== null && dates.follow_up_on < dates.held_on) errors.push({ pointer: '/body/follow_up_on', detail: `must not be before the consultation (${dates.held_on})` })
  if (dates.follow_up_done_on !== null) {
    if (dates.follow_up_on === null) errors.push({ pointer: '/body/follow_up_done_on', detail: 'there is no follow-up to mark done' })
    if (dates.follow_up_done_on < dates.held_on) errors.push({ pointer: '/body/follow_up_done_on', detail: `must not be before the consultation (${dates.held_on})` })
    errors.push(...notInFuture(dates.follow_up_done_on, '/body/follow_up_done_on', latest))
  }
  return errors
}

/** Contacting the person again needs their consent to it. */
function assertFollowUpConsented(enquirer: EnquirerRow, followUpOn: string | null): void {
  if (followUpOn !== null && !enquirer.consent_scope.includes('follow_up_contact')) {
    throw unprocessable('The enquirer\'s consent does not cover follow_up_contact, so no follow-up can be planned', [
      { pointer: '/body/follow_up_on', detail: 'needs consent to follow_up_contact' },
    ])
  }
}

function consultationNotFound(id: string): ProblemError {
  return new ProblemError('not-found', `Consultation ${id} does not exist for this enquirer`)
}

export async function createConsultation(db: Transaction<DB>, context: RequestContext, enquirerId: string, input: CreateMicConsultationInput): Promise<MicConsultationRecord> {
  // The enquirer's lock orders this insert after a concurrent erasure of the enquirer.
  const enquirer = await lockedEnquirer(db, enquirerId)
  const referrals = input.referrals ?? []
  const followUpOn = input.follow_up_on ?? null
  throwIfInvalid(consultationDateErrors({ held_on: input.held_on, follow_up_on: followUpOn, follow_up_done_on: null, referrals }))
  assertFollowUpConsented(enquirer, followUpOn)
  const row = await repository.insertConsultation(db, {
    id: newId(),
    enquirer_id: enquirer.id,
    held_on: input.held_on,
    channel: input.channel,
    topics: input.topics,
    question: input.question,
    information_given: input.information_given,
    referrals: JSON.stringify(referrals),
    follow_up_on: followUpOn,
    follow_up_done_on: null,
    residence_country: enquirer.residence_country,
    counsellor: input.counsellor ?? context.actor.sub,
    created_by: context.actor.sub,
  })
  await recordChange(db, context, {
    action: 'mic_consultation.recorded',
    entityType: 'mic_consultation',
    entityId: row.id,
    after: consultationSnapshot(row),
    maskedFields: CONSULTATION_MASKED,
    payload: consultationPayload(row),
  })
  return repository.toConsultation(row)
}

export async function updateConsultation(
  db: Transaction<DB>,
  context: RequestContext,
  ids: { enquirerId: string; consultationId: string },
  expectedVersion: number | undefined,
  input: UpdateMicConsultationInput,
): Promise<MicConsultationRecord> {
  const enquirer = await lockedEnquirer(db, ids.enquirerId)
  const current = await repository.findConsultationRow(db, enquirer.id, ids.consultationId, { forUpdate: true })
  if (!current) throw consultationNotFound(ids.consultationId)
  assertVersion(current.version, expectedVersion)
  const next = {
    held_on: input.held_on ?? current.held_on,
    follow_up_on: input.follow_up_on === undefined ? current.follow_up_on : input.follow_up_on,
    follow_up_done_on: input.follow_up_done_on === undefined ? current.follow_up_done_on : input.follow_up_done_on,
    referrals: input.referrals ?? current.referrals,
  }
  // A follow-up cleared is no longer done either.
  if (next.follow_up_on === null && input.follow_up_done_on === undefined) next.follow_up_done_on = null
  throwIfInvalid(consultationDateErrors(next))
  if (next.follow_up_on !== current.follow_up_on) assertFollowUpConsented(enquirer, next.follow_up_on)

  const changes: Updateable<MicConsultationsTable> = { held_on: next.held_on, follow_up_on: next.follow_up_on, follow_up_done_on: next.follow_up_done_on }
  if (input.channel !== undefined) changes.channel = input.channel
  if (input.topics !== undefined) changes.topics = input.topics
  if (input.question !== undefined) changes.question = input.question
  if (input.information_given !== undefined) changes.information_given = input.information_given
  if (input.referrals !== undefined) changes.referrals = JSON.stringify(input.referrals)
  if (input.counsellor !== undefined) changes.counsellor = input.counsellor
  const updated = await repository.updateConsultationRow(db, current.id, changes)
  await recordChange(db, context, {
    action: 'mic_consultation.updated',
    entityType: 'mic_consultation',
    entityId: current.id,
    before: consultationSnapshot(current),
    after: consultationSnapshot(updated),
    maskedFields: CONSULTATION_MASKED,
    payload: consultationPayload(updated),
  })
  return repository.toConsultation(updated)
}

export async function getConsultation(db: Kysely<DB>, enquirerId: string, consultationId: string): Promise<MicConsultationRecord> {
  await getEnquirer(db, enquirerId)
  const row = await repository.findConsultationRow(db, enquirerId, consultationId)
  if (!row) throw consultationNotFound(consultationId)
  return repository.toConsultation(row)
}

export async function listConsultations(db: Kysely<DB>, enquirerId: string, filter: MicConsultationListFilter): Promise<Page<MicConsultationRecord>> {
  await getEnquirer(db, enquirerId)
  return repository.listConsultations(db, enquirerId, filter)
}

// ---------------------------------------------------------------- the follow-up queue

export function followUpsDue(db: Kysely<DB>, filter: MicFollowUpFilter, today: string = todayIso()): Promise<Page<MicFollowUpRecord>> {
  const until = new Date(Date.parse(`${today}T00:00:00Z`) + (filter.due_within ?? 7) * 86_400_000).toISOString().slice(0, 10)
  return repository.followUpsDue(db, { today, until, counsellor: filter.counsellor, limit: filter.limit, cursor: filter.cursor })
}

// ---------------------------------------------------------------- figures for the period reports

export interface ConsultationFigures {
  from: string
  to: string
  /** Consultations held in the period. */
  total: number
  /** A consultation on several topics counts under each of them. */
  by_topic: Array<{ topic: string; consultations: number }>
  by_channel: Array<{ channel: string; consultations: number }>
  /** By the country the enquirer lived in when consulted: the country of previous residence of a national returning home. */
  by_country_of_previous_residence: Array<{ country: string; consultations: number }>
  /** Every combination that occurred. */
  by_topic_channel_country: Array<{ topic: string; channel: string; country: string; consultations: number }>
}

/** The longest period the figures cover in one call (ten years): a report period is a year or less. */
const MAX_PERIOD_DAYS = 3660

/**
 * Figures for the statistics module's period reports: consultations held from `from` to `to`
 * (inclusive) by topic, by channel and by country of previous residence, counted in one SQL aggregate.
 */
export async function consultationFigures(db: Kysely<DB>, period: { from: string; to: string }): Promise<ConsultationFigures> {
  for (const [name, value] of Object.entries(period)) {
    if (!repository.isCalendarDate(value)) {
      throw new ProblemError('validation-error', `The period's ${name} is not a date`, { errors: [{ pointer: `/query/${name}`, detail: 'must be a date (YYYY-MM-DD)' }] })
    }
  }
  if (period.to < period.from) throw new ProblemError('validation-error', 'The period ends before it starts', { errors: [{ pointer: '/query/to', detail: 'must not be before from' }] })
  if (daysBetween(period.from, period.to) > MAX_PERIOD_DAYS) {
    throw new ProblemError('validation-error', 'The period is longer than ten years', { errors: [{ pointer: '/query/to', detail: 'at most ten years after from' }] })
  }
  const rows = await repository.consultationFigureRows(db, period)
  // GROUPING(topic, channel, country): a bit is set for each column aggregated away.
  const TOPIC_ONLY = 0b011
  const CHANNEL_ONLY = 0b101
  const COUNTRY_ONLY = 0b110
  const TOTAL = 0b111
  return {
    from: period.from,
    to: period.to,
    total: rows.find((row) => row.grouping === TOTAL)?.consultations ?? 0,
    by_topic: rows.filter((row) => row.grouping === TOPIC_ONLY).map((row) => ({ topic: row.topic as string, consultations: row.consultations })),
    by_channel: rows.filter((row) => row.grouping === CHANNEL_ONLY).map((row) => ({ channel: row.channel as string, consultations: row.consultations })),
    by_country_of_previous_residence: rows.filter((row) => row.grouping === COUNTRY_ONLY).map((row) => ({ country: row.country as string, consultations: row.consultations })),
    by_topic_channel_country: rows
      .filter((row) => row.grouping === 0)
      .map((row) => ({ topic: row.topic as string, channel: row.channel as string, country: row.country as string, consultations: row.consultations })),
  }
}
