import t from 'tap'
import type { Kysely } from 'kysely'
import type { CaseStatus, DB } from '../../src/db/schema.js'
import { newId } from '../../src/shared/ids.js'
import { buildTestApp, type TestApp } from '../helpers/app.js'
import {
  TEST_ENV_OVERRIDES,
  auditActions,
  ledgerOf,
  lineBalance,
  outboxTypes,
  seedCase,
  seedOffices,
  seedProject,
  type CaseOptions,
  type Offices,
  type ProjectOptions,
} from '../payments/fixtures.js'

const PER_PERSON = { kind: 'per_person' as const, adultMinor: 30_000, childMinor: 15_000 }
const PAID = { payment_reference: 'RCPT-77812', paid_on: '2026-11-22' }

interface Setup extends TestApp {
  db: Kysely<DB>
  offices: Offices
  projectId: string
  cashLineId: string
  newCase(options?: Partial<CaseOptions>): Promise<{ caseId: string; memberIds: string[] }>
}

async function setup(t: Parameters<typeof buildTestApp>[0], project: ProjectOptions = {}): Promise<Setup> {
  const testApp = await buildTestApp(t, TEST_ENV_OVERRIDES)
  const db = testApp.database.db
  const offices = await seedOffices(db)
  const { projectId, lineIds } = await seedProject(db, { lines: { cash_grant: 500_000 }, cashGrantRule: PER_PERSON, ...project })
  const newCase = (options: Partial<CaseOptions> = {}) =>
    seedCase(db, { officeId: offices.countryOfficeId, partnerOfficeId: offices.partnerOfficeId, projectId, ...options })
  return { ...testApp, db, offices, projectId, cashLineId: lineIds.cash_grant as string, newCase }
}

const grants = (caseId: string) => `/v1/return-cases/${caseId}/cash-grants`
const grantUrl = (caseId: string, grantId: string, action?: string) => `${grants(caseId)}/${grantId}${action ? `:${action}` : ''}`
const paymentUrl = (id: string, action: string) => `/v1/payment-requests/${id}:${action}`

async function setCaseStatus(db: Kysely<DB>, caseId: string, status: CaseStatus, occurredAt?: string): Promise<void> {
  await db.updateTable('return_cases').set({ status }).where('id', '=', caseId).execute()
  if (occurredAt) {
    await db
      .insertInto('case_status_history')
      .values({ case_id: caseId, action: `mark_${status}`, to_status: status, actor_sub: 'olga', actor_roles: ['operations'], occurred_at: occurredAt })
      .execute()
  }
}

async function grantCount(db: Kysely<DB>): Promise<number> {
  return (await db.selectFrom('cash_grants').select('id').execute()).length
}

