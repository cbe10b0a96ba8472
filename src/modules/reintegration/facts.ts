import { sql, type Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'

/**
 * Reintegration as figures count it: one row per approved plan (every plan was approved), for the
 * whole household (`member_id` null) or one returnee, with its form of help and the date of its
 * first delivery confirmed by the partner office (null while nothing was delivered).
 */
export function reintegrationReach(db: Kysely<DB>) {
  return db
    .selectFrom('reintegration_plans as p')
    .innerJoin('reintegration_requests as r', 'r.id', 'p.request_id')
    .select([
      'p.id as plan_id',
      'p.case_id',
      'r.member_id',
      'r.form_of_help',
      sql<string | null>`(select min(d.delivered_on) from reintegration_disbursements d where d.plan_id = p.id and d.delivered_on is not null)`.as('first_delivered_on'),
    ])
}
