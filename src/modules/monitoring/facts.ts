import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'

/**
 * Satisfaction is asked on a five-point scale (1 very dissatisfied … 5 very satisfied); an answer
 * at or above this threshold (satisfied, very satisfied) counts as satisfied.
 */
export const SATISFIED_AT_OR_ABOVE = 4

/** The survey answers per returnee (one survey each), as a derived table; no comments. */
export function satisfactionAnswers(db: Kysely<DB>) {
  return db
    .selectFrom('satisfaction_surveys')
    .select(['case_id', 'member_id', 'surveyed_on', 'counselling_score', 'travel_score', 'reintegration_score'])
}

/** The sustainability scores per assessment (0-10000, hundredths of a point on 0-100), as a derived table. */
export function sustainabilityScores(db: Kysely<DB>) {
  return db
    .selectFrom('sustainability_assessments')
    .select(['case_id', 'member_id', 'sequence', 'assessed_on', 'instrument_version', 'economic_score', 'social_score', 'psychosocial_score'])
}