t.test('per-person rule: an amount per adult and per child, ages counted at the departure date', async (t) => {
  const { as, db, newCase, cashLineId, projectId } = await setup(t)
  // Intended departure 2026-12-01: the first child turns 18 on 2026-11-15 (an adult by then), the second on 2026-12-10 (still a child).
  const { caseId, memberIds } = await newCase({
    intendedDepartureOn: '2026-12-01',
    members: [
      { relationship: 'principal', dateOfBirth: '1985-04-12', givenName: 'Nino' },
      { relationship: 'spouse_partner', birthYear: 1983 },
      { relationship: 'child', dateOfBirth: '2008-11-15' },
      { relationship: 'child', dateOfBirth: '2008-12-10' },
    ],
  })
  const created = await as('carla', ['counsellor'])({ method: 'POST', url: grants(caseId), payload: { scope: 'household' } })
  t.equal(created.statusCode, 201)
  const grant = created.json()
  t.match(grant, {
    case_id: caseId,
    project_id: projectId,
    scope: 'household',
    member_id: null,
    basis: 'rule',
    rule: { kind: 'per_person', reference_on: '2026-12-01', adults: 3, children: 1 },
    amount: { amount_minor: 3 * 30_000 + 15_000, currency: 'EUR' },
    justification: null,
    status: 'requested',
    payment_status: 'requested',
    payment: null,
    requested_by: 'carla',
  })
  t.equal(created.headers.location, `/v1/return-cases/${caseId}/cash-grants/${grant.id}`)
  const payment = await db.selectFrom('payment_requests').selectAll().where('id', '=', grant.payment_request_id).executeTakeFirstOrThrow()
  t.match(payment, {
    kind: 'cash_grant',
    status: 'requested',
    budget_line_id: cashLineId,
    case_id: caseId,
    source_type: 'cash_grant',
    source_id: grant.id,
    amount_minor: 105_000,
    payee_type: 'returnee',
    payee_id: memberIds[0],
    payee_name: 'Nino Beridze',
    requested_by: 'carla',
  })
  t.same(await lineBalance(db, cashLineId), { allocated: 500_000, committed: 0, spent: 0 }, 'nothing is committed before approval')
  t.same(await auditActions(db, grant.id), ['cash_grant.requested'])
  t.same(await outboxTypes(db, grant.id), ['cash_grant.requested'])

  const child = await as('carla', ['counsellor'])({ method: 'POST', url: grants(caseId), payload: { scope: 'returnee', member_id: memberIds[3] } })
  t.equal(child.statusCode, 409, 'a household grant excludes a returnee grant')

  // Once the case has arrived, the arrival date counts: 2026-12-20, when the second child is 18.
  const { caseId: arrivedCase, memberIds: arrivedMembers } = await newCase({
    intendedDepartureOn: '2026-12-01',
    members: [{ relationship: 'principal', dateOfBirth: '1985-04-12' }, { relationship: 'child', dateOfBirth: '2008-12-10' }],
  })
  await setCaseStatus(db, arrivedCase, 'departed', '2026-12-19T08:00:00Z')
  await setCaseStatus(db, arrivedCase, 'arrived', '2026-12-20T15:00:00Z')
  const atArrival = await as('olga', ['operations'])({ method: 'POST', url: grants(arrivedCase), payload: { scope: 'returnee', member_id: arrivedMembers[1] } })
  t.equal(atArrival.statusCode, 201)
  t.match(atArrival.json(), { scope: 'returnee', rule: { reference_on: '2026-12-20', adults: 1, children: 0 }, amount: { amount_minor: 30_000 } })
  const onDeparture = await newCase({ intendedDepartureOn: '2026-12-01', members: [{ relationship: 'principal', dateOfBirth: '2008-12-10' }] })
  await setCaseStatus(db, onDeparture.caseId, 'departed', '2026-12-05T08:00:00Z')
  const departed = await as('olga', ['operations'])({ method: 'POST', url: grants(onDeparture.caseId), payload: { scope: 'household' } })
  t.match(departed.json(), { rule: { reference_on: '2026-12-05', adults: 0, children: 1 }, amount: { amount_minor: 15_000 } }, 'before arrival, the departure date counts')
})

t.test('per-household rule: a flat amount per household, not per returnee', async (t) => {
  const { as, db, newCase } = await setup(t, { cashGrantRule: { kind: 'per_household', flatMinor: 50_000 } })
  const { caseId, memberIds } = await newCase({ members: [{ relationship: 'principal' }, { relationship: 'child', dateOfBirth: '2015-01-01' }, { relationship: 'child', dateOfBirth: '2018-01-01' }] })
  const returnee = await as('carla', ['counsellor'])({ method: 'POST', url: grants(caseId), payload: { scope: 'returnee', member_id: memberIds[1] } })
  t.equal(returnee.statusCode, 422, 'a household rule does not pay per returnee')
  t.equal(returnee.json().errors[0].pointer, '/body/scope')
  t.equal(await grantCount(db), 0)
  const household = await as('carla', ['counsellor'])({ method: 'POST', url: grants(caseId), payload: { scope: 'household' } })
  t.equal(household.statusCode, 201)
  t.match(household.json(), { basis: 'rule', rule: { kind: 'per_household', adults: 1, children: 2 }, amount: { amount_minor: 50_000, currency: 'EUR' } })
})

