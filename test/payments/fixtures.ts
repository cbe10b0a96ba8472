import type { Kysely } from 'kysely'
import type { BudgetCategory, CaseStatus, CashGrantRuleKind, DB } from '../../src/db/schema.js'
import type { RequestContext } from '../../src/shared/context.js'
import { newId } from '../../src/shared/ids.js'
import type { Role } from '../../src/shared/roles.js'

/**
 * Rows the payment and cash-grant tests stand on (offices, an active project with budget lines,
 * return cases with members), written straight into the test's database: these tests are about
 * payments, not about how projects and cases are created.
 */

/**
 * The load-shedding check on event-loop delay is off in these tests: a busy CI machine (or the
 * first compile of a response serializer) can stall the loop past its limit and turn an answer
 * into a 503 that has nothing to do with the rule under test.
 */
export const TEST_ENV_OVERRIDES = { MAX_EVENT_LOOP_DELAY_MS: '0' }

export function contextOf(sub: string, roles: Role[], officeId: string | null = null): RequestContext {
  return { actor: { sub, roles, officeId }, requestId: `test-${newId()}` }
}

export interface Offices {
  countryOfficeId: string
  partnerOfficeId: string
  otherPartnerOfficeId: string
}

export async function seedOffices(db: Kysely<DB>): Promise<Offices> {
  const offices = {
    countryOfficeId: newId(),
    partnerOfficeId: newId(),
    otherPartnerOfficeId: newId(),
  }
  await db
    .insertInto('offices')
    .values([
      { id: offices.countryOfficeId, code: 'VNO', name: 'IOM Vilnius', country: 'LT', kind: 'country_office' },
      { id: offices.partnerOfficeId, code: 'TBS', name: 'IOM Tbilisi', country: 'GE', kind: 'partner_office' },
      { id: offices.otherPartnerOfficeId, code: 'EBL', name: 'IOM Erbil', country: 'IQ', kind: 'partner_office' },
    ])
    .execute()
  return offices
}

export interface ProjectOptions {
  currency?: string
  secondApprovalThresholdMinor?: number | null
  lines?: Partial<Record<BudgetCategory, number>>
  cashGrantRule?: { kind: 'per_person'; adultMinor: number; childMinor: number } | { kind: 'per_household'; flatMinor: number } | null
}

export interface SeededProject {
  projectId: string
  currency: string
  lineIds: Partial<Record<BudgetCategory, string>>
}

let projectCounter = 0

export async function seedProject(db: Kysely<DB>, options: ProjectOptions = {}): Promise<SeededProject> {
  const projectId = newId()
  const currency = options.currency ?? 'EUR'
  const lines = options.lines ?? { travel: 1_000_000, cash_grant: 1_000_000 }
  const total = Object.values(lines).reduce((sum, amount) => sum + (amount ?? 0), 0)
  const rule = options.cashGrantRule ?? null
  projectCounter += 1
  await db
    .insertInto('projects')
    .values({
      id: projectId,
      code: `AVRR-${projectCounter}`,
      title: 'Reintegration project',
      starts_on: '2026-01-01',
      ends_on: '2027-12-31',
      currency,
      total_minor: total,
      status: 'active',
      second_approval_threshold_minor: options.secondApprovalThresholdMinor ?? null,
      cash_grant_rule_kind: (rule?.kind ?? null) as CashGrantRuleKind | null,
      cash_grant_adult_minor: rule?.kind === 'per_person' ? rule.adultMinor : null,
      cash_grant_child_minor: rule?.kind === 'per_person' ? rule.childMinor : null,
      cash_grant_flat_minor: rule?.kind === 'per_household' ? rule.flatMinor : null,
    })
    .execute()
  const lineIds: Partial<Record<BudgetCategory, string>> = {}
  for (const [category, allocated] of Object.entries(lines) as Array<[BudgetCategory, number]>) {
    const id = newId()
    lineIds[category] = id
    await db
      .insertInto('budget_lines')
      .values({ id, project_id: projectId, category, name: category, currency, accepts_commitments: true, allocated_minor: allocated })
      .execute()
  }
  return { projectId, currency, lineIds }
}

