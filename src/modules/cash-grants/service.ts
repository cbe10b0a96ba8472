import type { Kysely, Transaction } from 'kysely'
import type { CaseStatus, CashGrantStatus, DB } from '../../db/schema.js'
import { recordCaseRowChange } from '../../shared/audit.js'
import type { RequestContext } from '../../shared/context.js'
import { assertVersion } from '../../shared/etag.js'
import { newId } from '../../shared/ids.js'
import { ProblemError, conflict, notFound, unprocessable } from '../../shared/problems.js'
import { budgetLineForCost, findProjectRow, type ProjectRow } from '../projects/index.js'
import { markPaymentPaid, requestPayment, type PaymentHooks, type PaymentRequestRow, type MarkPaymentPaidInput } from '../payments/index.js'
import { caseRecordReads, ageOn, findCaseForActor, listCaseMembers, type CaseMemberRow, type ReturnCaseRow, CHILD_AGE_LIMIT, arrivedOrDepartedOn, findCase, lockOpenCase } from '../return-cases/index.js'
import * as repository from './repository.js'
import type { CashGrantRow } from './repository.js'
import type { CashGrantListFilter, CashGrantRecord, CreateCashGrantInput } from './schemas.js'
import { todayIso } from '../../shared/dates.js'
import { money } from '../../shared/money.js'

/** A grant can be requested once return assistance is approved, and until the case ends. */
const REQUESTABLE_CASE_STATUSES: readonly CaseStatus[] = ['approved', 'travel_booked', 'departed', 'arrived', 'in_reintegration']
/** A grant is for basic needs on arrival: it is paid only once the returnees are there. */
const PAYABLE_CASE_STATUSES: readonly CaseStatus[] = ['arrived', 'in_reintegration']

/** The justification may describe health or family circumstances: audited as changed, never with its value. */
const MASKED_FIELDS = ['justification'] as const

async function recordGrantChange(db: Transaction<DB>, context: RequestContext, action: string, before: CashGrantRow | null, after: CashGrantRow): Promise<void> {
  const { justification: _justification, ...payload } = after
  await recordCaseRowChange(db, context, 'cash_grant', action, after, {
    before,
    after,
    maskedFields: MASKED_FIELDS,
    payload: { ...payload, has_justification: after.justification !== null },
  })
}

/**
 * The date ages are counted at: the recorded arrival, else the departure, else the intended
 * departure date, else today (UTC). A child is under 18 on that date.
 */
async function ageReferenceDate(db: Kysely<DB>, caseRow: ReturnCaseRow): Promise<string> {
  return (await arrivedOrDepartedOn(db, caseRow.id)) ?? caseRow.intended_departure_on ?? todayIso()
}

interface GrantAmount {
  amountMinor: number
  ruleKind: 'per_person' | 'per_household' | null
  referenceOn: string | null
  adults: number | null
  children: number | null
}

async function ruleAmount(db: Kysely<DB>, project: ProjectRow, caseRow: ReturnCaseRow, people: readonly CaseMemberRow[], scope: 'household' | 'returnee'): Promise<GrantAmount> {
  const kind = project.cash_grant_rule_kind
  if (!kind) {
    throw unprocessable(`Project ${project.code} has no cash-grant rule; enter the amount with a justification`, [
      { pointer: '/body/amount', detail: 'required: the project has no cash-grant rule' },
    ])
  }
  if (kind === 'per_household' && scope === 'returnee') {
    throw unprocessable(`Project ${project.code} grants a flat amount per household, not per returnee`, [
      { pointer: '/body/scope', detail: 'must be household under a per-household rule (or enter the amount with a justification)' },
    ])
  }
  const referenceOn = await ageReferenceDate(db, caseRow)
  let adults = 0
  let children = 0
  for (const person of people) {
    const age = ageOn(person, referenceOn)
    if (age === null) throw unprocessable(`The age of household member ${person.id} is not known`, [{ pointer: '/body/member_id', detail: 'age unknown' }])
    if (age < CHILD_AGE_LIMIT) children += 1
    else adults += 1
  }
  const amountMinor =
    kind === 'per_household'
      ? Number(project.cash_grant_flat_minor)
      : adults * Number(project.cash_grant_adult_minor) + children * Number(project.cash_grant_child_minor)
  if (amountMinor <= 0) {
    throw unprocessable(`The rule of project ${project.code} gives no grant here; enter the amount with a justification`, [
      { pointer: '/body/amount', detail: 'the rule gives zero' },
    ])
  }
  return { amountMinor, ruleKind: kind, referenceOn, adults, children }
}

