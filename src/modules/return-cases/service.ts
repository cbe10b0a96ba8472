import { sql, type Kysely, type Selectable, type SelectQueryBuilder, type Transaction } from 'kysely'
import type { CaseStatus, CaseStatusHistoryTable, DB, ReturnCasesTable } from '../../db/schema.js'
import type { RequestContext } from '../../shared/context.js'
import { assertVersion } from '../../shared/etag.js'
import { newId, UUID_PATTERN, type FixedId } from '../../shared/ids.js'
import { emitEvent } from '../../shared/outbox.js'
import { afterId, DEFAULT_PAGE_SIZE, paginate, toPage, type Page } from '../../shared/pagination.js'
import { ProblemError, invalidField, unprocessable } from '../../shared/problems.js'
import { hasRole, isPartnerOnly, type Actor } from '../../shared/roles.js'
import { assertProjectAcceptsCase } from '../projects/index.js'
import { findCaseForActor, findCaseWithMembersForActor, lockOpenCase } from './access.js'
import { searchWords } from '../../shared/normalize.js'
import { presentCase, presentSummary } from './presenter.js'
import {
  CASE_MASKED,
  caseEventPayload,
  caseSnapshot,
  consentErrors,
  duplicateProbesOf,
  duplicateScopeOf,
  insertedMembers,
  memberAudit,
  newHouseholdPerson,
  newMemberRows,
  newMembersErrors,
  vulnerabilityAudit,
} from './records.js'
import * as repository from './repository.js'
import type { DuplicateMatch, MemberWithVulnerabilities, ReturnCaseRow } from './repository.js'
import { Disclosures, recordDisclosures } from './restricted.js'
import { CASE_STATUSES, type CreateReturnCaseInput, type ReturnCaseListFilter, type ReturnCaseRecord, type ReturnCaseSummaryRecord, type StatusHistoryEntryRecord, type UpdateReturnCaseInput } from './schemas.js'
import { CASE_WORKFLOW, transitionCase, type CaseAction } from './transitions.js'
import { householdErrors, throwIfHouseholdInvalid, throwIfInvalid } from './validation.js'
import { latestAcceptableDate, todayIso } from '../../shared/dates.js'
import { findOffice, officeCodeAndKind } from '../offices/index.js'
import { recordAudits } from '../../shared/audit.js'

/** Before approval the project and the country of return may still change; afterwards travel and budgets depend on them. */
const PRE_APPROVAL: readonly CaseStatus[] = ['draft', 'submitted', 'in_counselling']
/** Outcomes after which there is nobody to refer. */
const NOT_REFERABLE: readonly CaseStatus[] = ['rejected', 'withdrawn', 'no_show', 'cancelled', 'closed']

// ---------------------------------------------------------------- cases

/** Case references are numbered per office and year from 2000 on (the counters' range). */
const EARLIEST_APPLICATION = '2000-01-01'

async function assertExternalReferenceFree(db: Kysely<DB>, officeId: string, externalReference: string, exceptId?: string): Promise<void> {
  let query = db.selectFrom('return_cases').select('reference').where('office_id', '=', officeId).where('external_reference', '=', externalReference)
  if (exceptId) query = query.where('id', '<>', exceptId)
  const existing = await query.executeTakeFirst()
  if (existing) {
    throw new ProblemError('duplicate-resource', `Case ${existing.reference} of this office already has external reference ${externalReference}`, {
      errors: [{ pointer: '/body/external_reference', detail: 'already used by another case of this office' }],
      existing_reference: existing.reference,
    })
  }
}

/** Seeds only (ADR 0054): the case's id and its members' ids, in the order of `members`. */
export interface FixedCaseIds extends FixedId {
  memberIds?: readonly string[]
}

export interface CreatedCase {
  row: ReturnCaseRow
  record: ReturnCaseRecord
  possibleDuplicates: DuplicateMatch[]
}

/**
 * Creates a draft case with its household in the caller's transaction: reference numbered by
 * the office's sequence for the year (no lock held, see ADR 0047), members and vulnerabilities, search terms, the first
 * history row, audit entries and the created event; then looks for possible duplicates.
 */