t.test('manual amount: needs a justification, in the project currency; nothing is written otherwise', async (t) => {
  const { as, db, newCase } = await setup(t, { cashGrantRule: null })
  const { caseId } = await newCase()
  const counsellor = as('carla', ['counsellor'])
  const noRule = await counsellor({ method: 'POST', url: grants(caseId), payload: { scope: 'household' } })
  t.equal(noRule.statusCode, 422, 'without a project rule the amount must be entered')
  t.equal(noRule.json().errors[0].pointer, '/body/amount')
  const unjustified = await counsellor({ method: 'POST', url: grants(caseId), payload: { scope: 'household', amount: { amount_minor: 40_000, currency: 'EUR' } } })
  t.equal(unjustified.statusCode, 422, 'a manual amount needs a justification')
  t.equal(unjustified.json().errors[0].pointer, '/body/justification')
  const blank = await counsellor({ method: 'POST', url: grants(caseId), payload: { scope: 'household', amount: { amount_minor: 40_000, currency: 'EUR' }, justification: '' } })
  t.equal(blank.statusCode, 400, 'an empty justification is not one')
  const strayJustification = await counsellor({ method: 'POST', url: grants(caseId), payload: { scope: 'household', justification: 'because' } })
  t.equal(strayJustification.statusCode, 422, 'a justification goes with a manual amount')
  const otherCurrency = await counsellor({
    method: 'POST',
    url: grants(caseId),
    payload: { scope: 'household', amount: { amount_minor: 40_000, currency: 'USD' }, justification: 'Large family' },
  })
  t.equal(otherCurrency.statusCode, 422)
  t.match(otherCurrency.json(), { type: '/problems/currency-mismatch', expected_currency: 'EUR' })
  const unknownCurrency = await counsellor({
    method: 'POST',
    url: grants(caseId),
    payload: { scope: 'household', amount: { amount_minor: 40_000, currency: 'EUX' }, justification: 'Large family' },
  })
  t.equal(unknownCurrency.statusCode, 400, 'an unknown ISO 4217 code is a validation error')
  const memberMissing = await counsellor({ method: 'POST', url: grants(caseId), payload: { scope: 'returnee', amount: { amount_minor: 1, currency: 'EUR' }, justification: 'x' } })
  t.equal(memberMissing.statusCode, 422, 'a returnee grant names the member')
  const foreignMember = await counsellor({
    method: 'POST',
    url: grants(caseId),
    payload: { scope: 'returnee', member_id: newId(), amount: { amount_minor: 1, currency: 'EUR' }, justification: 'x' },
  })
  t.equal(foreignMember.statusCode, 422, 'the member must belong to the case')
  t.equal(await grantCount(db), 0, 'none of these wrote a grant')
  t.equal((await db.selectFrom('payment_requests').select('id').execute()).length, 0, 'nor a payment request')
  t.equal((await db.selectFrom('audit_events').select('id').where('entity_type', 'in', ['cash_grant', 'payment_request']).execute()).length, 0)

  const justification = 'Household of five with a newborn needing formula and a cot on arrival.'
  const created = await counsellor({ method: 'POST', url: grants(caseId), payload: { scope: 'household', amount: { amount_minor: 40_000, currency: 'EUR' }, justification } })
  t.equal(created.statusCode, 201)
  t.match(created.json(), { basis: 'manual', rule: null, justification, amount: { amount_minor: 40_000, currency: 'EUR' } })
  const audit = await db.selectFrom('audit_events').select('changes').where('entity_id', '=', created.json().id).executeTakeFirstOrThrow()
  t.same((audit.changes as Record<string, { after?: unknown }>).justification, { after: '[restricted]' }, 'the justification is masked in the audit trail')
})

t.test('one live grant per household or returnee; a cancelled grant can be requested again', async (t) => {
  const { as, newCase } = await setup(t)
  const { caseId, memberIds } = await newCase({ members: [{ relationship: 'principal' }, { relationship: 'spouse_partner' }] })
  const counsellor = as('carla', ['counsellor'])
  const first = await counsellor({ method: 'POST', url: grants(caseId), payload: { scope: 'returnee', member_id: memberIds[0] } })
  t.equal(first.statusCode, 201)
  const again = await counsellor({ method: 'POST', url: grants(caseId), payload: { scope: 'returnee', member_id: memberIds[0] } })
  t.equal(again.statusCode, 409, 'the same returnee is not granted twice')
  t.equal(again.json().type, '/problems/duplicate-resource')
  const household = await counsellor({ method: 'POST', url: grants(caseId), payload: { scope: 'household' } })
  t.equal(household.statusCode, 409, 'a household grant would pay a granted returnee twice')
  t.equal((await counsellor({ method: 'POST', url: grants(caseId), payload: { scope: 'returnee', member_id: memberIds[1] } })).statusCode, 201, 'another returnee may be granted')

  const { caseId: raced } = await newCase()
  const concurrent = await Promise.all([
    counsellor({ method: 'POST', url: grants(raced), payload: { scope: 'household' } }),
    as('olga', ['operations'])({ method: 'POST', url: grants(raced), payload: { scope: 'household' } }),
  ])
  t.same(concurrent.map((response) => response.statusCode).sort(), [201, 409], 'two concurrent requests for one household make one grant')

  const cancelled = await as('fred', ['finance'])({ method: 'POST', url: paymentUrl(first.json().payment_request_id, 'cancel'), payload: { reason: 'Entered for the wrong person' } })
  t.equal(cancelled.statusCode, 200)
  const grant = await as('aud', ['auditor'])({ method: 'GET', url: grantUrl(caseId, first.json().id) })
  t.match(grant.json(), { status: 'cancelled', payment_status: 'cancelled' }, 'the grant follows its payment request')
  t.equal((await counsellor({ method: 'POST', url: grants(caseId), payload: { scope: 'returnee', member_id: memberIds[0] } })).statusCode, 201, 'after a cancellation the returnee can be granted again')
})

