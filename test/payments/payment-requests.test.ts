import t from 'tap'
import type { Kysely } from 'kysely'
import type { DB } from '../../src/db/schema.js'
import { newId } from '../../src/shared/ids.js'
import { ProblemError } from '../../src/shared/problems.js'
import type { Role } from '../../src/shared/roles.js'
import {
  cancelLivePaymentRequestsForCase,
  cancelPaymentRequest,
  findPaymentRequest,
  requestPayment,
  wirePaymentHooks,
  type PaymentHooks,
  type PaymentHooksByKind,
  type PaymentKind,
  type RequestPaymentInput,
} from '../../src/modules/payments/service.js'
import { commitFunds } from '../../src/modules/projects/ledger.js'
import { buildTestApp, type TestApp } from '../helpers/app.js'
import { TEST_ENV_OVERRIDES, auditActions, contextOf, ledgerOf, lineBalance, outboxTypes, seedCase, seedOffices, seedProject, type Offices, type ProjectOptions } from './fixtures.js'

// The payment mechanism is tested on its own: each kind's hooks are replaced by ones that record
// their calls (and can be told to refuse), so no ticket, grant or disbursement needs to exist.
const hookCalls: string[] = []
let refuseApprovalWith: ProblemError | null = null
/** Cancelling the key also cancels the value, as a ticket's hook cancels its baggage charges. */
const cascadeCancel = new Map<string, string>()
const KINDS: PaymentKind[] = ['ticket', 'excess_baggage', 'cash_grant', 'disbursement']
const RECORDING_HOOKS: PaymentHooks = {
  onApproved: async (_db, _context, payment) => {
    if (refuseApprovalWith) throw refuseApprovalWith
    hookCalls.push(`approved:${payment.id}`)
  },
  onRejected: async (_db, _context, payment) => void hookCalls.push(`rejected:${payment.id}`),
  onPaid: async (_db, _context, payment) => void hookCalls.push(`paid:${payment.id}`),
  onCancelled: async (db, context, payment) => {
    hookCalls.push(`cancelled:${payment.id}`)
    const related = cascadeCancel.get(payment.id)
    if (related) await cancelPaymentRequest(db, context, related, 'cancelled with its ticket')
  },
}
/** Wired in place of the real hooks once the app (which wires those) is built. */
const TEST_HOOKS = Object.fromEntries(KINDS.map((kind) => [kind, RECORDING_HOOKS])) as PaymentHooksByKind

const MAKER = { sub: 'mira', roles: ['operations', 'finance', 'approver'] as Role[] }
const PAID = { payment_reference: 'TRF-2026-0042', paid_on: '2026-11-20' }

interface Setup extends TestApp {
  db: Kysely<DB>
  offices: Offices
  projectId: string
  lineId: string
  caseId: string
  create(overrides?: Partial<RequestPaymentInput>, maker?: { sub: string; roles: Role[] }): Promise<string>
}

async function setup(t: Parameters<typeof buildTestApp>[0], project: ProjectOptions = {}): Promise<Setup> {
  const testApp = await buildTestApp(t, TEST_ENV_OVERRIDES)
  wirePaymentHooks(TEST_HOOKS)
  const db = testApp.database.db
  const offices = await seedOffices(db)
  const { projectId, lineIds } = await seedProject(db, { lines: { travel: 100_000 }, ...project })
  const lineId = Object.values(lineIds)[0] as string
  const { caseId } = await seedCase(db, { officeId: offices.countryOfficeId, partnerOfficeId: offices.partnerOfficeId, projectId })
  const create = async (overrides: Partial<RequestPaymentInput> = {}, maker = MAKER) => {
    const row = await db.transaction().execute((trx) =>
      requestPayment(trx, contextOf(maker.sub, maker.roles), {
        kind: 'ticket',
        source: { type: 'ticket', id: newId() },
        budgetLineId: lineId,
        amount: { amount_minor: 40_000, currency: 'EUR' },
        caseId,
        payee: { type: 'carrier', id: 'TK', name: 'Turkish Airlines' },
        description: 'VNO-IST-TBS one way',
        ...overrides,
      }),
    )
    return row.id
  }
  return { ...testApp, db, offices, projectId, lineId, caseId, create }
}

