import type { Kysely, Transaction } from 'kysely'
import type { DB } from '../../db/schema.js'
import type { RequestContext } from '../../shared/context.js'
import type { Page } from '../../shared/pagination.js'
import { ProblemError, unprocessable } from '../../shared/problems.js'
import type { Actor } from '../../shared/roles.js'
import { Workflow } from '../../shared/workflow.js'
import { findCaseForActor, type CaseMemberRow } from '../return-cases/index.js'
import { DocumentWorkflow, REQUEST_RULES, throwIfInvalid, type DocumentAction, type FieldError } from './document-workflow.js'
import * as repository from './repository.js'
import type { TravelDocumentRow } from './repository.js'
import type {
  CreateTravelDocumentInput,
  IssueTravelDocumentInput,
  RefuseTravelDocumentInput,
  TravelDocumentListFilter,
  TravelDocumentQueueFilter,
  TravelDocumentQueueItemRecord,
  TravelDocumentRecord,
  UpdateTravelDocumentInput,
} from './schemas.js'
import { latestAcceptableDate } from '../../shared/dates.js'
import { pick } from '../../shared/objects.js'

export type { TravelDocumentRow }

const KIND_LABELS: Record<TravelDocumentRow['kind'], string> = {
  national_passport: 'national passport',
  emergency_travel_document: 'emergency travel document',
  other: 'travel document',
}

/** What a document must carry for its kind and status; dates must make sense. */
type DocumentState = Pick<
  TravelDocumentRow,
  'kind' | 'status' | 'description' | 'document_number' | 'issuing_country' | 'issuing_authority' | 'issued_on' | 'expires_on' | 'requested_on' | 'refused_on'
>

function documentErrors(state: DocumentState, prefix = '/body'): FieldError[] {
  const errors: FieldError[] = []
  const require = (field: keyof DocumentState, why: string) => {
    if (state[field] === null || state[field] === undefined) errors.push({ pointer: `${prefix}/${field}`, detail: `required ${why}` })
  }
  const forbid = (field: keyof DocumentState, why: string) => {
    if (state[field] !== null && state[field] !== undefined) errors.push({ pointer: `${prefix}/${field}`, detail: `not allowed ${why}` })
  }
  const etd = state.kind === 'emergency_travel_document'
  const held = state.status === 'valid' || state.status === 'issued'
  if (held) {
    const why = etd ? 'once the emergency travel document is issued' : `for a ${KIND_LABELS[state.kind]}`
    require('document_number', why)
    require('issued_on', why)
    require('expires_on', why)
  } else {
    forbid('document_number', 'before the document is issued')
    forbid('issued_on', 'before the document is issued')
    forbid('expires_on', 'before the document is issued')
  }
  if (etd) {
    require('requested_on', 'for an emergency travel document')
    require('issuing_authority', 'for an emergency travel document: the embassy or consulate it is requested from')
  } else {
    forbid('requested_on', 'for a document that is not requested from an embassy (only emergency travel documents are)')
  }
  if (state.kind === 'other') require('description', 'for a document of kind other: say what it is')
  const latest = latestAcceptableDate()
  if (state.issued_on && state.issued_on > latest) errors.push({ pointer: `${prefix}/issued_on`, detail: 'must not be in the future' })
  if (state.requested_on && state.requested_on > latest) errors.push({ pointer: `${prefix}/requested_on`, detail: 'must not be in the future' })
  if (state.issued_on && state.expires_on && state.expires_on <= state.issued_on) errors.push({ pointer: `${prefix}/expires_on`, detail: 'must be after issued_on' })
  if (etd && state.issued_on && state.requested_on && state.issued_on < state.requested_on) {
    errors.push({ pointer: `${prefix}/issued_on`, detail: 'must not be before requested_on' })
  }
  if (state.refused_on && state.requested_on && state.refused_on < state.requested_on) {
    errors.push({ pointer: `${prefix}/refused_on`, detail: 'must not be before requested_on' })
  }
  if (state.refused_on && state.refused_on > latest) errors.push({ pointer: `${prefix}/refused_on`, detail: 'must not be in the future' })
  return errors
}

function eventPayload(row: TravelDocumentRow): Record<string, unknown> {
  return {
    ...pick(row, ['id', 'case_id', 'member_id', 'kind', 'status', 'issuing_country', 'issuing_authority', 'issued_on', 'expires_on', 'requested_on', 'refused_on', 'version']),
    has_number: row.document_number !== null,
  }
}