t.test('requesting needs an approved, open case attached to a project, and a caseworker or finance', async (t) => {
  const { as, db, newCase, offices } = await setup(t)
  const draft = await newCase({ status: 'draft' })
  const refused = await as('carla', ['counsellor'])({ method: 'POST', url: grants(draft.caseId), payload: { scope: 'household' } })
  t.equal(refused.statusCode, 409, 'not before return assistance is approved')
  t.equal(refused.json().current_status, 'draft')
  const closed = await newCase({ status: 'closed' })
  const closedRefused = await as('carla', ['counsellor'])({ method: 'POST', url: grants(closed.caseId), payload: { scope: 'household' } })
  t.equal(closedRefused.statusCode, 409)
  t.equal(closedRefused.json().type, '/problems/case-closed')
  const noProject = await newCase({ projectId: null })
  t.equal((await as('carla', ['counsellor'])({ method: 'POST', url: grants(noProject.caseId), payload: { scope: 'household' } })).statusCode, 409, 'a case without a project has no budget')
  const { caseId } = await newCase()
  t.equal((await as('ana', ['approver'])({ method: 'POST', url: grants(caseId), payload: { scope: 'household' } })).statusCode, 403, 'approvers do not request')
  t.equal((await as('pat', ['partner'], offices.partnerOfficeId)({ method: 'POST', url: grants(caseId), payload: { scope: 'household' } })).statusCode, 403, 'partners do not request')
  t.equal((await as('fred', ['finance'])({ method: 'POST', url: grants(caseId), payload: { scope: 'household' } })).statusCode, 201, 'finance requests')
  t.equal((await as('carla', ['counsellor'])({ method: 'POST', url: grants(newId()), payload: { scope: 'household' } })).statusCode, 404, 'an unknown case is 404')
  t.equal(await grantCount(db), 1)
})

t.test('approval: maker-checker on the grant\'s payment request, committed on the cash-grant line', async (t) => {
  const { as, db, newCase, cashLineId } = await setup(t, { lines: { cash_grant: 100_000 } })
  const { caseId } = await newCase({ members: [{ relationship: 'principal' }, { relationship: 'spouse_partner' }] })
  const created = (await as('fred', ['finance', 'approver'])({ method: 'POST', url: grants(caseId), payload: { scope: 'household' } })).json()
  const own = await as('fred', ['finance', 'approver'])({ method: 'POST', url: paymentUrl(created.payment_request_id, 'approve') })
  t.equal(own.statusCode, 403, 'the requester cannot approve, even holding the approver role')
  t.equal(own.json().type, '/problems/maker-checker-violation')
  t.match((await as('aud', ['auditor'])({ method: 'GET', url: grantUrl(caseId, created.id) })).json(), { status: 'requested' })

  const approved = await as('ana', ['approver'])({ method: 'POST', url: paymentUrl(created.payment_request_id, 'approve') })
  t.equal(approved.statusCode, 200)
  t.match((await as('aud', ['auditor'])({ method: 'GET', url: grantUrl(caseId, created.id) })).json(), { status: 'approved', payment_status: 'approved' })
  t.same(await lineBalance(db, cashLineId), { allocated: 100_000, committed: 60_000, spent: 0 })
  t.same(await auditActions(db, created.id), ['cash_grant.requested', 'cash_grant.approved'])

  // The line has 40,000 left: a second household of two (60,000) does not fit.
  const other = await newCase({ members: [{ relationship: 'principal' }, { relationship: 'spouse_partner' }] })
  const second = (await as('fred', ['finance'])({ method: 'POST', url: grants(other.caseId), payload: { scope: 'household' } })).json()
  const exhausted = await as('ana', ['approver'])({ method: 'POST', url: paymentUrl(second.payment_request_id, 'approve') })
  t.equal(exhausted.statusCode, 409)
  t.equal(exhausted.json().type, '/problems/budget-line-exhausted')
  t.match((await as('aud', ['auditor'])({ method: 'GET', url: grantUrl(other.caseId, second.id) })).json(), { status: 'requested', version: 1 }, 'the grant is untouched')
  t.same(await lineBalance(db, cashLineId), { allocated: 100_000, committed: 60_000, spent: 0 })
})

