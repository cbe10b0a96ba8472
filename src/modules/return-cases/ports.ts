import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'
import { Port } from '../../shared/port.js'

/** Ids of some records of a case, oldest first. */
export type CaseRecords = (db: Kysely<DB>, caseId: string) => Promise<string[]>

/** The records of one module that name a household member, as kind (their table) → ids; kinds with none are left out. */
export type MemberRecords = (db: Kysely<DB>, memberId: string) => Promise<Record<string, string[]>>

/**
 * What other modules keep about a case or a member, asked before a case is withdrawn or closed
 * and before a member is removed. The modules that own those records answer (wired in
 * src/modules/index.ts): return-cases never reads their tables.
 */
export interface CaseDependents {
  /** Payment requests that still hold or may still draw money (requested, awaiting a second approval, approved). */
  livePaymentRequests: CaseRecords
  /** Active reintegration plans. */
  activeReintegrationPlans: CaseRecords
  /** One answer per module whose records name household members. */
  recordsNamingMember: readonly MemberRecords[]
}

export const caseDependents = new Port<CaseDependents>('what still depends on this return case or household member?')

export function wireCaseDependents(dependents: CaseDependents): void {
  caseDependents.provide(dependents)
}

/** Every record naming the member, by kind in alphabetical order (the foreign keys that would refuse removing them). */
export async function recordsOfMember(db: Kysely<DB>, memberId: string): Promise<Record<string, string[]>> {
  const found: Record<string, string[]> = {}
  for (const records of caseDependents.get().recordsNamingMember) Object.assign(found, await records(db, memberId))
  return Object.fromEntries(Object.entries(found).filter(([, ids]) => ids.length > 0).sort(([a], [b]) => (a < b ? -1 : 1)))
}

/** What still holds or may still draw money for a case: what a withdrawal must not leave behind. */
export async function liveMoneyOfCase(db: Kysely<DB>, caseId: string): Promise<{ payment_request_ids: string[]; reintegration_plan_ids: string[] }> {
  const dependents = caseDependents.get()
  return { payment_request_ids: await dependents.livePaymentRequests(db, caseId), reintegration_plan_ids: await dependents.activeReintegrationPlans(db, caseId) }
}
