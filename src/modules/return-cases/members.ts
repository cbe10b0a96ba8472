import type { Kysely, Transaction } from 'kysely'
import type { DB } from '../../db/schema.js'
import type { RequestContext } from '../../shared/context.js'
import { assertVersion } from '../../shared/etag.js'
import { newId } from '../../shared/ids.js'
import { emitEvent } from '../../shared/outbox.js'
import { afterId, DEFAULT_PAGE_SIZE, toPage, type Page } from '../../shared/pagination.js'
import { ProblemError } from '../../shared/problems.js'
import { findCaseForActor, lockOpenCase } from './access.js'
import { nameKey } from '../../shared/normalize.js'
import { ageReferenceDate, presentMember } from './presenter.js'
import {
  duplicatesOf,
  householdPerson,
  insertMembers,
  memberAudit,
  memberEventPayload,
  newHouseholdPerson,
  newMembersErrors,
  toLoaded,
  touchCase,
  vulnerabilityAudit,
} from './records.js'
import * as repository from './repository.js'
import type { DuplicateMatch, MemberWithVulnerabilities, ReturnCaseRow } from './repository.js'
import { Disclosures, isRestrictedCode, maySeeRestricted, presentVulnerability, recordDisclosures, vulnerabilityEventPayload } from './restricted.js'
import type { MemberInputValue, MemberRecord, MemberUpdateInput, VulnerabilityInputValue, VulnerabilityRecord, VulnerabilityUpdateInput } from './schemas.js'
import { householdErrors, personErrors, throwIfHouseholdInvalid, throwIfInvalid, vulnerabilityErrors, type HouseholdPerson } from './validation.js'
import { todayIso } from '../../shared/dates.js'
import { recordsOfMember } from './ports.js'
import { recordAudits } from '../../shared/audit.js'

function memberNotFound(memberId: string): ProblemError {
  return new ProblemError('not-found', `Member ${memberId} does not exist in this case`)
}

function vulnerabilityNotFound(vulnerabilityId: string): ProblemError {
  return new ProblemError('not-found', `Vulnerability entry ${vulnerabilityId} does not exist for this member`)
}

async function present(db: Kysely<DB>, context: RequestContext, caseRow: ReturnCaseRow, member: MemberWithVulnerabilities): Promise<MemberRecord> {
  const disclosures = new Disclosures()
  const record = presentMember(context.actor, member, ageReferenceDate(caseRow), disclosures)
  await recordDisclosures(db, context, disclosures)
  return record
}

/** Locks the case (every household change takes this lock first, so they run one at a time) and loads the household. */
async function lockHousehold(db: Transaction<DB>, context: RequestContext, caseId: string) {
  const caseRow = await lockOpenCase(db, context.actor, caseId)
  const members = await repository.membersOfCases(db, [caseRow.id])
  return { caseRow, members }
}

function memberIn(members: readonly MemberWithVulnerabilities[], memberId: string): MemberWithVulnerabilities {
  const member = members.find((candidate) => candidate.id === memberId)
  if (!member) throw memberNotFound(memberId)
  return member
}

// ---------------------------------------------------------------- reads

export async function listMembers(
  db: Kysely<DB>,
  context: RequestContext,
  caseId: string,
  pageQuery: { limit?: number; cursor?: string },
): Promise<Page<MemberRecord>> {
  const caseRow = await findCaseForActor(db, context.actor, caseId)
  const limit = pageQuery.limit ?? DEFAULT_PAGE_SIZE
  const rows = await repository.memberPage(db, caseRow.id, limit, afterId(pageQuery.cursor))
  const disclosures = new Disclosures()
  const onDate = ageReferenceDate(caseRow)
  const page = toPage(rows, limit, (row) => [row.id], (row) => presentMember(context.actor, row, onDate, disclosures))
  await recordDisclosures(db, context, disclosures)
  return page
}