async function approvedGrant(setupResult: Setup, caseOptions: Partial<CaseOptions> = {}) {
  const { as, newCase } = setupResult
  const { caseId } = await newCase({ status: 'departed', members: [{ relationship: 'principal' }], ...caseOptions })
  const grant = (await as('carla', ['counsellor'])({ method: 'POST', url: grants(caseId), payload: { scope: 'household' } })).json()
  await as('ana', ['approver'])({ method: 'POST', url: paymentUrl(grant.payment_request_id, 'approve') })
  return { caseId, grant }
}

t.test('paying: by the partner office of the case, only once the case has arrived', async (t) => {
  const context = await setup(t)
  const { as, db, offices, cashLineId } = context
  const { caseId, grant } = await approvedGrant(context)
  const partner = as('pat', ['partner'], offices.partnerOfficeId)

  const early = await partner({ method: 'POST', url: grantUrl(caseId, grant.id, 'pay'), payload: PAID })
  t.equal(early.statusCode, 409, 'not before the case has arrived')
  t.match(early.json(), { type: '/problems/conflict', case_status: 'departed' })
  t.match((await partner({ method: 'GET', url: grantUrl(caseId, grant.id) })).json(), { status: 'approved', payment_status: 'approved', payment: null })
  t.same(await lineBalance(db, cashLineId), { allocated: 500_000, committed: 30_000, spent: 0 }, 'the refused payment wrote nothing')
  t.same(await auditActions(db, grant.id), ['cash_grant.requested', 'cash_grant.approved'])

  await setCaseStatus(db, caseId, 'arrived')
  const otherPartner = as('omar', ['partner'], offices.otherPartnerOfficeId)
  t.equal((await otherPartner({ method: 'POST', url: grantUrl(caseId, grant.id, 'pay'), payload: PAID })).statusCode, 404, 'a partner of another office does not see the case')
  t.equal((await otherPartner({ method: 'GET', url: grantUrl(caseId, grant.id) })).statusCode, 404)
  t.equal((await otherPartner({ method: 'GET', url: grants(caseId) })).statusCode, 404)
  t.equal((await as('fred', ['finance'])({ method: 'POST', url: grantUrl(caseId, grant.id, 'pay'), payload: PAID })).statusCode, 403, 'the country office does not pay grants')
  const viaFinance = await as('fred', ['finance'])({ method: 'POST', url: paymentUrl(grant.payment_request_id, 'mark-paid'), payload: PAID })
  t.equal(viaFinance.statusCode, 403, 'not through the generic payment route either')
  t.same(await lineBalance(db, cashLineId), { allocated: 500_000, committed: 30_000, spent: 0 })

  const stale = await partner({ method: 'POST', url: grantUrl(caseId, grant.id, 'pay'), headers: { 'if-match': '"1"' }, payload: PAID })
  t.equal(stale.statusCode, 412, 'an If-Match older than the grant is refused')
  const paid = await partner({ method: 'POST', url: grantUrl(caseId, grant.id, 'pay'), payload: { ...PAID, amount: { amount_minor: 28_000, currency: 'EUR' } } })
  t.equal(paid.statusCode, 200)
  t.match(paid.json(), { status: 'paid', payment_status: 'paid', payment: { paid_by: 'pat', reference: 'RCPT-77812', amount: { amount_minor: 28_000 } } })
  t.equal(paid.headers.etag, `"${paid.json().version}"`)
  t.same(await lineBalance(db, cashLineId), { allocated: 500_000, committed: 0, spent: 28_000 }, 'spent what was paid, released the rest')
  t.same(await auditActions(db, grant.id), ['cash_grant.requested', 'cash_grant.approved', 'cash_grant.paid'])
  t.same(await outboxTypes(db, grant.id), ['cash_grant.requested', 'cash_grant.approved', 'cash_grant.paid'])

  const list = await partner({ method: 'GET', url: grants(caseId) })
  t.same(list.json().items.map((item: { id: string }) => item.id), [grant.id], 'the partner lists the grants of its case')
  const paidOnly = await as('aud', ['auditor'])({ method: 'GET', url: `${grants(caseId)}?status=requested` })
  t.same(paidOnly.json().items, [], 'filtered by status')
})