export async function createCase(db: Transaction<DB>, context: RequestContext, input: CreateReturnCaseInput, options: FixedCaseIds = {}): Promise<CreatedCase> {
  const { actor } = context
  const inputs = input.members ?? []
  throwIfInvalid([...consentErrors(input.consent, '/body/consent'), ...newMembersErrors(inputs, (index) => `/body/members/${index}`)])
  const today = todayIso()
  const appliedOn = input.applied_on ?? today
  if (appliedOn > latestAcceptableDate()) throw invalidField('/body/applied_on', 'must not be in the future')
  if (appliedOn < EARLIEST_APPLICATION) throw invalidField('/body/applied_on', `must not be before ${EARLIEST_APPLICATION}`)
  const onDate = input.intended_departure_on ?? appliedOn
  throwIfHouseholdInvalid(householdErrors(inputs.map((member, index) => newHouseholdPerson(member, `/body/members/${index}`)), onDate))

  const office = await officeCodeAndKind(db, input.office_id)
  if (!office) {
    throw unprocessable(`Office ${input.office_id} does not exist; GET /v1/offices lists the registered offices`, [{ pointer: '/body/office_id', detail: 'no office has this id' }])
  }
  if (office.kind !== 'country_office') {
    throw unprocessable(`Office ${input.office_id} is a partner office; a case is opened by a country office`, [{ pointer: '/body/office_id', detail: 'must be a country office' }])
  }
  if (input.project_id) await assertProjectAcceptsCase(db, input.project_id, onDate)
  if (input.external_reference) await assertExternalReferenceFree(db, office.id, input.external_reference)

  // An old file entered today keeps its own dates: the reference carries the year it was applied
  // for, and the history starts on that day.
  const year = Number(appliedOn.slice(0, 4))
  const number = await repository.nextCaseNumber(db, office.id, year)
  const id = options.id ?? newId()
  const values: repository.NewCase = {
    id,
    reference: `${office.code}-${year}-${String(number).padStart(5, '0')}`,
    office_id: office.id,
    partner_office_id: null,
    referred_at: null,
    project_id: input.project_id ?? null,
    legal_status: input.legal_status,
    referral_source: input.referral_source,
    external_reference: input.external_reference ?? null,
    country_of_return: input.country_of_return,
    place_of_return: input.place_of_return ?? null,
    intended_departure_on: input.intended_departure_on ?? null,
    consent_given_at: input.consent ? new Date(input.consent.given_at) : null,
    consent_given_by: input.consent?.given_by ?? null,
    consent_scope: input.consent?.scope ?? null,
    consent_recorded_by: input.consent ? actor.sub : null,
    notes: input.notes ?? null,
    created_by: actor.sub,
    applied_on: appliedOn,
  }
  // Everything a new case is written with goes in one statement, so the audit entries and the event
  // are made from the values written: the case's status and version are those of every new case.
  const written = { ...values, status: 'draft' as const, version: 1 }
  const household = newMemberRows(id, inputs, actor, options.memberIds)
  const { row, duplicates: possibleDuplicates } = await repository.insertCaseWithRecords(db, context, {
    case: values,
    members: household.members,
    vulnerabilities: household.vulnerabilities,
    history: {
      caseId: id,
      action: 'create',
      from: null,
      to: 'draft',
      reason: null,
      ...(appliedOn < today ? { occurredAt: new Date(`${appliedOn}T00:00:00Z`) } : {}),
    },
    audits: [
      { action: 'return_case.created', entityType: 'return_case', entityId: id, caseId: id, after: caseSnapshot(written), maskedFields: CASE_MASKED },
      ...household.members.map((member) => memberAudit('case_member.added', null, member)),
      ...household.vulnerabilities.map((entry) => vulnerabilityAudit('member_vulnerability.recorded', null, entry)),
    ],
    event: {
      type: 'return_case.created',
      entityType: 'return_case',
      entityId: id,
      caseId: id,
      payload: { ...caseEventPayload(written), member_ids: household.members.map((member) => member.id) },
    },
    duplicateProbes: duplicateProbesOf(household.members),
    visibleToPartnerOffice: duplicateScopeOf(actor),
  })
  const members = insertedMembers(household, row.created_at)
  const disclosures = new Disclosures()
  const record = presentCase(actor, row, members, disclosures)
  await recordDisclosures(db, context, disclosures)
  return { row, record, possibleDuplicates }
}

/** The case as the caller may see it, with its household; restricted detail disclosed is audited on `db`. */
export async function getCase(db: Kysely<DB>, context: RequestContext, caseId: string): Promise<ReturnCaseRecord> {
  const { row, members } = await findCaseWithMembersForActor(db, context.actor, caseId)
  return presentLoaded(db, context, row, members)
}

