export const ROLES = [
  'counsellor',
  'operations',
  'finance',
  'approver',
  'protection',
  'auditor',
  'admin',
  'partner',
  'integration',
] as const

export type Role = (typeof ROLES)[number]

/** Country-office staff and systems: everyone but partner offices. */
export const STAFF_ROLES: readonly Role[] = ['counsellor', 'operations', 'finance', 'approver', 'protection', 'auditor', 'admin', 'integration']

export const ALL_ROLES: readonly Role[] = ROLES

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value)
}

/** Who is calling, taken from the verified token. */
export interface Actor {
  sub: string
  roles: Role[]
  /** Set for partner users: the partner office they act for. */
  officeId: string | null
}

export function hasRole(actor: Actor, ...roles: Role[]): boolean {
  return actor.roles.some((role) => roles.includes(role))
}

/**
 * A caller restricted to one partner office's cases: holds `partner` and no staff role.
 * A user who is also staff keeps the staff view.
 */
export function isPartnerOnly(actor: Actor): boolean {
  return actor.roles.includes('partner') && !actor.roles.some((role) => STAFF_ROLES.includes(role))
}
