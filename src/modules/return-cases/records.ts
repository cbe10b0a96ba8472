import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'
import { PREPARED } from '../../db/prepared.js'
import type { AuditInput } from '../../shared/audit.js'
import { newId } from '../../shared/ids.js'
import { isPartnerOnly, type Actor } from '../../shared/roles.js'
import { nameKey } from '../../shared/normalize.js'
import * as repository from './repository.js'
import type { DuplicateMatch, MemberWithVulnerabilities, ReturnCaseRow } from './repository.js'
import { caseHeadline } from './presenter.js'
import { vulnerabilityAuditShape } from './restricted.js'
import type { ConsentInput, MemberInputValue } from './schemas.js'
import { personErrors, vulnerabilityErrors, type FieldError, type HouseholdPerson } from './validation.js'
import { todayIso } from '../../shared/dates.js'

/**
 * Building blocks shared by the case and member services: audit and event shapes (personal and
 * restricted values masked), member inserts, and household inputs for the validation rules.
 */

/** Personal fields are recorded as changed, never with their values. */
export const CASE_MASKED = ['place_of_return', 'consent_given_by', 'notes']
export const MEMBER_MASKED = ['given_name', 'family_name', 'date_of_birth', 'birth_year', 'identity_documents']

/** The audited fields of a case (a row as read, or the values of a new one). */
type AuditedCase = Omit<ReturnCaseRow, 'created_at' | 'updated_at' | 'closed_at' | 'closure_reason' | 'referred_at' | 'version'>

export function caseSnapshot(row: AuditedCase): Record<string, unknown> {
  return {
    reference: row.reference,
    office_id: row.office_id,
    partner_office_id: row.partner_office_id,
    project_id: row.project_id,
    status: row.status,
    legal_status: row.legal_status,
    referral_source: row.referral_source,
    external_reference: row.external_reference,
    country_of_return: row.country_of_return,
    place_of_return: row.place_of_return,
    intended_departure_on: row.intended_departure_on,
    applied_on: row.applied_on,
    consent_given_at: row.consent_given_at,
    consent_given_by: row.consent_given_by,
    consent_scope: row.consent_scope,
    notes: row.notes,
  }
}

/** The audited fields of a member (a row as read, or the values of a new one). */
type AuditedMember = Omit<repository.CaseMemberRow, 'version' | 'created_at' | 'updated_at' | 'identity_documents'> & { identity_documents: unknown }

export function memberSnapshot(member: AuditedMember): Record<string, unknown> {
  return {
    relationship: member.relationship,
    given_name: member.given_name,
    family_name: member.family_name,
    sex: member.sex,
    date_of_birth: member.date_of_birth,
    birth_year: member.birth_year,
    nationality: member.nationality,
    identity_documents: member.identity_documents,
  }
}

/** Event payloads carry no personal data: consumers read the detail through the API, within their scope. */
export function caseEventPayload(row: Parameters<typeof caseHeadline>[0] & Pick<ReturnCaseRow, 'version'>): Record<string, unknown> {
  return { ...caseHeadline(row), version: row.version }
}

export function memberEventPayload(member: repository.CaseMemberRow): Record<string, unknown> {
  return { id: member.id, case_id: member.case_id, relationship: member.relationship, nationality: member.nationality, version: member.version }
}

export function memberAudit(action: string, before: AuditedMember | null, after: AuditedMember | null): AuditInput {
  const member = (after ?? before) as AuditedMember
  return {
    action,
    entityType: 'case_member',
    entityId: member.id,
    caseId: member.case_id,
    before: before && memberSnapshot(before),
    after: after && memberSnapshot(after),
    maskedFields: MEMBER_MASKED,
  }
}

type AuditedVulnerability = Pick<repository.VulnerabilityRow, 'id' | 'case_id' | 'member_id' | 'code' | 'notes' | 'escort_needed'>

export function vulnerabilityAudit(action: string, before: AuditedVulnerability | null, after: AuditedVulnerability | null): AuditInput {
  const entry = (after ?? before) as AuditedVulnerability
  const beforeShape = before && vulnerabilityAuditShape(before)
  const afterShape = after && vulnerabilityAuditShape(after)
  return {
    action,
    entityType: 'member_vulnerability',
    entityId: entry.id,
    caseId: entry.case_id,
    before: beforeShape?.snapshot ?? null,
    after: afterShape?.snapshot ?? null,
    maskedFields: [...new Set([...(beforeShape?.maskedFields ?? []), ...(afterShape?.maskedFields ?? [])])],
  }
}

export function toLoaded(entry: repository.VulnerabilityRow): repository.LoadedVulnerability {
  return { ...entry, recorded_at: entry.recorded_at.toISOString() }
}

export function consentErrors(consent: ConsentInput | null | undefined, pointer: string): FieldError[] {
  if (!consent) return []
  return new Date(consent.given_at).getTime() > Date.now() ? [{ pointer: `${pointer}/given_at`, detail: 'must not be in the future' }] : []
}

export function personOf(input: MemberInputValue) {
  return { ...input, date_of_birth: input.date_of_birth ?? null, birth_year: input.birth_year ?? null }
}