export async function getMember(db: Kysely<DB>, context: RequestContext, caseId: string, memberId: string): Promise<MemberRecord> {
  const caseRow = await findCaseForActor(db, context.actor, caseId)
  const member = await repository.memberWithVulnerabilities(db, caseRow.id, memberId)
  if (!member) throw memberNotFound(memberId)
  return present(db, context, caseRow, member)
}

// ---------------------------------------------------------------- member writes

export async function addMember(
  db: Transaction<DB>,
  context: RequestContext,
  caseId: string,
  input: MemberInputValue,
): Promise<{ member: MemberRecord; possibleDuplicates: DuplicateMatch[] }> {
  const { caseRow, members } = await lockHousehold(db, context, caseId)
  throwIfInvalid(newMembersErrors([input], () => '/body'))
  throwIfHouseholdInvalid(householdErrors([...members.map(householdPerson), newHouseholdPerson(input, '/body')], ageReferenceDate(caseRow)))

  const inserted = await insertMembers(db, caseRow.id, [input], context.actor)
  const member = inserted.members[0] as MemberWithVulnerabilities
  await repository.rebuildSearchTerms(db, caseRow.id)
  await touchCase(db, caseRow)
  await recordAudits(db, context, [
    memberAudit('case_member.added', null, member),
    ...inserted.vulnerabilities.map((entry) => vulnerabilityAudit('member_vulnerability.recorded', null, entry)),
  ])
  await emitEvent(db, { type: 'case_member.added', entityType: 'case_member', entityId: member.id, caseId: caseRow.id, payload: memberEventPayload(member) })
  const possibleDuplicates = await duplicatesOf(db, context.actor, caseRow.id, [member])
  return { member: await present(db, context, caseRow, member), possibleDuplicates }
}

export async function updateMember(
  db: Transaction<DB>,
  context: RequestContext,
  caseId: string,
  memberId: string,
  expectedVersion: number | undefined,
  input: MemberUpdateInput,
): Promise<MemberRecord> {
  const { caseRow, members } = await lockHousehold(db, context, caseId)
  const current = memberIn(members, memberId)
  assertVersion(current.version, expectedVersion)
  const merged = {
    relationship: input.relationship ?? current.relationship,
    given_name: input.given_name?.trim() ?? current.given_name,
    family_name: input.family_name?.trim() ?? current.family_name,
    sex: input.sex ?? current.sex,
    date_of_birth: input.date_of_birth !== undefined ? input.date_of_birth : current.date_of_birth,
    birth_year: input.birth_year !== undefined ? input.birth_year : current.birth_year,
    nationality: input.nationality ?? current.nationality,
  }
  throwIfInvalid(personErrors(merged, '/body', todayIso()))
  if (current.is_principal && merged.relationship !== 'principal' && caseRow.status !== 'draft') {
    throw new ProblemError('conflict', `The principal applicant of case ${caseRow.reference} cannot change once it is ${caseRow.status}`, { current_status: caseRow.status })
  }
  const people: HouseholdPerson[] = members.map((member) =>
    member.id === memberId ? { ...householdPerson(member), ...merged, pointer: '/body' } : householdPerson(member),
  )
  throwIfHouseholdInvalid(householdErrors(people, ageReferenceDate(caseRow)))

  const updated = await db
    .updateTable('case_members')
    .set((eb) => ({
      ...merged,
      is_principal: merged.relationship === 'principal',
      name_key: nameKey(merged.given_name, merged.family_name),
      ...(input.identity_documents !== undefined ? { identity_documents: JSON.stringify(input.identity_documents) } : {}),
      version: eb('version', '+', 1),
      updated_at: new Date(),
    }))
    .where('id', '=', memberId)
    .returningAll()
    .executeTakeFirstOrThrow()
  if (updated.name_key !== current.name_key) await repository.rebuildSearchTerms(db, caseRow.id)
  await touchCase(db, caseRow)
  await recordAudits(db, context, [memberAudit('case_member.updated', current, updated)])
  await emitEvent(db, { type: 'case_member.updated', entityType: 'case_member', entityId: memberId, caseId: caseRow.id, payload: memberEventPayload(updated) })
  return present(db, context, caseRow, { ...updated, vulnerabilities: current.vulnerabilities })
}

