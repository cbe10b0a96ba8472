import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'
import { RESTRICTED_CODES } from './restricted.js'

/**
 * The columns of household members and their cases that figures group and filter by, as a
 * derived table to join on `member_id` (`innerJoin(returneeFacts(db).as('f'), 'f.member_id', …)`).
 * No names, no documents: what a statistic may count, never who.
 */
export function returneeFacts(db: Kysely<DB>) {
  return db
    .selectFrom('case_members as m')
    .innerJoin('return_cases as c', 'c.id', 'm.case_id')
    .select([
      'm.id as member_id',
      'm.case_id',
      'm.is_principal',
      'm.sex',
      'm.date_of_birth',
      'm.birth_year',
      'c.office_id',
      'c.partner_office_id',
      'c.project_id',
      'c.country_of_return',
      'c.legal_status',
    ])
}

/**
 * The vulnerability codes recorded per member, as a derived table. Restricted codes (victim of
 * trafficking) are left out unless the caller may count them: a figure never shows, not even as
 * a difference between totals, what its reader may not see.
 */
export function vulnerabilityFacts(db: Kysely<DB>, options: { includeRestricted: boolean }) {
  const query = db.selectFrom('member_vulnerabilities').select(['member_id', 'case_id', 'code'])
  return options.includeRestricted ? query : query.where('code', 'not in', [...RESTRICTED_CODES])
}
