import type { Kysely, Transaction } from 'kysely'
import type { CaseStatus, DB } from '../../db/schema.js'
import { type AuditInput, recordChange } from '../../shared/audit.js'
import type { RequestContext } from '../../shared/context.js'
import { newId } from '../../shared/ids.js'
import { mapPage, type Page, type PageRequest } from '../../shared/pagination.js'
import { ProblemError, conflict, invalidField, notFound, unprocessable } from '../../shared/problems.js'
import { isPartnerOnly, type Actor } from '../../shared/roles.js'
import { findCaseForActor, listCaseMembers, type ReturnCaseRow, lockOpenCase } from '../return-cases/index.js'
import type {
  CreateMonitoringVisitInput,
  CreateSatisfactionSurveyInput,
  CreateSustainabilityAssessmentInput,
  CreateSustainabilityInstrumentInput,
  MonitoringVisitRecord,
  SatisfactionSurveyRecord,
  SustainabilityAssessmentRecord,
  SustainabilityInstrumentRecord,
} from './schemas.js'
import * as repository from './repository.js'
import type { AssessmentRow, InstrumentRow, SurveyRow, VisitRow } from './repository.js'
import { answerErrors, definitionErrors, scoreAnswers, toPoints } from './scoring.js'
import { todayIso } from '../../shared/dates.js'
import { isPlanOfCase } from '../reintegration/index.js'
import { pick } from '../../shared/objects.js'


/** Monitoring follows the return: it is recorded once the returnees have arrived, until the case is closed. */
const MONITORED_CASE_STATUSES: readonly CaseStatus[] = ['arrived', 'in_reintegration']

const iso = (value: Date) => value.toISOString()
async function monitoredCase(db: Transaction<DB>, context: RequestContext, caseId: string): Promise<ReturnCaseRow> {
  // The case lock orders these inserts after a concurrent closure (and numbers assessments one at a time).
  const caseRow = await lockOpenCase(db, context.actor, caseId)
  if (!MONITORED_CASE_STATUSES.includes(caseRow.status)) {
    throw conflict(`Monitoring is recorded after return; return case ${caseRow.reference} is ${caseRow.status}`, {
      current_status: caseRow.status,
      allowed_case_statuses: MONITORED_CASE_STATUSES,
    })
  }
  return caseRow
}

async function assertMember(db: Kysely<DB>, caseRow: ReturnCaseRow, memberId: string): Promise<void> {
  const members = await listCaseMembers(db, caseRow.id)
  if (!members.some((member) => member.id === memberId)) {
    throw unprocessable(`Member ${memberId} is not in the household of case ${caseRow.reference}`, [{ pointer: '/body/member_id', detail: 'not a member of this case' }])
  }
}

function assertNotInFuture(date: string, pointer: string): void {
  if (date > todayIso()) throw invalidField(pointer, 'must not be in the future')
}

async function record(db: Transaction<DB>, context: RequestContext, audit: AuditInput & { caseId: string }, payload: Record<string, unknown>): Promise<void> {
  await recordChange(db, context, { ...audit, payload })
}

/** A new record of a case, returned once audited whole with its free-text field masked and `<entityType>.recorded` emitted without that field. */
async function recordNew<Created extends { id: string; case_id: string }>(
  db: Transaction<DB>,
  context: RequestContext,
  entityType: string,
  created: Created,
  masked: keyof Created & string,
): Promise<Created> {
  const { [masked]: _masked, ...payload } = created
  await record(db, context, { action: `${entityType}.recorded`, entityType, entityId: created.id, caseId: created.case_id, after: created, maskedFields: [masked] }, payload)
  return created
}

// ---------------------------------------------------------------- monitoring visits

function toVisit(row: VisitRow): MonitoringVisitRecord {
  return {
    ...pick(row, ['id', 'case_id', 'plan_id', 'visited_on', 'visited_by', 'mode', 'findings', 'activity_running', 'recorded_by', 'recorded_by_office_id']),
    created_at: iso(row.created_at),
  }
}