/** The error a promise rejects with (undefined when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
    return undefined
  } catch (error) {
    return error
  }
}

const url = (id: string, action?: string) => `/v1/payment-requests/${id}${action ? `:${action}` : ''}`

t.test('maker-checker: the maker never approves or rejects their own request, whatever roles they hold, for every kind', async (t) => {
  const { as, db, create, lineId } = await setup(t)
  const maker = as(MAKER.sub, MAKER.roles)
  for (const kind of KINDS) {
    const id = await create({ kind, source: { type: kind === 'disbursement' ? 'disbursement' : kind, id: newId() } })
    const approve = await maker({ method: 'POST', url: url(id, 'approve') })
    t.equal(approve.statusCode, 403, `${kind}: the maker cannot approve`)
    t.equal(approve.json().type, '/problems/maker-checker-violation')
    const reject = await maker({ method: 'POST', url: url(id, 'reject'), payload: { reason: 'changed my mind' } })
    t.equal(reject.statusCode, 403, `${kind}: the maker cannot reject either (they may cancel)`)
    t.equal(reject.json().type, '/problems/maker-checker-violation')
    t.equal((await findPaymentRequest(db, id))?.status, 'requested', `${kind}: nothing changed`)
    t.same(await auditActions(db, id), ['payment_request.requested'], `${kind}: no decision was recorded`)
  }
  t.same(await ledgerOf(db, lineId), [], 'nothing was committed')

  const id = await create()
  const finance = await as('fred', ['finance'])({ method: 'POST', url: url(id, 'approve') })
  t.equal(finance.statusCode, 403, 'the approver role is required')
  t.equal(finance.json().type, '/problems/forbidden')

  const approved = await as('ana', ['approver'])({ method: 'POST', url: url(id, 'approve') })
  t.equal(approved.statusCode, 200, 'another person with the approver role approves')
  t.match(approved.json(), { status: 'approved', approvals: [{ approved_by: 'ana' }], second_approval_required: false, committed: { amount_minor: 40_000 } })
  t.equal(approved.headers.etag, '"2"')
})

t.test('maker-checker: the database itself refuses an approval by the maker', async (t) => {
  const { db, create } = await setup(t)
  const id = await create()
  await t.rejects(
    db.updateTable('payment_requests').set({ status: 'approved', first_approved_by: MAKER.sub, first_approved_at: new Date() }).where('id', '=', id).execute(),
    /payment_requests_maker_checker/,
  )
})

t.test('second approval: above the threshold two different approvers, neither the maker', async (t) => {
  const { as, db, create, lineId } = await setup(t, { secondApprovalThresholdMinor: 50_000, lines: { travel: 200_000 } })
  const atThreshold = await create({ amount: { amount_minor: 50_000, currency: 'EUR' } })
  const single = await as('ana', ['approver'])({ method: 'POST', url: url(atThreshold, 'approve') })
  t.match(single.json(), { status: 'approved', second_approval_required: false }, 'an amount at the threshold needs one approval')

  const above = await create({ amount: { amount_minor: 50_001, currency: 'EUR' } })
  const first = await as('ana', ['approver'])({ method: 'POST', url: url(above, 'approve') })
  t.equal(first.statusCode, 200)
  t.match(first.json(), { status: 'awaiting_second_approval', second_approval_required: true, committed: { amount_minor: 0 } })
  t.same(await ledgerOf(db, lineId).then((entries) => entries.filter((entry) => entry.payment_request_id === above)), [], 'the first approval commits nothing')
  t.notOk(hookCalls.includes(`approved:${above}`), 'the source module is not told before the final approval')

  const again = await as('ana', ['approver', 'finance'])({ method: 'POST', url: url(above, 'approve') })
  t.equal(again.statusCode, 403, 'the first approver cannot give the second approval')
  t.equal(again.json().type, '/problems/maker-checker-violation')
  const byMaker = await as(MAKER.sub, MAKER.roles)({ method: 'POST', url: url(above, 'approve') })
  t.equal(byMaker.statusCode, 403, 'nor can the maker')
  t.equal((await findPaymentRequest(db, above))?.status, 'awaiting_second_approval')

  const second = await as('bo', ['approver'])({ method: 'POST', url: url(above, 'approve') })
  t.equal(second.statusCode, 200)
  t.match(second.json(), { status: 'approved', approvals: [{ approved_by: 'ana' }, { approved_by: 'bo' }], committed: { amount_minor: 50_001 } })
  t.same(await lineBalance(db, lineId), { allocated: 200_000, committed: 100_001, spent: 0 })
  t.ok(hookCalls.includes(`approved:${above}`), 'the final approval calls the onApproved hook')
  t.same(await auditActions(db, above), ['payment_request.requested', 'payment_request.first_approved', 'payment_request.approved'])
  t.same(await outboxTypes(db, above), ['payment_request.requested', 'payment_request.first_approved', 'payment_request.approved'])

  const third = await as('cy', ['approver'])({ method: 'POST', url: url(above, 'approve') })
  t.equal(third.statusCode, 409, 'an approved request cannot be approved again')
  t.match(third.json(), { type: '/problems/invalid-transition', current_status: 'approved' })
})

t.test('approval that does not fit the budget line is refused and writes nothing', async (t) => {
  const { as, db, create, lineId } = await setup(t, { lines: { travel: 60_000 } })
  const first = await create({ amount: { amount_minor: 40_000, currency: 'EUR' } })
  const second = await create({ amount: { amount_minor: 30_000, currency: 'EUR' } })
  t.equal((await as('ana', ['approver'])({ method: 'POST', url: url(first, 'approve') })).statusCode, 200)
  const before = await lineBalance(db, lineId)
  const refused = await as('ana', ['approver'])({ method: 'POST', url: url(second, 'approve') })
  t.equal(refused.statusCode, 409)
  t.match(refused.json(), { type: '/problems/budget-line-exhausted', available: { amount_minor: 20_000, currency: 'EUR' } })
  const row = await findPaymentRequest(db, second)
  t.match(row, { status: 'requested', version: 1, first_approved_by: null, committed_minor: 0 }, 'the request is untouched')
  t.same(await lineBalance(db, lineId), before, 'the line is untouched')
  t.equal((await ledgerOf(db, lineId)).filter((entry) => entry.payment_request_id === second).length, 0, 'no ledger entry')
  t.same(await auditActions(db, second), ['payment_request.requested'], 'no audit entry')
  t.same(await outboxTypes(db, second), ['payment_request.requested'], 'no event')
  t.notOk(hookCalls.includes(`approved:${second}`))
})

t.test('a hook that refuses aborts the whole transition', async (t) => {
  const { as, db, create, lineId } = await setup(t)
  const id = await create()
  refuseApprovalWith = new ProblemError('conflict', 'the ticket was voided meanwhile')
  t.teardown(() => {
    refuseApprovalWith = null
  })
  const refused = await as('ana', ['approver'])({ method: 'POST', url: url(id, 'approve') })
  refuseApprovalWith = null
  t.equal(refused.statusCode, 409)
  t.equal(refused.json().detail, 'the ticket was voided meanwhile')
  t.match(await findPaymentRequest(db, id), { status: 'requested', version: 1 })
  t.same(await ledgerOf(db, lineId), [], 'the commitment made before the hook was rolled back')
  t.same(await lineBalance(db, lineId), { allocated: 100_000, committed: 0, spent: 0 })
})

t.test('mark paid: a cheaper invoice spends what was paid and releases the rest; more than approved is refused', async (t) => {
  const { as, db, create, lineId } = await setup(t)
  const id = await create({ amount: { amount_minor: 40_000, currency: 'EUR' } })
  await as('ana', ['approver'])({ method: 'POST', url: url(id, 'approve') })
  const finance = as('fred', ['finance'])

  const over = await finance({ method: 'POST', url: url(id, 'mark-paid'), payload: { ...PAID, amount: { amount_minor: 40_001, currency: 'EUR' } } })
  t.equal(over.statusCode, 409, 'paying more than approved is refused')
  t.match(over.json(), { type: '/problems/conflict', approved: { amount_minor: 40_000 }, paid: { amount_minor: 40_001 } })
  t.match(await findPaymentRequest(db, id), { status: 'approved', version: 2, paid_amount_minor: null })
  t.same(await lineBalance(db, lineId), { allocated: 100_000, committed: 40_000, spent: 0 }, 'the over-payment wrote nothing')

  const paid = await finance({ method: 'POST', url: url(id, 'mark-paid'), payload: { ...PAID, amount: { amount_minor: 35_550, currency: 'EUR' } } })
  t.equal(paid.statusCode, 200)
  t.match(paid.json(), {
    status: 'paid',
    released: { amount_minor: 4_450 },
    payment: { paid_by: 'fred', paid_on: '2026-11-20', reference: 'TRF-2026-0042', amount: { amount_minor: 35_550, currency: 'EUR' }, local: null },
  })
  t.same(await lineBalance(db, lineId), { allocated: 100_000, committed: 0, spent: 35_550 }, 'the difference is available again')
  t.same(
    (await ledgerOf(db, lineId)).map((entry) => [entry.kind, entry.amount]),
    [['commit', 40_000], ['spend', 35_550], ['release', 4_450]],
  )
  t.ok(hookCalls.includes(`paid:${id}`))

  const again = await finance({ method: 'POST', url: url(id, 'mark-paid'), payload: PAID })
  t.equal(again.statusCode, 409, 'a paid request is not paid again')
  t.equal(again.json().current_status, 'paid')
  const cancel = await finance({ method: 'POST', url: url(id, 'cancel'), payload: { reason: 'too late' } })
  t.equal(cancel.statusCode, 409, 'a paid request cannot be cancelled')
})

t.test('mark paid: the full amount by default, only once approved, with If-Match honoured', async (t) => {
  const { as, db, create, lineId } = await setup(t)
  const id = await create()
  const finance = as('fred', ['finance'])
  const early = await finance({ method: 'POST', url: url(id, 'mark-paid'), payload: PAID })
  t.equal(early.statusCode, 409, 'an unapproved request cannot be paid')
  t.match(early.json(), { type: '/problems/invalid-transition', current_status: 'requested', allowed_from: ['approved'] })
  await as('ana', ['approver'])({ method: 'POST', url: url(id, 'approve') })
  const stale = await finance({ method: 'POST', url: url(id, 'mark-paid'), headers: { 'if-match': '"1"' }, payload: PAID })
  t.equal(stale.statusCode, 412, 'a stale If-Match is refused')
  const paid = await finance({ method: 'POST', url: url(id, 'mark-paid'), headers: { 'if-match': '"2"' }, payload: PAID })
  t.equal(paid.statusCode, 200)
  t.match(paid.json(), { payment: { amount: { amount_minor: 40_000 } }, released: { amount_minor: 0 } })
  t.same(await lineBalance(db, lineId), { allocated: 100_000, committed: 0, spent: 40_000 })
})

t.test('mark paid: currencies are validated and nothing is written', async (t) => {
  const { as, db, create, lineId } = await setup(t)
  const id = await create()
  await as('ana', ['approver'])({ method: 'POST', url: url(id, 'approve') })
  const finance = as('fred', ['finance'])

  const unknown = await finance({ method: 'POST', url: url(id, 'mark-paid'), payload: { ...PAID, amount: { amount_minor: 100, currency: 'XYZ' } } })
  t.equal(unknown.statusCode, 400, 'an unknown ISO 4217 code is a validation error')
  t.ok(unknown.json().errors.some((error: { pointer: string }) => error.pointer === '/body/amount/currency'))

  const mismatch = await finance({ method: 'POST', url: url(id, 'mark-paid'), payload: { ...PAID, amount: { amount_minor: 100, currency: 'USD' } } })
  t.equal(mismatch.statusCode, 422, 'an amount in another currency than the project\'s is refused')
  t.match(mismatch.json(), { type: '/problems/currency-mismatch', expected_currency: 'EUR' })

  const localInProjectCurrency = await finance({
    method: 'POST',
    url: url(id, 'mark-paid'),
    payload: { ...PAID, local_payment: { amount: { amount_minor: 100, currency: 'EUR' }, exchange_rate: '1', rate_date: '2026-11-20', rate_source: 'NBG' } },
  })
  t.equal(localInProjectCurrency.statusCode, 422, 'a local payment is in another currency than the project\'s')
  t.equal(localInProjectCurrency.json().type, '/problems/currency-mismatch')

  const badRate = await finance({
    method: 'POST',
    url: url(id, 'mark-paid'),
    payload: { ...PAID, local_payment: { amount: { amount_minor: 100, currency: 'GEL' }, exchange_rate: '2,93', rate_date: '2026-11-20', rate_source: 'NBG' } },
  })
  t.equal(badRate.statusCode, 400, 'a rate that is not a plain decimal is refused')
  t.ok(badRate.json().errors.some((error: { pointer: string }) => error.pointer === '/body/local_payment/exchange_rate'))

  const zeroRate = await finance({
    method: 'POST',
    url: url(id, 'mark-paid'),
    payload: { ...PAID, local_payment: { amount: { amount_minor: 100, currency: 'GEL' }, exchange_rate: '0.000', rate_date: '2026-11-20', rate_source: 'NBG' } },
  })
  t.equal(zeroRate.statusCode, 422, 'a zero rate is refused')

  const rateAfterPayment = await finance({
    method: 'POST',
    url: url(id, 'mark-paid'),
    payload: { ...PAID, local_payment: { amount: { amount_minor: 100, currency: 'GEL' }, exchange_rate: '2.9', rate_date: '2026-11-21', rate_source: 'NBG' } },
  })
  t.equal(rateAfterPayment.statusCode, 422, 'a rate dated after the payment is refused')

  const future = await finance({ method: 'POST', url: url(id, 'mark-paid'), payload: { ...PAID, paid_on: '2099-01-01' } })
  t.equal(future.statusCode, 422, 'a payment dated in the future is refused')

  const inconsistent = await finance({
    method: 'POST',
    url: url(id, 'mark-paid'),
    payload: { ...PAID, amount: { amount_minor: 100, currency: 'EUR' }, local_payment: { amount: { amount_minor: 10_000, currency: 'GEL' }, exchange_rate: '2.5', rate_date: '2026-11-20', rate_source: 'NBG' } },
  })
  t.equal(inconsistent.statusCode, 422, 'an amount that contradicts the local payment is refused')

  t.match(await findPaymentRequest(db, id), { status: 'approved', version: 2 }, 'none of these changed the request')
  t.same(await lineBalance(db, lineId), { allocated: 100_000, committed: 40_000, spent: 0 })
  t.same(await auditActions(db, id), ['payment_request.requested', 'payment_request.approved'])

  const wrongRequestCurrency = db.transaction().execute((trx) =>
    requestPayment(trx, contextOf('mira', ['operations']), {
      kind: 'ticket',
      source: { type: 'ticket', id: newId() },
      budgetLineId: lineId,
      amount: { amount_minor: 100, currency: 'USD' },
      payee: { type: 'carrier', name: 'Air' },
      description: 'x',
    }),
  )
  t.match(await rejection(wrongRequestCurrency), { slug: 'currency-mismatch', status: 422 }, 'a request in another currency than the line\'s is refused')
})

t.test('mark paid locally: the project amount is derived from the local amount and the rate, rounded half up', async (t) => {
  const { as, db, create, lineId } = await setup(t)
  const id = await create({ amount: { amount_minor: 40_000, currency: 'EUR' } })
  await as('ana', ['approver'])({ method: 'POST', url: url(id, 'approve') })
  // 880.00 GEL at 2.934712345678 GEL per EUR = 299.8590… EUR → 29986 cents
  const local = { amount: { amount_minor: 88_000, currency: 'GEL' }, exchange_rate: '2.934712345678', rate_date: '2026-11-19', rate_source: 'National Bank of Georgia' }
  const paid = await as('fred', ['finance'])({ method: 'POST', url: url(id, 'mark-paid'), payload: { ...PAID, local_payment: local } })
  t.equal(paid.statusCode, 200)
  t.match(paid.json(), {
    payment: { amount: { amount_minor: 29_986, currency: 'EUR' }, local },
    released: { amount_minor: 40_000 - 29_986 },
  })
  t.same(await lineBalance(db, lineId), { allocated: 100_000, committed: 0, spent: 29_986 })
  const row = await findPaymentRequest(db, id)
  t.match(row, { local_amount_minor: 88_000, local_currency: 'GEL', exchange_rate: '2.934712345678', rate_date: '2026-11-19', rate_source: 'National Bank of Georgia' })

  // An exact half, with a three-decimal local currency: 12.345 IQD at 1 IQD per EUR is 1234.5 cents → 1235.
  const half = await create({ amount: { amount_minor: 2_000, currency: 'EUR' } })
  await as('ana', ['approver'])({ method: 'POST', url: url(half, 'approve') })
  const halfPaid = await as('fred', ['finance'])({
    method: 'POST',
    url: url(half, 'mark-paid'),
    payload: { ...PAID, local_payment: { amount: { amount_minor: 12_345, currency: 'IQD' }, exchange_rate: '1', rate_date: '2026-11-20', rate_source: 'CBI' } },
  })
  t.equal(halfPaid.json().payment.amount.amount_minor, 1_235, 'an exact half rounds up')
})

t.test('cancel releases exactly what the approval committed', async (t) => {
  const { as, db, create, lineId, caseId } = await setup(t)
  const approvedId = await create({ amount: { amount_minor: 40_000, currency: 'EUR' } })
  const otherId = await create({ amount: { amount_minor: 25_000, currency: 'EUR' } })
  const pendingId = await create({ amount: { amount_minor: 10_000, currency: 'EUR' } })
  await as('ana', ['approver'])({ method: 'POST', url: url(approvedId, 'approve') })
  await as('ana', ['approver'])({ method: 'POST', url: url(otherId, 'approve') })
  t.same(await lineBalance(db, lineId), { allocated: 100_000, committed: 65_000, spent: 0 })

  const cancelled = await as('fred', ['finance'])({ method: 'POST', url: url(approvedId, 'cancel'), payload: { reason: 'No-show at the airport' } })
  t.equal(cancelled.statusCode, 200)
  t.match(cancelled.json(), { status: 'cancelled', released: { amount_minor: 40_000 }, cancellation: { cancelled_by: 'fred', reason: 'No-show at the airport' } })
  t.same(await lineBalance(db, lineId), { allocated: 100_000, committed: 25_000, spent: 0 }, 'exactly its commitment went back; the other stays')
  t.ok(hookCalls.includes(`cancelled:${approvedId}`))

  const pending = await as(MAKER.sub, ['operations'])({ method: 'POST', url: url(pendingId, 'cancel'), payload: { reason: 'Booked twice' } })
  t.equal(pending.statusCode, 200, 'the maker may cancel their own request')
  t.match(pending.json(), { status: 'cancelled', released: { amount_minor: 0 } }, 'nothing was committed, nothing is released')
  t.equal((await ledgerOf(db, lineId)).filter((entry) => entry.payment_request_id === pendingId).length, 0)

  const notMine = await as('carla', ['counsellor'])({ method: 'POST', url: url(otherId, 'cancel'), payload: { reason: 'x' } })
  t.equal(notMine.statusCode, 403, 'a caseworker cannot cancel someone else\'s request')

  // A no-show of the case: every live request is cancelled and released, once, also when a hook
  // cancels a related request first (here, cancelling `otherId` cancels `third`).
  const third = await create({ amount: { amount_minor: 5_000, currency: 'EUR' } })
  await as('ana', ['approver'])({ method: 'POST', url: url(third, 'approve') })
  cascadeCancel.set(otherId, third)
  const cancelledForCase = await db.transaction().execute((trx) => cancelLivePaymentRequestsForCase(trx, contextOf('olga', ['operations']), caseId, 'Case no-show'))
  t.same(cancelledForCase.map((row) => row.id), [otherId], 'the request the hook cancelled is not cancelled twice')
  t.match(await findPaymentRequest(db, third), { status: 'cancelled', released_minor: 5_000 })
  t.same(await lineBalance(db, lineId), { allocated: 100_000, committed: 0, spent: 0 })

  const twice = db.transaction().execute((trx) => cancelPaymentRequest(trx, contextOf('olga', ['operations']), approvedId, 'again'))
  t.match(await rejection(twice), { slug: 'invalid-transition' }, 'a cancelled request is not cancelled again')
})

t.test('a payment that spends an earlier commitment (commitOnApproval false) commits nothing and releases nothing of it', async (t) => {
  const { as, db, create, lineId: line, caseId } = await setup(t, { lines: { in_kind_reintegration: 100_000 } })
  const planId = newId()
  await db.transaction().execute((trx) =>
    commitFunds(trx, contextOf('ana', ['approver']), { budgetLineId: line, amount: { amount_minor: 60_000, currency: 'EUR' }, source: { type: 'reintegration_plan', id: planId }, caseId }),
  )
  const id = await create({
    kind: 'disbursement',
    source: { type: 'disbursement', id: newId() },
    budgetLineId: line,
    amount: { amount_minor: 20_000, currency: 'EUR' },
    payee: { type: 'supplier', id: newId(), name: 'Agro Supplies LLC' },
    commitOnApproval: false,
    commitmentSource: { type: 'reintegration_plan', id: planId },
  })
  const approved = await as('ana', ['approver'])({ method: 'POST', url: url(id, 'approve') })
  t.match(approved.json(), { status: 'approved', committed: { amount_minor: 0 }, commitment_source: { type: 'reintegration_plan', id: planId } })
  t.same(await lineBalance(db, line), { allocated: 100_000, committed: 60_000, spent: 0 }, 'approval committed nothing more')
  const paid = await as('fred', ['finance'])({ method: 'POST', url: url(id, 'mark-paid'), payload: { ...PAID, amount: { amount_minor: 18_000, currency: 'EUR' } } })
  t.equal(paid.statusCode, 200)
  t.match(paid.json(), { released: { amount_minor: 0 } })
  t.same(await lineBalance(db, line), { allocated: 100_000, committed: 42_000, spent: 18_000 }, 'the plan keeps the rest of its commitment')
})

t.test('partner offices pay and see only payments of cases referred to them', async (t) => {
  const { as, db, create, offices, projectId } = await setup(t, { lines: { travel: 200_000 } })
  const id = await create()
  const { caseId: otherCase } = await seedCase(db, { officeId: offices.countryOfficeId, partnerOfficeId: offices.otherPartnerOfficeId, projectId })
  const otherId = await create({ caseId: otherCase })
  const noCase = await create({ caseId: null })
  for (const payment of [id, otherId, noCase]) await as('ana', ['approver'])({ method: 'POST', url: url(payment, 'approve') })

  const partner = as('pat', ['partner'], offices.partnerOfficeId)
  const list = await partner({ method: 'GET', url: '/v1/payment-requests' })
  t.same(list.json().items.map((item: { id: string }) => item.id), [id], 'the list holds only requests of its cases')
  t.equal((await partner({ method: 'GET', url: url(otherId) })).statusCode, 404, 'another office\'s request is not found')
  t.equal((await partner({ method: 'GET', url: url(noCase) })).statusCode, 404, 'a request without a case is not found')
  const foreign = await partner({ method: 'POST', url: url(otherId, 'mark-paid'), payload: PAID })
  t.equal(foreign.statusCode, 404, 'another office\'s request cannot be paid')
  t.match(await findPaymentRequest(db, otherId), { status: 'approved' })

  const paid = await partner({ method: 'POST', url: url(id, 'mark-paid'), payload: PAID })
  t.equal(paid.statusCode, 200, 'the partner office pays a payment of its case')
  t.equal(paid.json().payment.paid_by, 'pat')

  const staff = await as('aud', ['auditor'])({ method: 'GET', url: '/v1/payment-requests?status=approved' })
  t.same(staff.json().items.map((item: { id: string }) => item.id).sort(), [otherId, noCase].sort(), 'staff see all, filtered by status')
})

t.test('double pay: concurrent and repeated payments pay once', async (t) => {
  const { as, db, create, lineId } = await setup(t)
  const id = await create()
  await as('ana', ['approver'])({ method: 'POST', url: url(id, 'approve') })
  const finance = as('fred', ['finance'])
  const results = await Promise.all([
    finance({ method: 'POST', url: url(id, 'mark-paid'), payload: PAID }),
    finance({ method: 'POST', url: url(id, 'mark-paid'), payload: { ...PAID, payment_reference: 'TRF-OTHER' } }),
  ])
  t.same(results.map((result) => result.statusCode).sort(), [200, 409], 'one payment wins, the other is refused')
  t.equal((await ledgerOf(db, lineId)).filter((entry) => entry.kind === 'spend').length, 1, 'one spend')
  t.same(await lineBalance(db, lineId), { allocated: 100_000, committed: 0, spent: 40_000 })

  const other = await create()
  await as('ana', ['approver'])({ method: 'POST', url: url(other, 'approve') })
  const headers = { 'idempotency-key': 'pay-other-1' }
  const first = await finance({ method: 'POST', url: url(other, 'mark-paid'), headers, payload: PAID })
  const retry = await finance({ method: 'POST', url: url(other, 'mark-paid'), headers, payload: PAID })
  t.equal(first.statusCode, 200)
  t.equal(retry.statusCode, 200, 'a retry with the same key replays the first response')
  t.equal(retry.headers['idempotent-replayed'], 'true')
  t.same(retry.json(), first.json())
  t.equal((await ledgerOf(db, lineId)).filter((entry) => entry.kind === 'spend').length, 2, 'the retry spent nothing')
})

t.test('reject: a checker rejects with a reason; a rejected request may be requested again', async (t) => {
  const { as, db, create } = await setup(t)
  const source = { type: 'ticket' as const, id: newId() }
  const id = await create({ source })
  t.match(await rejection(create({ source })), { slug: 'duplicate-resource' }, 'one live payment request per cost')
  const missingReason = await as('ana', ['approver'])({ method: 'POST', url: url(id, 'reject'), payload: {} })
  t.equal(missingReason.statusCode, 400)
  const rejected = await as('ana', ['approver'])({ method: 'POST', url: url(id, 'reject'), payload: { reason: 'Fare above the agreed ceiling' } })
  t.equal(rejected.statusCode, 200)
  t.match(rejected.json(), { status: 'rejected', rejection: { rejected_by: 'ana', reason: 'Fare above the agreed ceiling' }, allowed_actions: [] })
  t.ok(hookCalls.includes(`rejected:${id}`))
  t.ok(await create({ source }), 'after a rejection the cost can be requested again')
  const audit = await db.selectFrom('audit_events').select('changes').where('entity_id', '=', id).where('action', '=', 'payment_request.requested').executeTakeFirstOrThrow()
  t.same((audit.changes as Record<string, { after?: unknown }>).payee_name, { after: '[restricted]' }, 'the payee name is masked in the audit trail')
})

t.test('requestPayment: what source modules send is validated, and nothing is written when it is wrong', async (t) => {
  const { db, create, offices } = await setup(t)
  const { projectId: otherProject } = await seedProject(db, { lines: { travel: 10_000 } })
  const { caseId: otherProjectCase } = await seedCase(db, { officeId: offices.countryOfficeId, projectId: otherProject })
  t.match(await rejection(create({ caseId: otherProjectCase })), { status: 422, extensions: { errors: [{ pointer: '/budget_line_id' }] } }, 'a case is charged to its own project\'s lines')
  t.match(await rejection(create({ amount: { amount_minor: 0, currency: 'EUR' } })), { status: 422, extensions: { errors: [{ pointer: '/amount/amount_minor' }] } })
  t.match(await rejection(create({ amount: { amount_minor: 10.5, currency: 'EUR' } })), { status: 422 }, 'fractions of a minor unit are refused')
  t.match(await rejection(create({ amount: { amount_minor: 100, currency: 'EURO' } })), { status: 422, extensions: { errors: [{ pointer: '/amount/currency' }] } })
  t.match(await rejection(create({ budgetLineId: newId() })), { status: 422, extensions: { errors: [{ pointer: '/budget_line_id' }] } })
  t.match(await rejection(create({ caseId: newId() })), { status: 422, extensions: { errors: [{ pointer: '/case_id' }] } })
  t.match(await rejection(create({ commitOnApproval: false })), { status: 422, extensions: { errors: [{ pointer: '/commitmentSource' }] } }, 'a payment that does not commit names the commitment it spends')
  t.match(await rejection(create({ description: '  ' })), { status: 422, extensions: { errors: [{ pointer: '/description' }] } })
  t.equal((await db.selectFrom('payment_requests').select('id').execute()).length, 0)
  t.equal((await db.selectFrom('audit_events').select('id').execute()).length, 0)
})

t.test('payment requests: list filters and keyset pagination', async (t) => {
  const { as, create, caseId, lineId, projectId } = await setup(t)
  const ids: string[] = []
  for (let index = 0; index < 5; index += 1) ids.push(await create({ kind: index % 2 === 0 ? 'ticket' : 'excess_baggage', source: { type: index % 2 === 0 ? 'ticket' : 'excess_baggage', id: newId() } }))
  const reader = as('aud', ['auditor'])
  const seen: string[] = []
  let cursor: string | null = null
  do {
    const query: string = cursor ? `&cursor=${cursor}` : ''
    const page = (await reader({ method: 'GET', url: `/v1/payment-requests?limit=2${query}` })).json()
    seen.push(...page.items.map((item: { id: string }) => item.id))
    cursor = page.next_cursor
  } while (cursor)
  t.same(seen, ids, 'pages follow each other without gaps or repeats')
  const baggage = (await reader({ method: 'GET', url: `/v1/payment-requests?kind=excess_baggage&case_id=${caseId}&project_id=${projectId}&budget_line_id=${lineId}` })).json()
  t.same(baggage.items.map((item: { id: string }) => item.id), [ids[1], ids[3]])
  const bad = await reader({ method: 'GET', url: '/v1/payment-requests?status=lost' })
  t.equal(bad.statusCode, 400)
  const missing = await reader({ method: 'GET', url: `/v1/payment-requests/${newId()}` })
  t.equal(missing.statusCode, 404)
})