export async function removeMember(
  db: Transaction<DB>,
  context: RequestContext,
  caseId: string,
  memberId: string,
  expectedVersion: number | undefined,
): Promise<void> {
  const { caseRow, members } = await lockHousehold(db, context, caseId)
  const current = memberIn(members, memberId)
  assertVersion(current.version, expectedVersion)
  if (current.is_principal && caseRow.status !== 'draft') {
    throw new ProblemError('conflict', `The principal applicant of case ${caseRow.reference} cannot be removed once it is ${caseRow.status}`, {
      current_status: caseRow.status,
    })
  }
  if (current.vulnerabilities.some((entry) => isRestrictedCode(entry.code) && !maySeeRestricted(context.actor, entry.recorded_by))) {
    throw new ProblemError('forbidden', 'This person has restricted entries; only protection staff or whoever recorded them can remove the person')
  }
  const records = await recordsOfMember(db, memberId)
  const kinds = Object.keys(records)
  if (kinds.length > 0) {
    throw new ProblemError('conflict', `This person cannot be removed from case ${caseRow.reference}: they still have ${kinds.map((kind) => kind.replace(/_/g, ' ')).join(', ')}`, {
      records,
    })
  }
  const remaining = members.filter((member) => member.id !== memberId)
  const problems = householdErrors(remaining.map(householdPerson), ageReferenceDate(caseRow))
  if (problems.length > 0) {
    throw new ProblemError('conflict', `Removing this person would break the household rules: ${problems.map((problem) => problem.detail).join('; ')}`, {
      errors: problems,
    })
  }
  const removedEntries = await db.deleteFrom('member_vulnerabilities').where('member_id', '=', memberId).returningAll().execute()
  await db.deleteFrom('case_members').where('id', '=', memberId).execute()
  await repository.rebuildSearchTerms(db, caseRow.id)
  await touchCase(db, caseRow)
  await recordAudits(db, context, [
    ...removedEntries.map((entry) => vulnerabilityAudit('member_vulnerability.removed', entry, null)),
    memberAudit('case_member.removed', current, null),
  ])
  await emitEvent(db, { type: 'case_member.removed', entityType: 'case_member', entityId: memberId, caseId: caseRow.id, payload: { id: memberId, case_id: caseRow.id } })
}

// ---------------------------------------------------------------- vulnerability writes