/** Records a monitoring visit: the partner office of the case, or country-office staff. */
export async function createVisit(db: Transaction<DB>, context: RequestContext, caseId: string, input: CreateMonitoringVisitInput): Promise<MonitoringVisitRecord> {
  const caseRow = await monitoredCase(db, context, caseId)
  assertNotInFuture(input.visited_on, '/body/visited_on')
  if (input.plan_id) {
    if (!(await isPlanOfCase(db, caseRow.id, input.plan_id))) throw unprocessable(`Plan ${input.plan_id} is not a reintegration plan of case ${caseRow.reference}`, [{ pointer: '/body/plan_id', detail: 'not a plan of this case' }])
    if (input.activity_running === undefined || input.activity_running === null) {
      throw unprocessable('A visit that follows up a plan says whether its activity is running', [{ pointer: '/body/activity_running', detail: 'required with plan_id' }])
    }
  }
  const row = await repository.insertVisit(db, {
      id: newId(),
      case_id: caseRow.id,
      plan_id: input.plan_id ?? null,
      visited_on: input.visited_on,
      visited_by: input.visited_by.trim(),
      mode: input.mode,
      findings: input.findings.trim(),
      activity_running: input.activity_running ?? null,
      recorded_by: context.actor.sub,
    recorded_by_office_id: isPartnerOnly(context.actor) ? caseRow.partner_office_id : null,
  })
  return recordNew(db, context, 'monitoring_visit', toVisit(row), 'findings')
}

export async function listVisits(db: Kysely<DB>, actor: Actor, caseId: string, page: PageRequest): Promise<Page<MonitoringVisitRecord>> {
  const caseRow = await findCaseForActor(db, actor, caseId)
  return mapPage(await repository.visitPage(db, caseRow.id, page), toVisit)
}

export async function getVisit(db: Kysely<DB>, actor: Actor, caseId: string, visitId: string): Promise<MonitoringVisitRecord> {
  const caseRow = await findCaseForActor(db, actor, caseId)
  const row = await repository.findVisit(db, caseRow.id, visitId)
  if (!row) throw notFound('Monitoring visit', visitId)
  return toVisit(row)
}

// ---------------------------------------------------------------- satisfaction surveys

function toSurvey(row: SurveyRow): SatisfactionSurveyRecord {
  return {
    ...pick(row, ['id', 'case_id', 'member_id', 'surveyed_on', 'comments', 'recorded_by']),
    counselling: row.counselling_score,
    travel_arrangements: row.travel_score,
    reintegration_assistance: row.reintegration_score,
    created_at: iso(row.created_at),
  }
}

/** Records a returnee's satisfaction survey, once per returnee (409 `duplicate-resource` after). */
export async function createSurvey(db: Transaction<DB>, context: RequestContext, caseId: string, input: CreateSatisfactionSurveyInput): Promise<SatisfactionSurveyRecord> {
  const caseRow = await monitoredCase(db, context, caseId)
  await assertMember(db, caseRow, input.member_id)
  assertNotInFuture(input.surveyed_on, '/body/surveyed_on')
  const existing = await repository.surveyOfMember(db, input.member_id)
  if (existing) {
    throw new ProblemError('duplicate-resource', `Returnee ${input.member_id} already answered survey ${existing.id}`, {
      existing_id: existing.id,
      errors: [{ pointer: '/body/member_id', detail: 'already surveyed' }],
    })
  }
  const row = await repository.insertSurvey(db, {
      id: newId(),
      case_id: caseRow.id,
      member_id: input.member_id,
      surveyed_on: input.surveyed_on,
      counselling_score: input.counselling,
      travel_score: input.travel_arrangements,
      reintegration_score: input.reintegration_assistance ?? null,
      comments: input.comments?.trim() ?? null,
    recorded_by: context.actor.sub,
  })
  return recordNew(db, context, 'satisfaction_survey', toSurvey(row), 'comments')
}