export async function presentWithMembers(db: Kysely<DB>, context: RequestContext, row: ReturnCaseRow): Promise<ReturnCaseRecord> {
  return presentLoaded(db, context, row, await repository.membersOfCases(db, [row.id]))
}

async function presentLoaded(db: Kysely<DB>, context: RequestContext, row: ReturnCaseRow, members: MemberWithVulnerabilities[]): Promise<ReturnCaseRecord> {
  const disclosures = new Disclosures()
  const record = presentCase(context.actor, row, members, disclosures)
  await recordDisclosures(db, context, disclosures)
  return record
}

export async function updateCase(
  db: Transaction<DB>,
  context: RequestContext,
  caseId: string,
  expectedVersion: number | undefined,
  input: UpdateReturnCaseInput,
): Promise<ReturnCaseRecord> {
  const current = await lockOpenCase(db, context.actor, caseId, expectedVersion)
  throwIfInvalid(consentErrors(input.consent, '/body/consent'))

  const preApproval = PRE_APPROVAL.includes(current.status)
  if (input.project_id !== undefined && input.project_id !== current.project_id && !preApproval) {
    throw new ProblemError('conflict', `The project of return case ${current.reference} is fixed once it is ${current.status}`, { current_status: current.status })
  }
  if (input.country_of_return !== undefined && input.country_of_return !== current.country_of_return && !preApproval) {
    throw new ProblemError('conflict', `The country of return of case ${current.reference} is fixed once it is ${current.status}`, { current_status: current.status })
  }
  if (input.consent === null && current.status !== 'draft') {
    throw new ProblemError('conflict', `Consent of case ${current.reference} cannot be removed once it is ${current.status}; withdraw the case instead`, {
      current_status: current.status,
    })
  }
  const departure = input.intended_departure_on !== undefined ? input.intended_departure_on : current.intended_departure_on
  if (input.project_id) await assertProjectAcceptsCase(db, input.project_id, departure ?? todayIso())
  if (input.external_reference && input.external_reference !== current.external_reference) {
    await assertExternalReferenceFree(db, current.office_id, input.external_reference, current.id)
  }

  const changes: repository.CaseChanges = {}
  if (input.project_id !== undefined) changes.project_id = input.project_id
  if (input.legal_status !== undefined) changes.legal_status = input.legal_status
  if (input.referral_source !== undefined) changes.referral_source = input.referral_source
  if (input.external_reference !== undefined) changes.external_reference = input.external_reference
  if (input.place_of_return !== undefined) changes.place_of_return = input.place_of_return
  if (input.intended_departure_on !== undefined) changes.intended_departure_on = input.intended_departure_on
  if (input.notes !== undefined) changes.notes = input.notes
  if (input.consent !== undefined) {
    changes.consent_given_at = input.consent ? new Date(input.consent.given_at) : null
    changes.consent_given_by = input.consent?.given_by ?? null
    changes.consent_scope = input.consent?.scope ?? null
    changes.consent_recorded_by = input.consent ? context.actor.sub : null
  }
  if (input.country_of_return !== undefined && input.country_of_return !== current.country_of_return) {
    changes.country_of_return = input.country_of_return
    // A referral follows the country of return: an office in the old country no longer covers it.
    if (current.partner_office_id !== null) {
      changes.partner_office_id = null
      changes.referred_at = null
    }
  }
  const updated = (await repository.updateCase(db, current.id, changes)) as ReturnCaseRow
  await recordAudits(db, context, [
    { action: 'return_case.updated', entityType: 'return_case', entityId: current.id, caseId: current.id, before: caseSnapshot(current), after: caseSnapshot(updated), maskedFields: CASE_MASKED },
  ])
  await emitEvent(db, { type: 'return_case.updated', entityType: 'return_case', entityId: current.id, caseId: current.id, payload: caseEventPayload(updated) })
  return presentWithMembers(db, context, updated)
}

/** The workflow actions exposed as custom methods by this module. */
export type OwnCaseAction = Extract<CaseAction, 'submit' | 'start_counselling' | 'approve' | 'reject' | 'withdraw' | 'close'>