export function newMemberRows(caseId: string, inputs: readonly MemberInputValue[], actor: Actor, memberIds: readonly string[] = []) {
  const members = inputs.map((input, index) => ({
    id: memberIds[index] ?? newId(),
    case_id: caseId,
    relationship: input.relationship,
    is_principal: input.relationship === 'principal',
    given_name: input.given_name.trim(),
    family_name: input.family_name.trim(),
    name_key: nameKey(input.given_name, input.family_name),
    sex: input.sex,
    date_of_birth: input.date_of_birth ?? null,
    birth_year: input.birth_year ?? null,
    nationality: input.nationality,
    identity_documents: JSON.stringify(input.identity_documents ?? []),
    created_by: actor.sub,
  }))
  const vulnerabilities = inputs.flatMap((input, index) =>
    (input.vulnerabilities ?? []).map((entry) => ({
      id: newId(),
      case_id: caseId,
      member_id: members[index]?.id as string,
      code: entry.code,
      notes: entry.notes ?? null,
      escort_needed: entry.escort_needed ?? null,
      recorded_by: actor.sub,
    })),
  )
  return { members, vulnerabilities }
}

export type NewMemberRows = ReturnType<typeof newMemberRows>

/**
 * A new household as the database holds it once inserted in the transaction that stamped
 * `createdAt`: the columns' defaults are version 1 and the transaction's time (now()).
 */
export function insertedMembers(rows: NewMemberRows, createdAt: Date): MemberWithVulnerabilities[] {
  return rows.members.map((member) => ({
    ...member,
    identity_documents: JSON.parse(member.identity_documents) as unknown[],
    version: 1,
    created_at: createdAt,
    updated_at: createdAt,
    vulnerabilities: rows.vulnerabilities
      .filter((entry) => entry.member_id === member.id)
      .map((entry) => ({ ...entry, recorded_at: createdAt.toISOString(), version: 1 })),
  }))
}

export async function insertMembers(db: Kysely<DB>, caseId: string, inputs: readonly MemberInputValue[], actor: Actor, memberIds?: readonly string[]) {
  const rows = newMemberRows(caseId, inputs, actor, memberIds)
  const members = rows.members.length > 0 ? await db.insertInto('case_members').values(rows.members).returning(repository.MEMBER_COLUMNS).modifyEnd(PREPARED).execute() : []
  const vulnerabilities =
    rows.vulnerabilities.length > 0 ? await db.insertInto('member_vulnerabilities').values(rows.vulnerabilities).returning(repository.VULNERABILITY_COLUMNS).modifyEnd(PREPARED).execute() : []
  const loaded: MemberWithVulnerabilities[] = members.map((member) => ({
    ...member,
    vulnerabilities: vulnerabilities.filter((entry) => entry.member_id === member.id).map(toLoaded),
  }))
  return { members: loaded, vulnerabilities }
}

export function householdPerson(member: MemberWithVulnerabilities): HouseholdPerson {
  return {
    relationship: member.relationship,
    date_of_birth: member.date_of_birth,
    birth_year: member.birth_year,
    codes: member.vulnerabilities.map((entry) => entry.code),
    pointer: `/members/${member.id}`,
  }
}

export function newHouseholdPerson(input: MemberInputValue, pointer: string): HouseholdPerson {
  const entries = input.vulnerabilities ?? []
  return {
    relationship: input.relationship,
    date_of_birth: input.date_of_birth ?? null,
    birth_year: input.birth_year ?? null,
    codes: entries.map((entry) => entry.code),
    pointer,
    codePointer: (code) => `${pointer}/vulnerabilities/${entries.findIndex((entry) => entry.code === code)}/code`,
  }
}

/** Field errors (400) of new members and their vulnerability entries. */
export function newMembersErrors(inputs: readonly MemberInputValue[], pointerOf: (index: number) => string): FieldError[] {
  const today = todayIso()
  return inputs.flatMap((input, index) => [
    ...personErrors(personOf(input), pointerOf(index), today),
    ...vulnerabilityErrors(input.vulnerabilities ?? [], [], `${pointerOf(index)}/vulnerabilities`),
  ])
}

export async function duplicatesOf(db: Kysely<DB>, actor: Actor, caseId: string, members: readonly DuplicateSource[]): Promise<DuplicateMatch[]> {
  return repository.findDuplicates(db, caseId, duplicateProbesOf(members), duplicateScopeOf(actor))
}

type DuplicateSource = Pick<repository.CaseMemberRow, 'id' | 'name_key' | 'nationality' | 'date_of_birth' | 'birth_year'>

/** What a possible duplicate of each member must share with it. */
export function duplicateProbesOf(members: readonly DuplicateSource[]): repository.DuplicateProbe[] {
  return members.map((member) => ({
    memberId: member.id,
    nameKey: member.name_key,
    nationality: member.nationality,
    dateOfBirth: member.date_of_birth,
    birthYear: member.birth_year,
  }))
}

/** A partner-office caller compares only with the cases referred to its office. */
export function duplicateScopeOf(actor: Actor): string | undefined {
  return isPartnerOnly(actor) ? (actor.officeId ?? '') : undefined
}

/** Bumps the case version: its representation embeds the household, so member changes change its ETag. */
export async function touchCase(db: Kysely<DB>, caseRow: ReturnCaseRow): Promise<ReturnCaseRow> {
  return (await repository.updateCase(db, caseRow.id, {})) as ReturnCaseRow
}
