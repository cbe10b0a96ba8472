import type { Kysely, Transaction } from 'kysely'
import type { DB } from '../../db/schema.js'
import { recordChange } from '../../shared/audit.js'
import type { RequestContext } from '../../shared/context.js'
import { ProblemError, notFound, unprocessable } from '../../shared/problems.js'
import { configurationByVersion, toScoringConfiguration } from './scoring.js'
import type { CreateScoringConfigurationInput, ScoringConfigurationRecord } from './schemas.js'
import { todayIso } from '../../shared/dates.js'

/**
 * Adds a version of the selection weights. Versions are never edited or removed (the table refuses
 * it): a new one takes over from its `valid_from`, which may not be in the past, so a ranking
 * computed earlier can always be recomputed with the weights it used.
 */
export async function createScoringConfiguration(db: Transaction<DB>, context: RequestContext, input: CreateScoringConfigurationInput): Promise<ScoringConfigurationRecord> {
  const { feasibility, urgency, motivation } = input.weights
  if (feasibility + urgency + motivation !== 100) {
    throw unprocessable(`The weights sum to ${feasibility + urgency + motivation} %, not 100 %`, [{ pointer: '/body/weights', detail: 'must sum to 100' }])
  }
  if (input.valid_from < todayIso()) throw unprocessable('A new version cannot take effect in the past', [{ pointer: '/body/valid_from', detail: 'must be today or later' }])
  if (await configurationByVersion(db, input.version)) {
    throw new ProblemError('duplicate-resource', `Scoring configuration ${input.version} already exists`, { errors: [{ pointer: '/body/version', detail: 'already exists' }] })
  }
  const clash = await db.selectFrom('reintegration_scoring_configurations').select('version').where('valid_from', '=', input.valid_from).executeTakeFirst()
  if (clash) {
    throw new ProblemError('duplicate-resource', `Version ${clash.version} already takes effect on ${input.valid_from}`, {
      errors: [{ pointer: '/body/valid_from', detail: 'another version takes effect that day' }],
    })
  }
  const row = await db
    .insertInto('reintegration_scoring_configurations')
    .values({
      version: input.version,
      valid_from: input.valid_from,
      feasibility_weight: feasibility,
      urgency_weight: urgency,
      motivation_weight: motivation,
      description: input.description.trim(),
      created_by: context.actor.sub,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
  const record = toScoringConfiguration(row)
  await recordChange(db, context, { action: 'reintegration_scoring_configuration.created', entityType: 'reintegration_scoring_configuration', entityId: row.version, after: record, payload: record })
  return record
}

export async function listScoringConfigurations(db: Kysely<DB>): Promise<{ items: ScoringConfigurationRecord[] }> {
  const rows = await db.selectFrom('reintegration_scoring_configurations').selectAll().orderBy('valid_from').execute()
  return { items: rows.map(toScoringConfiguration) }
}

export async function getScoringConfiguration(db: Kysely<DB>, version: string): Promise<ScoringConfigurationRecord> {
  const row = await configurationByVersion(db, version)
  if (!row) throw notFound('Scoring configuration', version)
  return toScoringConfiguration(row)
}