export async function listSurveys(db: Kysely<DB>, actor: Actor, caseId: string, page: PageRequest): Promise<Page<SatisfactionSurveyRecord>> {
  const caseRow = await findCaseForActor(db, actor, caseId)
  return mapPage(await repository.surveyPage(db, caseRow.id, page), toSurvey)
}

// ---------------------------------------------------------------- sustainability instruments

function toInstrument(row: InstrumentRow): SustainabilityInstrumentRecord {
  return {
    version: row.version,
    valid_from: row.valid_from,
    description: row.description,
    definition: row.definition,
    created_by: row.created_by,
    created_at: iso(row.created_at),
  }
}

/** Adds a version of the instrument; versions never change, and a new one applies from `valid_from` (today or later). */
export async function createInstrument(db: Transaction<DB>, context: RequestContext, input: CreateSustainabilityInstrumentInput): Promise<SustainabilityInstrumentRecord> {
  const errors = definitionErrors(input.definition, '/body/definition')
  if (errors.length > 0) throw unprocessable('The instrument definition is not consistent', errors)
  if (input.valid_from < todayIso()) throw unprocessable('A new version cannot apply in the past', [{ pointer: '/body/valid_from', detail: 'must be today or later' }])
  if (await repository.instrumentByVersion(db, input.version)) {
    throw new ProblemError('duplicate-resource', `Instrument ${input.version} already exists`, { errors: [{ pointer: '/body/version', detail: 'already exists' }] })
  }
  const clash = await repository.instrumentValidFrom(db, input.valid_from)
  if (clash) {
    throw new ProblemError('duplicate-resource', `Instrument ${clash.version} already applies from ${input.valid_from}`, {
      errors: [{ pointer: '/body/valid_from', detail: 'another version applies from that day' }],
    })
  }
  const row = await repository.insertInstrument(db, {
    version: input.version,
    valid_from: input.valid_from,
    description: input.description.trim(),
    definition: JSON.stringify(input.definition),
    created_by: context.actor.sub,
  })
  const instrument = toInstrument(row)
  await recordChange(db, context, { action: 'sustainability_instrument.created', entityType: 'sustainability_instrument', entityId: row.version, after: instrument, payload: instrument })
  return instrument
}

export async function listInstruments(db: Kysely<DB>): Promise<{ items: SustainabilityInstrumentRecord[] }> {
  return { items: (await repository.allInstruments(db)).map(toInstrument) }
}

export async function getInstrument(db: Kysely<DB>, version: string): Promise<SustainabilityInstrumentRecord> {
  const row = await repository.instrumentByVersion(db, version)
  if (!row) throw notFound('Sustainability instrument', version)
  return toInstrument(row)
}

// ---------------------------------------------------------------- sustainability assessments

function scoresOf(row: AssessmentRow) {
  return {
    economic: toPoints(row.economic_score),
    social: toPoints(row.social_score),
    psychosocial: toPoints(row.psychosocial_score),
    composite: toPoints(row.composite_score),
  }
}

function toAssessment(row: AssessmentRow, baseline: AssessmentRow | undefined): SustainabilityAssessmentRecord {
  const followUp = baseline !== undefined && baseline.id !== row.id
  return {
    id: row.id,
    case_id: row.case_id,
    member_id: row.member_id,
    sequence: row.sequence,
    is_baseline: row.sequence === 1,
    assessed_on: row.assessed_on,
    instrument_version: row.instrument_version,
    answers: row.answers,
    scores: scoresOf(row),
    baseline: followUp ? { assessment_id: baseline.id, assessed_on: baseline.assessed_on, instrument_version: baseline.instrument_version, scores: scoresOf(baseline) } : null,
    change_from_baseline: followUp
      ? {
          economic: toPoints(row.economic_score - baseline.economic_score),
          social: toPoints(row.social_score - baseline.social_score),
          psychosocial: toPoints(row.psychosocial_score - baseline.psychosocial_score),
          composite: toPoints(row.composite_score - baseline.composite_score),
          same_instrument: row.instrument_version === baseline.instrument_version,
        }
      : null,
    notes: row.notes,
    recorded_by: row.recorded_by,
    created_at: iso(row.created_at),
  }
}