export async function addVulnerability(
  db: Transaction<DB>,
  context: RequestContext,
  caseId: string,
  memberId: string,
  input: VulnerabilityInputValue,
): Promise<VulnerabilityRecord> {
  const { caseRow, members } = await lockHousehold(db, context, caseId)
  const member = memberIn(members, memberId)
  throwIfInvalid(
    vulnerabilityErrors(
      [input],
      member.vulnerabilities.map((entry) => entry.code),
      '/body',
    ).map((error) => ({ ...error, pointer: error.pointer.replace('/body/0', '/body') })),
  )
  const people = members.map((candidate) =>
    candidate.id === memberId
      ? { ...householdPerson(candidate), codes: [...candidate.vulnerabilities.map((entry) => entry.code), input.code], pointer: '/body', codePointer: () => '/body/code' }
      : householdPerson(candidate),
  )
  throwIfHouseholdInvalid(householdErrors(people, ageReferenceDate(caseRow)))

  const entry = await db
    .insertInto('member_vulnerabilities')
    .values({
      id: newId(),
      case_id: caseRow.id,
      member_id: memberId,
      code: input.code,
      notes: input.notes ?? null,
      escort_needed: input.escort_needed ?? null,
      recorded_by: context.actor.sub,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
  await recordVulnerabilityChange(db, context, caseRow, 'recorded', null, entry)
  return presentEntry(db, context, entry)
}

/** A vulnerability entry changed: touches its case, audits the change and emits `member_vulnerability.<change>` (a removal's payload is the removed entry). */
async function recordVulnerabilityChange(
  db: Transaction<DB>,
  context: RequestContext,
  caseRow: ReturnCaseRow,
  change: 'recorded' | 'updated' | 'removed',
  before: repository.VulnerabilityRow | null,
  after: repository.VulnerabilityRow | null,
): Promise<void> {
  const entry = (after ?? before)!
  const type = `member_vulnerability.${change}`
  await touchCase(db, caseRow)
  await recordAudits(db, context, [vulnerabilityAudit(type, before, after)])
  await emitEvent(db, { type, entityType: 'member_vulnerability', entityId: entry.id, caseId: caseRow.id, payload: vulnerabilityEventPayload(entry) })
}

async function presentEntry(db: Kysely<DB>, context: RequestContext, entry: repository.VulnerabilityRow): Promise<VulnerabilityRecord> {
  const disclosures = new Disclosures()
  const record = presentVulnerability(context.actor, toLoaded(entry), disclosures)
  await recordDisclosures(db, context, disclosures)
  return record
}

/** The entry, locked; a restricted entry the caller may not see cannot be changed by them (403). */
async function lockEntry(db: Transaction<DB>, context: RequestContext, caseId: string, memberId: string, vulnerabilityId: string) {
  const { caseRow, members } = await lockHousehold(db, context, caseId)
  memberIn(members, memberId)
  const entry = await db
    .selectFrom('member_vulnerabilities')
    .selectAll()
    .where('id', '=', vulnerabilityId)
    .where('member_id', '=', memberId)
    .forUpdate()
    .executeTakeFirst()
  if (!entry) throw vulnerabilityNotFound(vulnerabilityId)
  if (isRestrictedCode(entry.code) && !maySeeRestricted(context.actor, entry.recorded_by)) {
    throw new ProblemError('forbidden', 'This entry is restricted; only protection staff or whoever recorded it can change it')
  }
  return { caseRow, members, entry }
}

export async function updateVulnerability(
  db: Transaction<DB>,
  context: RequestContext,
  ids: { caseId: string; memberId: string; vulnerabilityId: string },
  expectedVersion: number | undefined,
  input: VulnerabilityUpdateInput,
): Promise<VulnerabilityRecord> {
  const { caseRow, entry } = await lockEntry(db, context, ids.caseId, ids.memberId, ids.vulnerabilityId)
  assertVersion(entry.version, expectedVersion)
  throwIfInvalid(
    vulnerabilityErrors([{ code: entry.code, escort_needed: input.escort_needed }], [], '/body').map((error) => ({
      ...error,
      pointer: error.pointer.replace('/body/0', '/body'),
    })),
  )
  const updated = await db
    .updateTable('member_vulnerabilities')
    .set((eb) => ({
      ...(input.notes !== undefined ? { notes: input.notes } : {}),
      ...(input.escort_needed !== undefined ? { escort_needed: input.escort_needed } : {}),
      version: eb('version', '+', 1),
      updated_at: new Date(),
    }))
    .where('id', '=', entry.id)
    .returningAll()
    .executeTakeFirstOrThrow()
  await recordVulnerabilityChange(db, context, caseRow, 'updated', entry, updated)
  return presentEntry(db, context, updated)
}

export async function removeVulnerability(
  db: Transaction<DB>,
  context: RequestContext,
  ids: { caseId: string; memberId: string; vulnerabilityId: string },
  expectedVersion: number | undefined,
): Promise<void> {
  const { caseRow, entry } = await lockEntry(db, context, ids.caseId, ids.memberId, ids.vulnerabilityId)
  assertVersion(entry.version, expectedVersion)
  await db.deleteFrom('member_vulnerabilities').where('id', '=', entry.id).execute()
  await recordVulnerabilityChange(db, context, caseRow, 'removed', entry, null)
}