const documents = new DocumentWorkflow({
  table: 'travel_documents',
  title: 'Travel document',
  entityType: 'travel_document',
  /** Document numbers are personal data, and remarks may be. */
  maskedFields: ['document_number', 'notes'],
  workflow: new Workflow<TravelDocumentRow['status'], DocumentAction>('travel document', REQUEST_RULES),
  payload: eventPayload,
  present: (row) => repository.toTravelDocument(row),
})

export async function recordDocument(db: Transaction<DB>, context: RequestContext, caseId: string, input: CreateTravelDocumentInput): Promise<TravelDocumentRecord> {
  const etd = input.kind === 'emergency_travel_document'
  return documents.create(db, context, caseId, input.member_id, etd ? 'requested' : 'recorded', (recordedFor) => {
    const state: DocumentState = {
      kind: input.kind,
      status: etd ? 'requested' : 'valid',
      description: input.description?.trim() ?? null,
      document_number: input.document_number ?? null,
      issuing_country: input.issuing_country,
      issuing_authority: input.issuing_authority?.trim() ?? null,
      issued_on: input.issued_on ?? null,
      expires_on: input.expires_on ?? null,
      requested_on: input.requested_on ?? null,
      refused_on: null,
    }
    throwIfInvalid(documentErrors(state), KIND_LABELS[input.kind])
    return { ...recordedFor, ...state, refusal_reason: null, notes: input.notes?.trim() ?? null }
  })
}

/** Corrections (a mistyped number or date). The result must still be complete for the document's kind and status. */
export async function updateDocument(
  db: Transaction<DB>,
  context: RequestContext,
  caseId: string,
  documentId: string,
  expectedVersion: number | undefined,
  input: UpdateTravelDocumentInput,
): Promise<TravelDocumentRecord> {
  return documents.change(db, context, { caseId, id: documentId }, expectedVersion, 'updated', (current) => {
    if (current.status === 'refused') {
      const fields = Object.keys(input).filter((field) => field !== 'notes')
      if (fields.length > 0) {
        throw unprocessable('A refused document keeps what was refused; only its notes can change', fields.map((field) => ({ pointer: `/body/${field}`, detail: 'not changeable once refused' })))
      }
    }
    const trimmed = (value: string | null | undefined) => (value === undefined ? undefined : value === null ? null : value.trim())
    const changes = {
      ...(input.description !== undefined ? { description: trimmed(input.description) } : {}),
      ...(input.document_number !== undefined ? { document_number: input.document_number } : {}),
      ...(input.issuing_country !== undefined ? { issuing_country: input.issuing_country } : {}),
      ...(input.issuing_authority !== undefined ? { issuing_authority: trimmed(input.issuing_authority) } : {}),
      ...(input.issued_on !== undefined ? { issued_on: input.issued_on } : {}),
      ...(input.expires_on !== undefined ? { expires_on: input.expires_on } : {}),
      ...(input.requested_on !== undefined ? { requested_on: input.requested_on } : {}),
      ...(input.notes !== undefined ? { notes: trimmed(input.notes) } : {}),
    }
    throwIfInvalid(documentErrors({ ...current, ...changes }), KIND_LABELS[current.kind])
    return changes
  })
}

export async function issueDocument(
  db: Transaction<DB>,
  context: RequestContext,
  caseId: string,
  documentId: string,
  expectedVersion: number | undefined,
  input: IssueTravelDocumentInput,
): Promise<TravelDocumentRecord> {
  return documents.decide(db, context, { caseId, id: documentId }, expectedVersion, 'issue', (current, status) => {
    const changes = {
      status,
      document_number: input.document_number,
      issued_on: input.issued_on,
      expires_on: input.expires_on,
      ...(input.issuing_authority !== undefined ? { issuing_authority: input.issuing_authority.trim() } : {}),
      ...(input.notes !== undefined ? { notes: input.notes.trim() } : {}),
    }
    throwIfInvalid(documentErrors({ ...current, ...changes }), 'emergency travel document')
    return changes
  })
}