/**
 * Scores a returnee's answers with the instrument given (or the one in force on the date) and
 * records the assessment: the returnee's first is the baseline, later ones are follow-ups compared
 * with it. Follow-ups are not dated before the returnee's previous assessment.
 */
export async function createAssessment(
  db: Transaction<DB>,
  context: RequestContext,
  caseId: string,
  input: CreateSustainabilityAssessmentInput,
): Promise<SustainabilityAssessmentRecord> {
  const caseRow = await monitoredCase(db, context, caseId)
  await assertMember(db, caseRow, input.member_id)
  assertNotInFuture(input.assessed_on, '/body/assessed_on')
  const instrument = input.instrument_version
    ? await repository.instrumentByVersion(db, input.instrument_version)
    : await repository.instrumentInForce(db, input.assessed_on)
  if (!instrument) {
    throw unprocessable(`No sustainability instrument ${input.instrument_version ?? `applies on ${input.assessed_on}`}`, [
      { pointer: input.instrument_version ? '/body/instrument_version' : '/body/assessed_on', detail: 'no such instrument' },
    ])
  }
  const errors = answerErrors(instrument.definition, input.answers, '/body/answers')
  if (errors.length > 0) throw unprocessable(`The answers do not fit instrument ${instrument.version}`, errors)
  const previous = await repository.latestAssessmentOf(db, input.member_id)
  if (previous && input.assessed_on < previous.assessed_on) {
    throw invalidField('/body/assessed_on', `must not be before the returnee's previous assessment (${previous.assessed_on})`)
  }
  const scores = scoreAnswers(instrument.definition, input.answers)
  const row = await repository.insertAssessment(db, {
      id: newId(),
      case_id: caseRow.id,
      member_id: input.member_id,
      sequence: (previous?.sequence ?? 0) + 1,
      assessed_on: input.assessed_on,
      instrument_version: instrument.version,
      answers: JSON.stringify(input.answers),
      economic_score: scores.economic,
      social_score: scores.social,
      psychosocial_score: scores.psychosocial,
      composite_score: scores.composite,
      notes: input.notes?.trim() ?? null,
    recorded_by: context.actor.sub,
  })
  const assessment = toAssessment(row, (await repository.baselinesOf(db, [row.member_id])).get(row.member_id))
  const { answers: _answers, notes: _notes, ...payload } = assessment
  await record(
    db,
    context,
    {
      action: 'sustainability_assessment.recorded',
      entityType: 'sustainability_assessment',
      entityId: row.id,
      caseId: caseRow.id,
      after: { member_id: row.member_id, sequence: row.sequence, assessed_on: row.assessed_on, instrument_version: row.instrument_version, answers: row.answers, scores: assessment.scores, notes: row.notes },
      maskedFields: ['answers', 'notes'],
    },
    payload,
  )
  return assessment
}

export async function listAssessments(
  db: Kysely<DB>,
  actor: Actor,
  caseId: string,
  filter: PageRequest & { member_id?: string },
): Promise<Page<SustainabilityAssessmentRecord>> {
  const caseRow = await findCaseForActor(db, actor, caseId)
  const page = await repository.assessmentPage(db, caseRow.id, filter)
  const baselines = await repository.baselinesOf(db, page.items.map((row) => row.member_id))
  return mapPage(page, (row) => toAssessment(row, baselines.get(row.member_id)))
}

export async function getAssessment(db: Kysely<DB>, actor: Actor, caseId: string, assessmentId: string): Promise<SustainabilityAssessmentRecord> {
  const caseRow = await findCaseForActor(db, actor, caseId)
  const row = await repository.findAssessment(db, caseRow.id, assessmentId)
  if (!row) throw notFound('Sustainability assessment', assessmentId)
  return toAssessment(row, (await repository.baselinesOf(db, [row.member_id])).get(row.member_id))
}