t.test('paying locally: the rate is recorded and the project amount derived', async (t) => {
  const context = await setup(t)
  const { as, db, offices, cashLineId } = context
  const { caseId, grant } = await approvedGrant(context, { status: 'in_reintegration' })
  const local = { amount: { amount_minor: 50_000_000, currency: 'IQD' }, exchange_rate: '1541.123456789012', rate_date: '2026-11-21', rate_source: 'Central Bank of Iraq' }
  const paid = await as('pat', ['partner'], offices.partnerOfficeId)({ method: 'POST', url: grantUrl(caseId, grant.id, 'pay'), payload: { ...PAID, local_payment: local } })
  t.equal(paid.statusCode, 200)
  // 50,000.000 IQD / 1541.123456789012 = 32.4439… EUR → 3244 cents
  t.match(paid.json(), { status: 'paid', payment: { amount: { amount_minor: 3_244, currency: 'EUR' }, local } })
  t.same(await lineBalance(db, cashLineId), { allocated: 500_000, committed: 0, spent: 3_244 })
})

t.test('a grant is never paid twice: concurrent payments, retries and repeats', async (t) => {
  const context = await setup(t)
  const { as, db, offices, cashLineId } = context
  const { caseId, grant } = await approvedGrant(context, { status: 'arrived' })
  const partner = as('pat', ['partner'], offices.partnerOfficeId)
  const results = await Promise.all([
    partner({ method: 'POST', url: grantUrl(caseId, grant.id, 'pay'), payload: PAID }),
    partner({ method: 'POST', url: grantUrl(caseId, grant.id, 'pay'), payload: { ...PAID, payment_reference: 'RCPT-77813' } }),
  ])
  t.same(results.map((result) => result.statusCode).sort(), [200, 409], 'one payment wins, the other is refused')
  const spends = (await ledgerOf(db, cashLineId)).filter((entry) => entry.kind === 'spend')
  t.equal(spends.length, 1, 'one spend')
  t.same(await lineBalance(db, cashLineId), { allocated: 500_000, committed: 0, spent: 30_000 })

  const repeat = await partner({ method: 'POST', url: grantUrl(caseId, grant.id, 'pay'), payload: PAID })
  t.equal(repeat.statusCode, 409, 'a paid grant is not paid again')
  t.match(repeat.json(), { type: '/problems/invalid-transition', current_status: 'paid' })

  const second = await approvedGrant(context, { status: 'arrived' })
  const headers = { 'idempotency-key': `pay-${second.grant.id}` }
  const first = await partner({ method: 'POST', url: grantUrl(second.caseId, second.grant.id, 'pay'), headers, payload: PAID })
  const retry = await partner({ method: 'POST', url: grantUrl(second.caseId, second.grant.id, 'pay'), headers, payload: PAID })
  t.equal(first.statusCode, 200)
  t.equal(retry.statusCode, 200, 'a retry with the same key replays the first response')
  t.equal(retry.headers['idempotent-replayed'], 'true')
  t.same(retry.json(), first.json())
  t.equal((await ledgerOf(db, cashLineId)).filter((entry) => entry.kind === 'spend').length, 2, 'the retry spent nothing')
})

t.test('a rejected grant is not paid', async (t) => {
  const { as, db, newCase, offices } = await setup(t)
  const { caseId } = await newCase({ status: 'arrived' })
  const grant = (await as('carla', ['counsellor'])({ method: 'POST', url: grants(caseId), payload: { scope: 'household' } })).json()
  const rejected = await as('ana', ['approver'])({ method: 'POST', url: paymentUrl(grant.payment_request_id, 'reject'), payload: { reason: 'Already assisted by another programme' } })
  t.equal(rejected.statusCode, 200)
  const pay = await as('pat', ['partner'], offices.partnerOfficeId)({ method: 'POST', url: grantUrl(caseId, grant.id, 'pay'), payload: PAID })
  t.equal(pay.statusCode, 409)
  t.match(pay.json(), { current_status: 'rejected' })
  t.same(await auditActions(db, grant.id), ['cash_grant.requested', 'cash_grant.rejected'])
})