export async function refuseDocument(
  db: Transaction<DB>,
  context: RequestContext,
  caseId: string,
  documentId: string,
  expectedVersion: number | undefined,
  input: RefuseTravelDocumentInput,
): Promise<TravelDocumentRecord> {
  return documents.decide(db, context, { caseId, id: documentId }, expectedVersion, 'refuse', (current, status) => {
    const changes = { status, refused_on: input.refused_on, refusal_reason: input.reason.trim() }
    throwIfInvalid(documentErrors({ ...current, ...changes }), 'emergency travel document')
    return changes
  })
}

export async function listDocuments(db: Kysely<DB>, actor: Actor, caseId: string, filter: TravelDocumentListFilter): Promise<Page<TravelDocumentRecord>> {
  await findCaseForActor(db, actor, caseId)
  return repository.listDocuments(db, caseId, filter)
}

export async function getDocument(db: Kysely<DB>, actor: Actor, caseId: string, documentId: string): Promise<TravelDocumentRecord> {
  return documents.get(db, actor, caseId, documentId)
}

export async function documentQueue(db: Kysely<DB>, filter: TravelDocumentQueueFilter): Promise<Page<TravelDocumentQueueItemRecord>> {
  return repository.documentQueue(db, filter)
}

// ---------------------------------------------------------------- the rule tickets depend on

type DocumentProblemCode = 'none' | 'expires_before_travel' | 'still_requested' | 'refused'

interface DocumentProblem {
  document_id: string
  kind: TravelDocumentRow['kind']
  problem: Exclude<DocumentProblemCode, 'none'>
  detail: string
  expires_on: string | null
  requested_on: string | null
  issuing_authority: string | null
  refusal_reason: string | null
}

function problemOf(row: TravelDocumentRow, travelOn: string): DocumentProblem {
  const base = {
    document_id: row.id,
    kind: row.kind,
    expires_on: row.expires_on,
    requested_on: row.requested_on,
    issuing_authority: row.issuing_authority,
    refusal_reason: row.refusal_reason,
  }
  const label = KIND_LABELS[row.kind]
  if (row.status === 'requested') {
    return { ...base, problem: 'still_requested', detail: `the ${label} requested from ${row.issuing_authority} on ${row.requested_on} is still awaited` }
  }
  if (row.status === 'refused') {
    return { ...base, problem: 'refused', detail: `the ${label} was refused by ${row.issuing_authority} on ${row.refused_on}: ${row.refusal_reason}` }
  }
  return { ...base, problem: 'expires_before_travel', detail: `the ${label} expires on ${row.expires_on}, before travel on ${travelOn}` }
}

const PROBLEM_PRIORITY: readonly DocumentProblem['problem'][] = ['expires_before_travel', 'still_requested', 'refused']

/**
 * Nobody is ticketed without a valid document that does not expire before the travel date
 * (`travelOn`, the local date of the booking's last arrival): a passport or other document
 * recorded valid, or an issued emergency travel document, with `expires_on >= travelOn`.
 * Returns that document (the one valid longest), locked FOR SHARE so it cannot change before
 * the caller's transaction ends. Otherwise 409 `travel-document-required` naming the traveller,
 * the travel date, and what is wrong with each document (or that there is none).
 */
export async function assertTravelDocument(db: Kysely<DB>, member: Pick<CaseMemberRow, 'id' | 'given_name' | 'family_name'>, travelOn: string): Promise<TravelDocumentRow> {
  const documents = await repository.documentsOfMember(db, member.id, { forShare: true })
  const usable = documents
    .filter((row) => (row.status === 'valid' || row.status === 'issued') && row.expires_on !== null && row.expires_on >= travelOn)
    .sort((a, b) => (a.expires_on === b.expires_on ? a.id.localeCompare(b.id) : (b.expires_on as string).localeCompare(a.expires_on as string)))
  const chosen = usable[0]
  if (chosen) return chosen
  const name = `${member.given_name} ${member.family_name}`
  const problems = documents.map((row) => problemOf(row, travelOn))
  const problem: DocumentProblemCode = PROBLEM_PRIORITY.find((code) => problems.some((entry) => entry.problem === code)) ?? 'none'
  const detail =
    problems.length === 0
      ? `${name} has no travel document recorded; a valid one through ${travelOn} is needed before a ticket`
      : `${name} has no valid travel document for travel on ${travelOn}: ${problems.map((entry) => entry.detail).join('; ')}`
  throw new ProblemError('travel-document-required', detail, {
    traveller: { member_id: member.id, name },
    travel_on: travelOn,
    problem,
    documents: problems,
  })
}
