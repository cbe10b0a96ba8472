import type { Kysely, Selectable, Transaction } from 'kysely'
import type { CounsellingSessionsTable, DB } from '../../db/schema.js'
import type { RequestContext } from '../../shared/context.js'
import { assertVersion } from '../../shared/etag.js'
import { newId } from '../../shared/ids.js'
import { emitEvent } from '../../shared/outbox.js'
import { paginate, type Page } from '../../shared/pagination.js'
import { ProblemError, invalidField } from '../../shared/problems.js'
import { findCaseForActor, lockOpenCase } from './access.js'
import type { CounsellingSessionInputValue, CounsellingSessionRecord, CounsellingSessionUpdateInput } from './schemas.js'
import { todayIso } from '../../shared/dates.js'
import { recordAudits } from '../../shared/audit.js'
import { updateVersioned } from '../../shared/rows.js'
import { pick } from '../../shared/objects.js'

type SessionRow = Selectable<CounsellingSessionsTable>

/** What was said in counselling is personal: the audit trail records that it changed, not what it says. */
const SESSION_MASKED = ['outcome', 'next_steps']

function toSession(row: SessionRow): CounsellingSessionRecord {
  return {
    ...pick(row, ['id', 'case_id', 'held_on', 'counsellor', 'interpreter_language', 'outcome', 'next_steps', 'created_by', 'version']),
    mode: row.mode as CounsellingSessionRecord['mode'],
    topics: row.topics as CounsellingSessionRecord['topics'],
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  }
}

function snapshot(row: SessionRow): Record<string, unknown> {
  return pick(row, ['held_on', 'counsellor', 'mode', 'interpreter_language', 'topics', 'outcome', 'next_steps'])
}

function eventPayload(row: SessionRow): Record<string, unknown> {
  return { id: row.id, case_id: row.case_id, held_on: row.held_on, counsellor: row.counsellor, mode: row.mode, topics: row.topics, version: row.version }
}

function assertHeldNotInFuture(heldOn: string | undefined): void {
  if (heldOn !== undefined && heldOn > todayIso()) throw invalidField('/body/held_on', 'must not be in the future')
}

function sessionNotFound(sessionId: string): ProblemError {
  return new ProblemError('not-found', `Counselling session ${sessionId} does not exist in this case`)
}

export async function listSessions(
  db: Kysely<DB>,
  context: RequestContext,
  caseId: string,
  pageQuery: { limit?: number; cursor?: string },
): Promise<Page<CounsellingSessionRecord>> {
  const caseRow = await findCaseForActor(db, context.actor, caseId)
  return paginate(db.selectFrom('counselling_sessions').selectAll().where('case_id', '=', caseRow.id), pageQuery, (rows) => rows.map(toSession))
}

export async function getSession(db: Kysely<DB>, context: RequestContext, caseId: string, sessionId: string): Promise<CounsellingSessionRecord> {
  const caseRow = await findCaseForActor(db, context.actor, caseId)
  const row = await db.selectFrom('counselling_sessions').selectAll().where('id', '=', sessionId).where('case_id', '=', caseRow.id).executeTakeFirst()
  if (!row) throw sessionNotFound(sessionId)
  return toSession(row)
}

export async function createSession(db: Transaction<DB>, context: RequestContext, caseId: string, input: CounsellingSessionInputValue): Promise<CounsellingSessionRecord> {
  // The case lock orders this insert after any concurrent closure of the case.
  const caseRow = await lockOpenCase(db, context.actor, caseId)
  assertHeldNotInFuture(input.held_on)
  const row = await db
    .insertInto('counselling_sessions')
    .values({
      id: newId(),
      case_id: caseRow.id,
      held_on: input.held_on,
      counsellor: input.counsellor ?? context.actor.sub,
      mode: input.mode,
      interpreter_language: input.interpreter_language ?? null,
      topics: input.topics,
      outcome: input.outcome,
      next_steps: input.next_steps ?? null,
      created_by: context.actor.sub,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
  await recordAudits(db, context, [
    { action: 'counselling_session.recorded', entityType: 'counselling_session', entityId: row.id, caseId: caseRow.id, after: snapshot(row), maskedFields: SESSION_MASKED },
  ])
  await emitEvent(db, { type: 'counselling_session.recorded', entityType: 'counselling_session', entityId: row.id, caseId: caseRow.id, payload: eventPayload(row) })
  return toSession(row)
}

export async function updateSession(
  db: Transaction<DB>,
  context: RequestContext,
  ids: { caseId: string; sessionId: string },
  expectedVersion: number | undefined,
  input: CounsellingSessionUpdateInput,
): Promise<CounsellingSessionRecord> {
  const caseRow = await lockOpenCase(db, context.actor, ids.caseId)
  const current = await db
    .selectFrom('counselling_sessions')
    .selectAll()
    .where('id', '=', ids.sessionId)
    .where('case_id', '=', caseRow.id)
    .forUpdate()
    .executeTakeFirst()
  if (!current) throw sessionNotFound(ids.sessionId)
  assertVersion(current.version, expectedVersion)
  assertHeldNotInFuture(input.held_on)
  const updated = await updateVersioned(db, 'counselling_sessions', current.id, { ...input })
  await recordAudits(db, context, [
    {
      action: 'counselling_session.updated',
      entityType: 'counselling_session',
      entityId: current.id,
      caseId: caseRow.id,
      before: snapshot(current),
      after: snapshot(updated),
      maskedFields: SESSION_MASKED,
    },
  ])
  await emitEvent(db, { type: 'counselling_session.updated', entityType: 'counselling_session', entityId: current.id, caseId: caseRow.id, payload: eventPayload(updated) })
  return toSession(updated)
}
