import type { RequestContext } from '../../shared/context.js'
import type { Role } from '../../shared/roles.js'

/** The context a seed step acts in: the subject and roles of the token it stands for, and the office it is tied to, if any. */
export const seedContext = (sub: string, roles: Role[], officeId: string | null = null): RequestContext => ({ actor: { sub, roles, officeId }, requestId: 'seed' })

/** The people the seed steps act as, the same in every module so the audit trail reads as one programme's work. */
export const ADMIN = seedContext('seed', ['admin'])
export const COUNSELLOR = seedContext('seed-counsellor', ['counsellor'])
export const APPROVER = seedContext('seed-approver', ['approver'])
/** Payments above a project's threshold need a second approver. */
export const SECOND_APPROVER = seedContext('seed-programme-manager', ['approver'])
export const OPERATIONS = seedContext('seed-operations', ['operations'])
export const FINANCE = seedContext('seed-finance', ['finance'])

/** Staff of the partner office `officeId`, named `seed-partner-{name}` (the country of return, or the office id). */
export const seedPartner = (officeId: string, name: string = officeId) => seedContext(`seed-partner-${name}`, ['partner'], officeId)