export async function performAction(
  db: Transaction<DB>,
  context: RequestContext,
  caseId: string,
  expectedVersion: number | undefined,
  action: OwnCaseAction,
  body: { reason?: string; project_id?: string },
): Promise<ReturnCaseRecord> {
  let current = await findCaseForActor(db, context.actor, caseId, { forUpdate: true })
  assertVersion(current.version, expectedVersion)
  if (action === 'approve' && body.project_id !== undefined && body.project_id !== current.project_id) {
    CASE_WORKFLOW.target(action, current.status)
    await assertProjectAcceptsCase(db, body.project_id, current.intended_departure_on ?? todayIso())
    const withProject = (await repository.updateCase(db, current.id, { project_id: body.project_id })) as ReturnCaseRow
    await recordAudits(db, context, [
      { action: 'return_case.updated', entityType: 'return_case', entityId: current.id, caseId: current.id, before: { project_id: current.project_id }, after: { project_id: body.project_id } },
    ])
    current = withProject
  }
  const updated = await transitionCase(db, context, current, action, body.reason ?? null)
  return presentWithMembers(db, context, updated)
}

/** Refers the case to a partner office in its country of return (replacing an earlier referral). */
export async function referCase(
  db: Transaction<DB>,
  context: RequestContext,
  caseId: string,
  expectedVersion: number | undefined,
  partnerOfficeId: string,
): Promise<ReturnCaseRecord> {
  const current = await lockOpenCase(db, context.actor, caseId, expectedVersion)
  if (NOT_REFERABLE.includes(current.status)) {
    throw new ProblemError('invalid-transition', `Cannot refer a return case that is ${current.status}`, {
      current_status: current.status,
      action: 'refer',
      allowed_from: CASE_STATUSES.filter((status) => !NOT_REFERABLE.includes(status)),
    })
  }
  const office = await findOffice(db, partnerOfficeId)
  if (!office) {
    throw unprocessable(`Office ${partnerOfficeId} does not exist; GET /v1/offices?kind=partner_office lists the partner offices`, [
      { pointer: '/body/partner_office_id', detail: 'no office has this id' },
    ])
  }
  if (office.kind !== 'partner_office' || office.country !== current.country_of_return) {
    throw unprocessable(`Office ${partnerOfficeId} is not a partner office in ${current.country_of_return}, the country of return`, [
      { pointer: '/body/partner_office_id', detail: `must be a partner office in ${current.country_of_return}` },
    ])
  }
  if (current.partner_office_id === office.id) return presentWithMembers(db, context, current)
  const updated = (await repository.updateCase(db, current.id, { partner_office_id: office.id, referred_at: new Date() })) as ReturnCaseRow
  await recordAudits(db, context, [
    {
      action: 'return_case.referred',
      entityType: 'return_case',
      entityId: current.id,
      caseId: current.id,
      before: { partner_office_id: current.partner_office_id },
      after: { partner_office_id: office.id },
    },
  ])
  await emitEvent(db, {
    type: 'return_case.referred',
    entityType: 'return_case',
    entityId: current.id,
    caseId: current.id,
    payload: { ...caseEventPayload(updated), automatic: false },
  })
  return presentWithMembers(db, context, updated)
}


// ---------------------------------------------------------------- list and search

/**
 * Lists the cases the caller may see, newest first, with keyset pagination on id (UUIDv7, so
 * creation order). The equality filters lead an index each alone and in the usual combinations,
 * with id after them (see the case-list migration), so a page is read off an index; the free-text
 * words each prefix-match the case's search terms through the btree on `case_search_terms.term`.
 */
export async function listCases(db: Kysely<DB>, context: RequestContext, filter: ReturnCaseListFilter): Promise<Page<ReturnCaseSummaryRecord>> {
  const limit = filter.limit ?? DEFAULT_PAGE_SIZE
  const query = caseListQuery(db, context.actor, filter)
  if (!query) return { items: [], next_cursor: null }
  const rows = await query.execute()
  const disclosures = new Disclosures()
  const page = toPage(rows, limit, (row) => [row.id], (row) => presentSummary(context.actor, row, disclosures))
  await recordDisclosures(db, context, disclosures)
  return page
}

