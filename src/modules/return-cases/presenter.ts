import type { Actor } from '../../shared/roles.js'
import { derivePerson, familyTypeOf, householdOf } from './household.js'
import type { MemberWithVulnerabilities, ReturnCaseRow, SummaryRow } from './repository.js'
import { RESTRICTED, presentVulnerability, shownCode, type Disclosures } from './restricted.js'
import type { IdentityDocumentValue, MemberRecord, ReturnCaseRecord, ReturnCaseSummaryRecord } from './schemas.js'
import { CASE_WORKFLOW } from './transitions.js'
import { todayIso } from '../../shared/dates.js'

/** The date ages are derived on: the intended departure date, else today. */
export function ageReferenceDate(caseRow: Pick<ReturnCaseRow, 'intended_departure_on'>): string {
  return caseRow.intended_departure_on ?? todayIso()
}

export function presentMember(actor: Actor, member: MemberWithVulnerabilities, onDate: string, disclosures: Disclosures): MemberRecord {
  return {
    id: member.id,
    case_id: member.case_id,
    relationship: member.relationship as MemberRecord['relationship'],
    is_principal: member.is_principal,
    given_name: member.given_name,
    family_name: member.family_name,
    sex: member.sex as MemberRecord['sex'],
    date_of_birth: member.date_of_birth,
    birth_year: member.birth_year,
    nationality: member.nationality,
    identity_documents: member.identity_documents as IdentityDocumentValue[],
    vulnerabilities: member.vulnerabilities.map((entry) => presentVulnerability(actor, entry, disclosures)),
    ...derivePerson(member, onDate),
    version: member.version,
    created_at: member.created_at.toISOString(),
    updated_at: member.updated_at.toISOString(),
  }
}

export function presentCase(actor: Actor, row: ReturnCaseRow, members: MemberWithVulnerabilities[], disclosures: Disclosures): ReturnCaseRecord {
  const onDate = ageReferenceDate(row)
  return {
    id: row.id,
    reference: row.reference,
    office_id: row.office_id,
    partner_office_id: row.partner_office_id,
    referred_at: row.referred_at?.toISOString() ?? null,
    project_id: row.project_id,
    status: row.status,
    legal_status: row.legal_status as ReturnCaseRecord['legal_status'],
    referral_source: row.referral_source as ReturnCaseRecord['referral_source'],
    external_reference: row.external_reference,
    country_of_return: row.country_of_return,
    place_of_return: row.place_of_return,
    intended_departure_on: row.intended_departure_on,
    consent:
      row.consent_given_at && row.consent_given_by && row.consent_scope && row.consent_recorded_by
        ? {
            given_at: row.consent_given_at.toISOString(),
            given_by: row.consent_given_by,
            scope: row.consent_scope as NonNullable<ReturnCaseRecord['consent']>['scope'],
            recorded_by: row.consent_recorded_by,
          }
        : null,
    notes: row.notes,
    household: householdOf(members, row.intended_departure_on),
    members: members.map((member) => presentMember(actor, member, onDate, disclosures)),
    allowed_actions: CASE_WORKFLOW.allowedActions(row.status),
    created_by: row.created_by,
    version: row.version,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    closed_at: row.closed_at?.toISOString() ?? null,
    applied_on: row.applied_on,
    closure_reason: row.closure_reason,
  }
}

/** The columns every view of a case leads with, the list row and the event payload too (no personal data). */
export function caseHeadline(row: Pick<ReturnCaseRow, 'id' | 'reference' | 'status' | 'office_id' | 'partner_office_id' | 'project_id' | 'country_of_return' | 'intended_departure_on'>) {
  return {
    id: row.id,
    reference: row.reference,
    status: row.status,
    office_id: row.office_id,
    partner_office_id: row.partner_office_id,
    project_id: row.project_id,
    country_of_return: row.country_of_return,
    intended_departure_on: row.intended_departure_on,
  }
}

/** A list row, straight from the list query's row (no intermediate records). */
export function presentSummary(actor: Actor, row: SummaryRow, disclosures: Disclosures): ReturnCaseSummaryRecord {
  let principal: ReturnCaseSummaryRecord['principal'] = null
  let codes: Set<string> | undefined
  for (const member of row.members) {
    if (member.is_principal) principal = { member_id: member.id, given_name: member.given_name, family_name: member.family_name, nationality: member.nationality }
    for (const entry of member.vulnerabilities) (codes ??= new Set()).add(shownCode(actor, entry, disclosures))
  }
  return {
    ...caseHeadline(row),
    principal,
    household_size: row.members.length,
    family_type: familyTypeOf(row.members.map((member) => member.relationship)),
    // Sorted, with `restricted` last, so the order never hints at which code is hidden.
    vulnerability_codes: (codes ? [...codes].sort((a, b) => (a === RESTRICTED ? 1 : b === RESTRICTED ? -1 : a.localeCompare(b))) : []) as ReturnCaseSummaryRecord['vulnerability_codes'],
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  }
}
