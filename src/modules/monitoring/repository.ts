import type { Insertable, Kysely, Selectable } from 'kysely'
import type { DB, MonitoringVisitsTable, SatisfactionSurveysTable, SustainabilityAssessmentsTable, SustainabilityInstrumentsTable } from '../../db/schema.js'
import { UUID_PATTERN } from '../../shared/ids.js'
import { paginate, type Page, type PageRequest } from '../../shared/pagination.js'
import { insertRow } from '../../shared/rows.js'

export type VisitRow = Selectable<MonitoringVisitsTable>
export type SurveyRow = Selectable<SatisfactionSurveysTable>
export type InstrumentRow = Selectable<SustainabilityInstrumentsTable>
export type AssessmentRow = Selectable<SustainabilityAssessmentsTable>

// ---------------------------------------------------------------- monitoring visits

export async function insertVisit(db: Kysely<DB>, values: Insertable<MonitoringVisitsTable>): Promise<VisitRow> {
  return insertRow(db, 'monitoring_visits', values)
}

export async function visitPage(db: Kysely<DB>, caseId: string, page: PageRequest): Promise<Page<VisitRow>> {
  return paginate(db.selectFrom('monitoring_visits').selectAll().where('case_id', '=', caseId), page)
}

export async function findVisit(db: Kysely<DB>, caseId: string, visitId: string): Promise<VisitRow | undefined> {
  if (!UUID_PATTERN.test(visitId)) return undefined
  return db.selectFrom('monitoring_visits').selectAll().where('id', '=', visitId).where('case_id', '=', caseId).executeTakeFirst()
}

// ---------------------------------------------------------------- satisfaction surveys

export async function surveyOfMember(db: Kysely<DB>, memberId: string): Promise<{ id: string } | undefined> {
  return db.selectFrom('satisfaction_surveys').select('id').where('member_id', '=', memberId).executeTakeFirst()
}

export async function insertSurvey(db: Kysely<DB>, values: Insertable<SatisfactionSurveysTable>): Promise<SurveyRow> {
  return insertRow(db, 'satisfaction_surveys', values)
}

export async function surveyPage(db: Kysely<DB>, caseId: string, page: PageRequest): Promise<Page<SurveyRow>> {
  return paginate(db.selectFrom('satisfaction_surveys').selectAll().where('case_id', '=', caseId), page)
}

// ---------------------------------------------------------------- sustainability instruments

export async function instrumentByVersion(db: Kysely<DB>, version: string): Promise<InstrumentRow | undefined> {
  return db.selectFrom('sustainability_instruments').selectAll().where('version', '=', version).executeTakeFirst()
}

export async function instrumentValidFrom(db: Kysely<DB>, validFrom: string): Promise<{ version: string } | undefined> {
  return db.selectFrom('sustainability_instruments').select('version').where('valid_from', '=', validFrom).executeTakeFirst()
}

/** The instrument in force on a date: the latest `valid_from` not after it. */
export async function instrumentInForce(db: Kysely<DB>, onDate: string): Promise<InstrumentRow | undefined> {
  return db.selectFrom('sustainability_instruments').selectAll().where('valid_from', '<=', onDate).orderBy('valid_from', 'desc').limit(1).executeTakeFirst()
}

export async function insertInstrument(db: Kysely<DB>, values: Insertable<SustainabilityInstrumentsTable>): Promise<InstrumentRow> {
  return insertRow(db, 'sustainability_instruments', values)
}

export async function allInstruments(db: Kysely<DB>): Promise<InstrumentRow[]> {
  return db.selectFrom('sustainability_instruments').selectAll().orderBy('valid_from').execute()
}

// ---------------------------------------------------------------- sustainability assessments

/** The returnee's latest assessment (the highest sequence), if any. */
export async function latestAssessmentOf(db: Kysely<DB>, memberId: string): Promise<Pick<AssessmentRow, 'sequence' | 'assessed_on'> | undefined> {
  return db
    .selectFrom('sustainability_assessments')
    .select(['sequence', 'assessed_on'])
    .where('member_id', '=', memberId)
    .orderBy('sequence', 'desc')
    .limit(1)
    .executeTakeFirst()
}

export async function insertAssessment(db: Kysely<DB>, values: Insertable<SustainabilityAssessmentsTable>): Promise<AssessmentRow> {
  return insertRow(db, 'sustainability_assessments', values)
}

/** Each returnee's first assessment (sequence 1): the baseline follow-ups are compared with. */
export async function baselinesOf(db: Kysely<DB>, memberIds: readonly string[]): Promise<Map<string, AssessmentRow>> {
  if (memberIds.length === 0) return new Map()
  const rows = await db.selectFrom('sustainability_assessments').selectAll().where('member_id', 'in', [...new Set(memberIds)]).where('sequence', '=', 1).execute()
  return new Map(rows.map((row) => [row.member_id, row]))
}

export async function assessmentPage(db: Kysely<DB>, caseId: string, page: PageRequest & { member_id?: string }): Promise<Page<AssessmentRow>> {
  let query = db.selectFrom('sustainability_assessments').selectAll().where('case_id', '=', caseId)
  if (page.member_id) query = query.where('member_id', '=', page.member_id)
  return paginate(query, page)
}

export async function findAssessment(db: Kysely<DB>, caseId: string, assessmentId: string): Promise<AssessmentRow | undefined> {
  if (!UUID_PATTERN.test(assessmentId)) return undefined
  return db.selectFrom('sustainability_assessments').selectAll().where('id', '=', assessmentId).where('case_id', '=', caseId).executeTakeFirst()
}

/** Surveys and assessments naming a household member (a member they name cannot be removed). */
export async function monitoringRecordsOfMember(db: Kysely<DB>, memberId: string): Promise<Record<string, string[]>> {
  const surveys = await db.selectFrom('satisfaction_surveys').select('id').where('member_id', '=', memberId).orderBy('id').execute()
  const assessments = await db.selectFrom('sustainability_assessments').select('id').where('member_id', '=', memberId).orderBy('id').execute()
  return { satisfaction_surveys: surveys.map((row) => row.id), sustainability_assessments: assessments.map((row) => row.id) }
}