/** The query of one page of the case list (`limit + 1` rows); undefined when the caller can see no case at all. Exported for the plan tests. */
export function caseListQuery(db: Kysely<DB>, actor: Actor, filter: ReturnCaseListFilter) {
  const limit = filter.limit ?? DEFAULT_PAGE_SIZE
  const after = afterId(filter.cursor)
  let query = db.selectFrom('return_cases as c').select('c.id').orderBy('c.id', 'desc').limit(limit + 1)
  if (after) query = query.where('c.id', '<', after)
  if (isPartnerOnly(actor)) {
    if (actor.officeId === null || !UUID_PATTERN.test(actor.officeId)) return undefined
    query = query.where('c.partner_office_id', '=', actor.officeId)
  }
  if (filter.status) query = query.where('c.status', '=', filter.status)
  if (filter.office_id) query = query.where('c.office_id', '=', filter.office_id)
  if (filter.partner_office_id) query = query.where('c.partner_office_id', '=', filter.partner_office_id)
  if (filter.country_of_return) query = query.where('c.country_of_return', '=', filter.country_of_return)
  if (filter.created_from) query = query.where('c.created_at', '>=', new Date(filter.created_from))
  if (filter.created_to) query = query.where('c.created_at', '<', new Date(filter.created_to))
  if (filter.departure_from) query = query.where('c.intended_departure_on', '>=', filter.departure_from)
  if (filter.departure_to) query = query.where('c.intended_departure_on', '<=', filter.departure_to)
  if (filter.nationality) {
    const nationality = filter.nationality
    query = query.where('c.id', 'in', (eb) => eb.selectFrom('case_members').select('case_id').where('nationality', '=', nationality))
  }
  if (filter.vulnerability) query = withVulnerabilityFilter(query, actor, filter.vulnerability)
  if (filter.q !== undefined) {
    const words = searchWords(filter.q)
    if (words.length === 0) throw invalidField('/query/q', 'must contain a letter or digit')
    for (const word of words) {
      // Words hold letters and digits only (normalizeText), so they need no LIKE escaping.
      query = query.where('c.id', 'in', (eb) => eb.selectFrom('case_search_terms').select('case_id').where('term', 'like', `${word}%`))
    }
  }
  return repository.summaryPage(db, query)
}

type CaseQuery = SelectQueryBuilder<DB & { c: ReturnCasesTable }, 'c', { id: string }>

/**
 * The vulnerability filter matches what the caller sees: a restricted entry the caller may not
 * see matches `restricted`, never its real code, so filtering cannot reveal what is hidden.
 * `elderly` is derived (65+ on the departure date, else today) and evaluated per candidate case.
 */
function withVulnerabilityFilter<Q extends CaseQuery>(query: Q, actor: Actor, code: NonNullable<ReturnCaseListFilter['vulnerability']>): Q {
  const protection = hasRole(actor, 'protection')
  if (code === 'elderly') {
    const today = todayIso()
    return query.where(({ exists, selectFrom }) =>
      exists(
        selectFrom('case_members as m')
          .select('m.id')
          .whereRef('m.case_id', '=', 'c.id')
          .where(
            sql<boolean>`(m.date_of_birth <= (coalesce(c.intended_departure_on, ${today}::date) - interval '65 years')::date
              or m.birth_year <= extract(year from coalesce(c.intended_departure_on, ${today}::date)) - 65)`,
          ),
      ),
    ) as Q
  }
  if (code === 'restricted' || code === 'victim_of_trafficking') {
    if (protection) {
      if (code === 'restricted') return query.where(sql<boolean>`false`) as Q
      return query.where('c.id', 'in', (eb) => eb.selectFrom('member_vulnerabilities').select('case_id').where('code', '=', 'victim_of_trafficking')) as Q
    }
    return query.where('c.id', 'in', (eb) =>
      eb
        .selectFrom('member_vulnerabilities')
        .select('case_id')
        .where('code', '=', 'victim_of_trafficking')
        .where('recorded_by', code === 'restricted' ? '<>' : '=', actor.sub),
    ) as Q
  }
  return query.where('c.id', 'in', (eb) => eb.selectFrom('member_vulnerabilities').select('case_id').where('code', '=', code)) as Q
}

export async function listHistory(
  db: Kysely<DB>,
  actor: Actor,
  caseId: string,
  pageQuery: { limit?: number; cursor?: string },
): Promise<Page<StatusHistoryEntryRecord>> {
  await findCaseForActor(db, actor, caseId)
  const query = db.selectFrom('case_status_history').selectAll().where('case_id', '=', caseId)
  const present = (rows: Selectable<CaseStatusHistoryTable>[]) => rows.map((row): StatusHistoryEntryRecord => ({
    id: row.id,
    action: row.action,
    from_status: row.from_status as CaseStatus | null,
    to_status: row.to_status as CaseStatus,
    reason: row.reason,
    actor: { sub: row.actor_sub, roles: row.actor_roles },
    occurred_at: row.occurred_at.toISOString(),
  }))
  return paginate(query, pageQuery, present, { key: 'sequence' })
}
