import type { Kysely, Transaction } from 'kysely'
import type { DB, TransitVisaStatus } from '../../db/schema.js'
import type { RequestContext } from '../../shared/context.js'
import { latestAcceptableDate } from '../../shared/dates.js'
import type { Page } from '../../shared/pagination.js'
import { ProblemError } from '../../shared/problems.js'
import type { Actor } from '../../shared/roles.js'
import { Workflow } from '../../shared/workflow.js'
import { findCaseForActor, type CaseMemberRow } from '../return-cases/index.js'
import { DocumentWorkflow, REQUEST_RULES, throwIfInvalid, type DocumentAction, type FieldError } from './document-workflow.js'
import * as repository from './repository.js'
import type { TransitVisaRow } from './repository.js'
import type { IssueTransitVisaInput, RefuseTransitVisaInput, RequestTransitVisaInput, TransitVisaListFilter, TransitVisaRecord } from './transit-visa-schemas.js'

function eventPayload(row: TransitVisaRow): Record<string, unknown> {
  const { visa_number: visaNumber, notes: _notes, refusal_reason: _reason, ...payload } = row
  return { ...payload, has_number: visaNumber !== null }
}

const visas = new DocumentWorkflow({
  table: 'transit_visas',
  title: 'Transit visa',
  entityType: 'transit_visa',
  /** Visa numbers are personal data, and remarks may be. */
  maskedFields: ['visa_number', 'notes'],
  workflow: new Workflow<TransitVisaStatus, DocumentAction>('transit visa', REQUEST_RULES),
  payload: eventPayload,
  present: repository.toTransitVisa,
})

/** Checks the given dates: none may be in the future; `requestedOn`, when given, is the earliest each may be. */
function dateErrors(dates: Record<string, string>, requestedOn?: string): FieldError[] {
  const errors: FieldError[] = []
  for (const [field, date] of Object.entries(dates)) {
    if (date > latestAcceptableDate()) errors.push({ pointer: `/body/${field}`, detail: 'must not be in the future' })
    if (requestedOn !== undefined && date < requestedOn) errors.push({ pointer: `/body/${field}`, detail: `must not be before it was requested (${requestedOn})` })
  }
  return errors
}

/** A transit visa is requested per traveller and transit country, until the travellers leave. */
export async function requestTransitVisa(db: Transaction<DB>, context: RequestContext, caseId: string, input: RequestTransitVisaInput): Promise<TransitVisaRecord> {
  return visas.create(db, context, caseId, input.member_id, 'requested', (recordedFor) => {
    throwIfInvalid(dateErrors({ requested_on: input.requested_on }), 'transit visa')
    return {
      ...recordedFor,
      transit_country: input.transit_country,
      status: 'requested',
      issuing_authority: input.issuing_authority.trim(),
      requested_on: input.requested_on,
      notes: input.notes?.trim() ?? null,
    }
  })
}

export async function issueTransitVisa(
  db: Transaction<DB>,
  context: RequestContext,
  caseId: string,
  visaId: string,
  expectedVersion: number | undefined,
  input: IssueTransitVisaInput,
): Promise<TransitVisaRecord> {
  return visas.decide(db, context, { caseId, id: visaId }, expectedVersion, 'issue', (current, status) => {
    const errors = dateErrors({ issued_on: input.issued_on }, current.requested_on)
    if (input.valid_until < input.valid_from) errors.push({ pointer: '/body/valid_until', detail: 'must not be before valid_from' })
    throwIfInvalid(errors, 'transit visa')
    return {
      status,
      visa_number: input.visa_number,
      issued_on: input.issued_on,
      valid_from: input.valid_from,
      valid_until: input.valid_until,
      ...(input.notes !== undefined ? { notes: input.notes.trim() } : {}),
    }
  })
}

