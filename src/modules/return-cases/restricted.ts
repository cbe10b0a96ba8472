import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'
import type { AuditInput } from '../../shared/audit.js'
import type { RequestContext } from '../../shared/context.js'
import { hasRole, type Actor } from '../../shared/roles.js'
import type { VulnerabilityRecord } from './schemas.js'
import type { VulnerabilityRow } from './repository.js'
import { recordAudits } from '../../shared/audit.js'

/**
 * Victim-of-trafficking entries get the strictest access: only `protection` staff and the person
 * who recorded an entry see it; everyone else sees the code `restricted` and no detail, in every
 * response and in the audit trail and event payloads. Every disclosure is itself audited.
 */
export const RESTRICTED_CODES: ReadonlySet<string> = new Set(['victim_of_trafficking'])
export const RESTRICTED = 'restricted'
export const RESTRICTED_READ_ACTION = 'vulnerability.restricted_read'

export function isRestrictedCode(code: string): boolean {
  return RESTRICTED_CODES.has(code)
}

export function maySeeRestricted(actor: Actor, recordedBy: string): boolean {
  return hasRole(actor, 'protection') || actor.sub === recordedBy
}

/** A vulnerability entry as stored or as loaded with its member (`recorded_at` then an ISO string). */
type VulnerabilityLike = Omit<VulnerabilityRow, 'recorded_at' | 'updated_at'> & { recorded_at: string | Date }

/** Collects the restricted entries a response discloses, to audit them once it is built. */
export class Disclosures {
  private readonly disclosed = new Map<string, { caseId: string; memberId: string }>()

  add(entry: { id: string; case_id: string; member_id: string }): void {
    this.disclosed.set(entry.id, { caseId: entry.case_id, memberId: entry.member_id })
  }

  get size(): number {
    return this.disclosed.size
  }

  auditInputs(): AuditInput[] {
    return [...this.disclosed].map(([id, { caseId, memberId }]) => ({
      action: RESTRICTED_READ_ACTION,
      entityType: 'member_vulnerability',
      entityId: id,
      caseId,
      after: { member_id: memberId },
    }))
  }
}

/** The code the actor sees for an entry (disclosing it when restricted and visible). */
export function shownCode(actor: Actor, entry: Pick<VulnerabilityLike, 'id' | 'case_id' | 'member_id' | 'code' | 'recorded_by'>, disclosures: Disclosures): string {
  if (!isRestrictedCode(entry.code)) return entry.code
  if (!maySeeRestricted(actor, entry.recorded_by)) return RESTRICTED
  disclosures.add(entry)
  return entry.code
}

export function presentVulnerability(actor: Actor, entry: VulnerabilityLike, disclosures: Disclosures): VulnerabilityRecord {
  const code = shownCode(actor, entry, disclosures)
  if (code === RESTRICTED) {
    return { id: entry.id, member_id: entry.member_id, code, restricted: true, notes: null, escort_needed: null, recorded_by: null, recorded_at: null, version: null }
  }
  return {
    id: entry.id,
    member_id: entry.member_id,
    code: code as VulnerabilityRecord['code'],
    restricted: false,
    notes: entry.notes,
    escort_needed: entry.escort_needed,
    recorded_by: entry.recorded_by,
    recorded_at: entry.recorded_at instanceof Date ? entry.recorded_at.toISOString() : entry.recorded_at,
    version: entry.version,
  }
}

/** Writes one audit entry per restricted entry disclosed; with the write's transaction, or app.db for reads. */
export async function recordDisclosures(db: Kysely<DB>, context: RequestContext, disclosures: Disclosures): Promise<void> {
  if (disclosures.size > 0) await recordAudits(db, context, disclosures.auditInputs())
}

/** How a vulnerability entry appears in the audit trail: notes are always personal; restricted codes are hidden too. */
export function vulnerabilityAuditShape(entry: { member_id: string; code: string; notes: string | null; escort_needed: boolean | null }): {
  snapshot: Record<string, unknown>
  maskedFields: string[]
} {
  return {
    snapshot: { member_id: entry.member_id, code: entry.code, notes: entry.notes, escort_needed: entry.escort_needed },
    maskedFields: isRestrictedCode(entry.code) ? ['code', 'notes', 'escort_needed'] : ['notes'],
  }
}

/** Event payloads leave the service (partner tools sync from them): restricted codes never appear. */
export function vulnerabilityEventPayload(entry: { id: string; case_id: string; member_id: string; code: string }): Record<string, unknown> {
  return { id: entry.id, case_id: entry.case_id, member_id: entry.member_id, code: isRestrictedCode(entry.code) ? RESTRICTED : entry.code }
}