export interface MemberOptions {
  relationship?: 'principal' | 'spouse_partner' | 'child' | 'parent' | 'sibling' | 'other_relative' | 'legal_guardian'
  dateOfBirth?: string
  birthYear?: number
  givenName?: string
}

export interface CaseOptions {
  officeId: string
  partnerOfficeId?: string | null
  projectId?: string | null
  status?: CaseStatus
  intendedDepartureOn?: string | null
  members?: MemberOptions[]
}

let caseCounter = 0

export async function seedCase(db: Kysely<DB>, options: CaseOptions): Promise<{ caseId: string; memberIds: string[] }> {
  const caseId = newId()
  caseCounter += 1
  const partnerOfficeId = options.partnerOfficeId ?? null
  await db
    .insertInto('return_cases')
    .values({
      id: caseId,
      reference: `VNO-2026-${String(caseCounter).padStart(5, '0')}`,
      office_id: options.officeId,
      partner_office_id: partnerOfficeId,
      referred_at: partnerOfficeId ? new Date() : null,
      project_id: options.projectId ?? null,
      status: options.status ?? 'approved',
      // A closed case always says why (a CHECK).
      closure_reason: options.status === 'closed' ? 'other' : null,
      legal_status: 'irregular_stay',
      referral_source: 'self',
      country_of_return: 'GE',
      intended_departure_on: options.intendedDepartureOn === undefined ? '2026-12-01' : options.intendedDepartureOn,
      created_by: 'fixture',
    })
    .execute()
  const members = options.members ?? [{ relationship: 'principal', dateOfBirth: '1985-04-12' }]
  const memberIds: string[] = []
  for (const [index, member] of members.entries()) {
    const id = newId()
    memberIds.push(id)
    const relationship = member.relationship ?? (index === 0 ? 'principal' : 'child')
    const givenName = member.givenName ?? `Member${index}`
    await db
      .insertInto('case_members')
      .values({
        id,
        case_id: caseId,
        relationship,
        is_principal: relationship === 'principal',
        given_name: givenName,
        family_name: 'Beridze',
        name_key: `${givenName.toLowerCase()}|beridze`,
        sex: 'unknown',
        date_of_birth: member.birthYear === undefined ? (member.dateOfBirth ?? '1985-04-12') : null,
        birth_year: member.birthYear ?? null,
        nationality: 'GE',
        created_by: 'fixture',
      })
      .execute()
  }
  return { caseId, memberIds }
}

export async function lineBalance(db: Kysely<DB>, lineId: string): Promise<{ allocated: number; committed: number; spent: number }> {
  const line = await db
    .selectFrom('budget_lines')
    .select(['allocated_minor', 'committed_minor', 'spent_minor'])
    .where('id', '=', lineId)
    .executeTakeFirstOrThrow()
  return { allocated: Number(line.allocated_minor), committed: Number(line.committed_minor), spent: Number(line.spent_minor) }
}

export async function ledgerOf(db: Kysely<DB>, lineId: string): Promise<Array<{ kind: string; amount: number; payment_request_id: string | null }>> {
  const rows = await db
    .selectFrom('ledger_entries')
    .select(['kind', 'amount_minor', 'payment_request_id'])
    .where('budget_line_id', '=', lineId)
    .orderBy('id')
    .execute()
  return rows.map((row) => ({ kind: row.kind, amount: Number(row.amount_minor), payment_request_id: row.payment_request_id }))
}

export async function auditActions(db: Kysely<DB>, entityId: string): Promise<string[]> {
  const rows = await db.selectFrom('audit_events').select('action').where('entity_id', '=', entityId).orderBy('id').execute()
  return rows.map((row) => row.action)
}

export async function outboxTypes(db: Kysely<DB>, entityId: string): Promise<string[]> {
  const rows = await db.selectFrom('outbox_events').select('event_type').where('entity_id', '=', entityId).orderBy('sequence').execute()
  return rows.map((row) => row.event_type)
}