function manualAmount(project: ProjectRow, input: CreateCashGrantInput): GrantAmount {
  const amount = input.amount as NonNullable<CreateCashGrantInput['amount']>
  if (amount.currency !== project.currency) {
    throw new ProblemError('currency-mismatch', `Project ${project.code} is kept in ${project.currency}; a grant in ${amount.currency} cannot be charged to it`, {
      expected_currency: project.currency,
      errors: [{ pointer: '/body/amount/currency', detail: `must be ${project.currency}` }],
    })
  }
  if (!input.justification || input.justification.trim() === '') {
    throw unprocessable('A manual amount needs a justification', [{ pointer: '/body/justification', detail: 'required with a manual amount' }])
  }
  return { amountMinor: amount.amount_minor, ruleKind: null, referenceOn: null, adults: null, children: null }
}

function assertOneGrantPerRecipient(live: readonly CashGrantRow[], scope: 'household' | 'returnee', memberId: string | null): void {
  const household = live.find((grant) => grant.scope === 'household')
  const clash =
    scope === 'household' ? live[0] : (household ?? live.find((grant) => grant.member_id === memberId))
  if (clash) {
    const detail =
      clash.scope === 'household'
        ? `The household already has cash grant ${clash.id} (${clash.status})`
        : scope === 'household'
          ? `Returnees of this case already have cash grants (e.g. ${clash.id}); a household grant would pay them twice`
          : `This returnee already has cash grant ${clash.id} (${clash.status})`
    throw new ProblemError('duplicate-resource', detail, { cash_grant_id: clash.id, current_status: clash.status })
  }
}

/**
 * Requests a cash grant for a household or one returnee: the amount from the project's rule
 * (per adult and per child, ages at the arrival or departure date; or flat per household) or
 * entered by hand with a justification. It creates the payment request (kind `cash_grant`) on
 * the project's cash-grant budget line; approving that request (maker-checker) commits it.
 * A household, and each returnee, has at most one live grant, and a household grant excludes
 * per-returnee grants (and the reverse).
 */
export async function requestCashGrant(db: Transaction<DB>, context: RequestContext, caseId: string, input: CreateCashGrantInput): Promise<CashGrantRecord> {
  const caseRow = await lockOpenCase(db, context.actor, caseId)
  if (!REQUESTABLE_CASE_STATUSES.includes(caseRow.status)) {
    throw conflict(`A cash grant can be requested once return assistance is approved; case ${caseRow.reference} is ${caseRow.status}`, {
      current_status: caseRow.status,
      allowed_case_statuses: REQUESTABLE_CASE_STATUSES,
    })
  }
  if (input.scope === 'returnee' && !input.member_id) {
    throw unprocessable('A grant for a returnee names the household member', [{ pointer: '/body/member_id', detail: 'required for scope returnee' }])
  }
  if (input.scope === 'household' && input.member_id) {
    throw unprocessable('A household grant is for the whole household', [{ pointer: '/body/member_id', detail: 'not allowed for scope household' }])
  }
  if (!input.amount && input.justification !== undefined) {
    throw unprocessable('A justification goes with a manual amount', [{ pointer: '/body/justification', detail: 'only with a manual amount' }])
  }
  if (!caseRow.project_id) throw conflict(`Case ${caseRow.reference} is not attached to a project that could pay a grant`, { case_id: caseRow.id })
  const project = await findProjectRow(db, caseRow.project_id)
  if (!project) throw notFound('Project', caseRow.project_id)

  const members = await listCaseMembers(db, caseRow.id)
  const principal = members.find((member) => member.is_principal)
  const member = input.member_id ? members.find((candidate) => candidate.id === input.member_id) : undefined
  if (input.member_id && !member) {
    throw unprocessable(`Member ${input.member_id} is not in the household of case ${caseRow.reference}`, [{ pointer: '/body/member_id', detail: 'not a member of this case' }])
  }
  const recipient = member ?? principal
  if (!recipient) throw conflict(`Case ${caseRow.reference} has no principal applicant to pay a household grant to`, { case_id: caseRow.id })

  assertOneGrantPerRecipient(await repository.liveGrantsOfCase(db, caseRow.id), input.scope, member?.id ?? null)

  const amount = input.amount ? manualAmount(project, input) : await ruleAmount(db, project, caseRow, member ? [member] : members, input.scope)
  const line = await budgetLineForCost(db, project.id, 'cash_grant')
  const grantId = newId()
  const payment = await requestPayment(db, context, {
    kind: 'cash_grant',
    source: { type: 'cash_grant', id: grantId },
    budgetLineId: line.id,
    amount: money(amount.amountMinor, project.currency),
    caseId: caseRow.id,
    payee: { type: 'returnee', id: recipient.id, name: `${recipient.given_name} ${recipient.family_name}` },
    description: `Cash grant on arrival (${input.scope === 'household' ? 'household' : 'returnee'}), case ${caseRow.reference}`,
  })
  const grant = await repository.insertCashGrant(db, {
    id: grantId,
    case_id: caseRow.id,
    project_id: project.id,
    payment_request_id: payment.id,
    scope: input.scope,
    member_id: member?.id ?? null,
    basis: input.amount ? 'manual' : 'rule',
    rule_kind: amount.ruleKind,
    reference_on: amount.referenceOn,
    adults: amount.adults,
    children: amount.children,
    amount_minor: amount.amountMinor,
    currency: project.currency,
    justification: input.amount ? (input.justification as string).trim() : null,
    status: 'requested',
    requested_by: context.actor.sub,
  })
  await recordGrantChange(db, context, 'requested', null, grant)
  return repository.toCashGrant(grant, payment)
}