export async function refuseTransitVisa(
  db: Transaction<DB>,
  context: RequestContext,
  caseId: string,
  visaId: string,
  expectedVersion: number | undefined,
  input: RefuseTransitVisaInput,
): Promise<TransitVisaRecord> {
  return visas.decide(db, context, { caseId, id: visaId }, expectedVersion, 'refuse', (current, status) => {
    throwIfInvalid(dateErrors({ refused_on: input.refused_on }, current.requested_on), 'transit visa')
    return { status, refused_on: input.refused_on, refusal_reason: input.reason.trim() }
  })
}

export async function listTransitVisas(db: Kysely<DB>, actor: Actor, caseId: string, filter: TransitVisaListFilter): Promise<Page<TransitVisaRecord>> {
  await findCaseForActor(db, actor, caseId)
  return repository.listTransitVisas(db, caseId, filter)
}

export async function getTransitVisa(db: Kysely<DB>, actor: Actor, caseId: string, visaId: string): Promise<TransitVisaRecord> {
  return visas.get(db, actor, caseId, visaId)
}

// ---------------------------------------------------------------- the rule tickets depend on

/** A transit point of a route where the traveller needs a visa: the local dates they arrive there and fly on. */
export interface TransitVisaNeed {
  airport: string
  country: string
  arrives_on: string
  departs_on: string
}

function covers(row: TransitVisaRow, need: TransitVisaNeed): boolean {
  return row.status === 'issued' && row.valid_from !== null && row.valid_until !== null && row.valid_from <= need.arrives_on && row.valid_until >= need.departs_on
}

function problemOf(row: TransitVisaRow, need: TransitVisaNeed): string {
  if (row.status === 'requested') return `the visa requested from ${row.issuing_authority} on ${row.requested_on} is still awaited`
  if (row.status === 'refused') return `the visa was refused on ${row.refused_on}: ${row.refusal_reason}`
  if ((row.valid_until as string) < need.departs_on) return `the visa is valid until ${row.valid_until}, before the transit on ${need.departs_on}`
  return `the visa is valid from ${row.valid_from}, after the transit on ${need.arrives_on}`
}

/**
 * Nobody is ticketed on a route whose transit needs a visa (a transit point flagged
 * `visa_required`) unless they hold a visa for that country, issued and valid on every day of the
 * transit (from the local arrival date there to the onward departure date). The visas checked are
 * locked FOR SHARE until the caller's transaction ends. Otherwise 409 `transit-visa-required`
 * naming the traveller and, per transit point without cover, what is wrong with each visa (or that
 * there is none).
 */
export async function assertTransitVisas(db: Kysely<DB>, member: Pick<CaseMemberRow, 'id' | 'given_name' | 'family_name'>, needs: readonly TransitVisaNeed[]): Promise<void> {
  if (needs.length === 0) return
  const visas = await repository.transitVisasOfMember(db, member.id, [...new Set(needs.map((need) => need.country))])
  const uncovered = needs
    .filter((need) => !visas.some((row) => row.transit_country === need.country && covers(row, need)))
    .map((need) => {
      const ofCountry = visas.filter((row) => row.transit_country === need.country)
      return {
        ...need,
        visas: ofCountry.map((row) => ({ transit_visa_id: row.id, status: row.status, valid_from: row.valid_from, valid_until: row.valid_until, detail: problemOf(row, need) })),
        detail: ofCountry.length === 0 ? `no transit visa for ${need.country} is recorded` : ofCountry.map((row) => problemOf(row, need)).join('; '),
      }
    })
  if (uncovered.length === 0) return
  const name = `${member.given_name} ${member.family_name}`
  throw new ProblemError(
    'transit-visa-required',
    `${name} needs a transit visa valid for ${uncovered.map((entry) => `${entry.country} (${entry.airport}, ${entry.arrives_on})`).join(', ')}: ` +
      uncovered.map((entry) => entry.detail).join('; '),
    { traveller: { member_id: member.id, name }, transits: uncovered },
  )
}