export const { list: listCashGrants, get: getCashGrant } = caseRecordReads('Cash grant', {
  list: (db, caseId, filter: CashGrantListFilter) => repository.listCashGrants(db, caseId, filter),
  find: (db, caseId, id) => repository.findCashGrant(db, caseId, id),
  present: async (db, grant): Promise<CashGrantRecord> => {
    const [record] = await repository.withPayments(db, [grant])
    return record as CashGrantRecord
  },
})

/**
 * Pays an approved grant: the partner office of the case records it, once the case has
 * arrived, in the project currency or locally with the rate. A grant is paid once: the payment
 * request's state guard (under its row lock) refuses a second payment with 409, and a retry
 * with the same Idempotency-Key replays the first response.
 */
export async function payCashGrant(
  db: Transaction<DB>,
  context: RequestContext,
  caseId: string,
  grantId: string,
  input: MarkPaymentPaidInput,
  expectedVersion?: number,
): Promise<CashGrantRecord> {
  await findCaseForActor(db, context.actor, caseId)
  const grant = await repository.findCashGrant(db, caseId, grantId)
  if (!grant) throw notFound('Cash grant', grantId)
  assertVersion(grant.version, expectedVersion)
  if (grant.status !== 'approved') {
    throw new ProblemError('invalid-transition', `Cannot pay a cash grant that is ${grant.status}`, { current_status: grant.status, action: 'pay', allowed_from: ['approved'] })
  }
  // The payment request is locked first, then (in the hook) the grant: the same order as approvals and cancellations.
  await markPaymentPaid(db, context, grant.payment_request_id, input)
  return getCashGrant(db, context.actor, caseId, grantId)
}

async function grantOfPayment(db: Kysely<DB>, payment: PaymentRequestRow): Promise<CashGrantRow> {
  const grant = await repository.findCashGrantByPayment(db, payment.id, { forUpdate: true })
  if (!grant) throw new Error(`Payment request ${payment.id} of kind cash_grant has no cash grant`)
  return grant
}

async function followPayment(db: Transaction<DB>, context: RequestContext, payment: PaymentRequestRow, status: CashGrantStatus): Promise<void> {
  const grant = await grantOfPayment(db, payment)
  const updated = await repository.setCashGrantStatus(db, grant.id, status)
  await recordGrantChange(db, context, status, grant, updated)
}

/**
 * The rules of paying a grant hold whichever route records the payment: only the partner
 * office the case is referred to pays it, and only once the case has arrived.
 */
async function assertPayable(db: Transaction<DB>, context: RequestContext, payment: PaymentRequestRow): Promise<void> {
  const caseRow = await findCase(db, payment.case_id as string)
  if (!caseRow) throw new Error(`Payment request ${payment.id} of kind cash_grant has no case`)
  const { actor } = context
  if (!(actor.roles.includes('partner') && caseRow.partner_office_id !== null && actor.officeId === caseRow.partner_office_id)) {
    throw new ProblemError('forbidden', `A cash grant is paid by the partner office case ${caseRow.reference} is referred to`, { required_roles: ['partner'] })
  }
  if (!PAYABLE_CASE_STATUSES.includes(caseRow.status)) {
    throw conflict(`A cash grant is paid once the returnees have arrived; case ${caseRow.reference} is ${caseRow.status}`, {
      case_status: caseRow.status,
      payable_case_statuses: PAYABLE_CASE_STATUSES,
    })
  }
}

/** How cash grant costs follow their payment requests (wired in src/modules/index.ts). */
export const cashGrantPaymentHooks: PaymentHooks = {
  onApproved: (db, context, payment) => followPayment(db, context, payment, 'approved'),
  onRejected: (db, context, payment) => followPayment(db, context, payment, 'rejected'),
  onCancelled: (db, context, payment) => followPayment(db, context, payment, 'cancelled'),
  onPaid: async (db, context, payment) => {
    await assertPayable(db, context, payment)
    await followPayment(db, context, payment, 'paid')
  },
}
