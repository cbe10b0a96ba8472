import t from 'tap'
import { newId } from '../../src/shared/ids.js'
import { requestPayment } from '../../src/modules/payments/service.js'
import { abandonPlansOfCase } from '../../src/modules/reintegration/plans.js'
import {
  EUR,
  disbursementBody,
  disbursementsUrl,
  expectStatus,
  isoDate,
  lineBalance,
  markArrived,
  planFixture,
  planUrl,
  reintegrationFixture,
  registerSupplier,
  snapshotCounts,
  type Caller,
  type Fixture,
  type Json,
} from './helpers.js'

const paymentUrl = (id: string, verb?: string) => `/v1/payment-requests/${id}${verb ? `:${verb}` : ''}`

/** A plan of an arrived case, with a supplier registered by the case's partner office. */
async function readyPlan(f: Fixture, budgetMinor = 185_000) {
  const plan = await planFixture(f, { budgetMinor })
  await markArrived(f, plan.caseId)
  const supplier = await registerSupplier(f.partnerTbilisi)
  return { ...plan, supplierId: supplier.id as string }
}

async function disburse(f: Fixture, caseId: string, planId: string, supplierId: string, amountMinor: number, caller: Caller = f.counsellor): Promise<Json> {
  return expectStatus(
    await caller({
      method: 'POST',
      url: disbursementsUrl(caseId, planId),
      payload: disbursementBody(supplierId, { items: [{ description: 'Tools', quantity: 1, unit_price: EUR(amountMinor) }] }),
    }),
    201,
    'disburse',
  )
}

async function pay(f: Fixture, paymentRequestId: string, amountMinor?: number): Promise<void> {
  await expectStatus(await f.approver({ method: 'POST', url: paymentUrl(paymentRequestId, 'approve') }), 200, 'approve payment')
  await expectStatus(
    await f.finance({
      method: 'POST',
      url: paymentUrl(paymentRequestId, 'mark-paid'),
      payload: { payment_reference: `TRF-${newId().slice(-6)}`, paid_on: isoDate(0), ...(amountMinor ? { amount: EUR(amountMinor) } : {}) },
    }),
    200,
    'mark paid',
  )
}

async function deliver(f: Fixture, caseId: string, planId: string, disbursementId: string, caller: Caller = f.partnerTbilisi) {
  return caller({
    method: 'POST',
    url: `${disbursementsUrl(caseId, planId)}/${disbursementId}:confirm-delivery`,
    payload: { delivered_on: isoDate(0), delivered_items: 'Tools handed over at the returnee\'s home', notes: 'All in working order' },
  })
}

async function plan(f: Fixture, caseId: string, planId: string): Promise<Json> {
  return (await f.auditor({ method: 'GET', url: planUrl(caseId, planId) })).json()
}

t.test('a disbursement pays a supplier through a maker-checker payment request and moves the case into reintegration', async (t) => {
  const f = await reintegrationFixture(t)
  const { caseId, planId, supplierId } = await readyPlan(f)
  const planEtag = async () => (await f.auditor({ method: 'GET', url: planUrl(caseId, planId) })).headers.etag
  const etags = [await planEtag()]
  const created = await f.counsellor({
    method: 'POST',
    url: disbursementsUrl(caseId, planId),
    payload: disbursementBody(supplierId, {
      items: [
        { description: 'Concrete mixer 180 l', quantity: 1, unit_price: EUR(65_000) },
        { description: 'Trowel', quantity: 4, unit_price: EUR(1_250) },
      ],
      amount: EUR(70_000),
      invoice_number: 'KS-2026-0457',
    }),
  })
  t.equal(created.statusCode, 201)
  const disbursement = created.json()
  t.match(disbursement, {
    plan_id: planId,
    supplier: { id: supplierId, name: 'Kutaisi Stroi LLC', office_id: f.offices.tbilisi },
    amount: EUR(70_000),
    status: 'requested',
    invoice_number: 'KS-2026-0457',
    paid_amount: null,
    delivery: null,
    created_by: 'carla',
  })
  t.notOk('bank_details' in disbursement.supplier, 'a disbursement shows no bank details')
  etags.push(await planEtag())

  const payment = (await f.finance({ method: 'GET', url: paymentUrl(disbursement.payment_request_id) })).json()
  t.match(payment, {
    kind: 'disbursement',
    status: 'requested',
    case_id: caseId,
    budget_line_id: f.inKindLineId,
    amount: EUR(70_000),
    payee: { type: 'supplier', id: supplierId, name: 'Kutaisi Stroi LLC' },
    commit_on_approval: false,
    commitment_source: { type: 'reintegration_plan', id: planId },
    source: { type: 'disbursement', id: disbursement.id },
    requested_by: 'carla',
  })
  const caseRecord = (await f.auditor({ method: 'GET', url: `/v1/return-cases/${caseId}` })).json()
  t.equal(caseRecord.status, 'in_reintegration', 'the first disbursement starts the case\'s reintegration')

  const maker = f.as('carla', ['counsellor', 'approver'])
  const ownApproval = await maker({ method: 'POST', url: paymentUrl(disbursement.payment_request_id, 'approve') })
  t.equal(ownApproval.json().type, '/problems/maker-checker-violation', 'who requested the disbursement cannot approve its payment')

  await pay(f, disbursement.payment_request_id)
  const paid = (await f.auditor({ method: 'GET', url: `${disbursementsUrl(caseId, planId)}/${disbursement.id}` })).json()
  t.match(paid, { status: 'paid', paid_amount: EUR(70_000) })
  t.same(await lineBalance(f), { allocated: 2_400_000, committed: 115_000, spent: 70_000 }, 'paying spends the plan\'s commitment; nothing more is committed')
  t.match(await plan(f, caseId, planId), { status: 'active', disbursed: EUR(70_000), spent: EUR(70_000), available: EUR(115_000) })
  etags.push(await planEtag())
  t.equal(new Set(etags).size, etags.length, `the plan's ETag changes with each disbursement change it shows (${etags.join(', ')})`)
  const actions = await f.db.selectFrom('audit_events').select('action').where('entity_id', '=', disbursement.id).orderBy('id').execute()
  t.same(actions.map((row) => row.action), ['reintegration_disbursement.requested', 'reintegration_disbursement.approved', 'reintegration_disbursement.paid'])
})

t.test('a disbursement over the plan is refused, also when requests race; rejected and cancelled ones free their amount', async (t) => {
  const f = await reintegrationFixture(t)
  const { caseId, planId, supplierId } = await readyPlan(f, 100_000)
  await disburse(f, caseId, planId, supplierId, 60_000)
  const before = await snapshotCounts(f)
  const over = await f.counsellor({
    method: 'POST',
    url: disbursementsUrl(caseId, planId),
    payload: disbursementBody(supplierId, { items: [{ description: 'Tools', quantity: 1, unit_price: EUR(40_001) }] }),
  })
  t.equal(over.statusCode, 409)
  t.match(over.json(), { type: '/problems/plan-budget-exceeded', budget: EUR(100_000), available: EUR(40_000), requested: EUR(40_001) })
  t.same(await snapshotCounts(f), before, 'nothing written: no disbursement, no payment request')

  const racing = await Promise.all(
    [1, 2, 3].map((n) =>
      f.counsellor({
        method: 'POST',
        url: disbursementsUrl(caseId, planId),
        payload: disbursementBody(supplierId, { items: [{ description: `Tools ${n}`, quantity: 1, unit_price: EUR(15_000) }], invoice_number: `RACE-${n}` }),
      }),
    ),
  )
  t.same(racing.map((response) => response.statusCode).sort(), [201, 201, 409], 'two fit, the third would go over: the plan row serialises them')
  t.match(await plan(f, caseId, planId), { disbursed: EUR(90_000), available: EUR(10_000) })

  const rejected = racing.find((response) => response.statusCode === 201)?.json() as Json
  await expectStatus(await f.approver({ method: 'POST', url: paymentUrl(rejected.payment_request_id, 'reject'), payload: { reason: 'Invoice not itemised' } }), 200, 'reject payment')
  const afterRejection = (await f.auditor({ method: 'GET', url: `${disbursementsUrl(caseId, planId)}/${rejected.id}` })).json()
  t.equal(afterRejection.status, 'rejected')
  t.match(await plan(f, caseId, planId), { disbursed: EUR(75_000), available: EUR(25_000) }, 'a rejected disbursement no longer uses the budget')
  await disburse(f, caseId, planId, supplierId, 25_000)
  t.match(await plan(f, caseId, planId), { available: EUR(0) })
})

t.test('always paid to a registered supplier of the plan\'s country and partner office, never to the returnee', async (t) => {
  const f = await reintegrationFixture(t)
  const { caseId, planId, supplierId, caseRecord } = await readyPlan(f)
  const iraqiSupplier = await registerSupplier(f.partnerBaghdad, { name: 'Baghdad Electric', registration_number: '9001' })
  const url = disbursementsUrl(caseId, planId)
  const before = await snapshotCounts(f)
  const refuse = async (payload: Record<string, unknown>, status: number, type: string, pointer: string) => {
    const response = await f.counsellor({ method: 'POST', url, payload })
    t.equal(response.statusCode, status, `${type} at ${pointer}`)
    t.equal(response.json().type, `/problems/${type}`)
    t.ok(response.json().errors?.some((error: { pointer: string }) => error.pointer === pointer), `points at ${pointer}`)
  }
  const { supplier_id: _drop, ...withoutSupplier } = disbursementBody(supplierId)
  await refuse(withoutSupplier, 400, 'validation-error', '/body/supplier_id')
  await refuse({ ...disbursementBody(supplierId), payee: { type: 'returnee', id: caseRecord.members[0].id } }, 400, 'validation-error', '/body/payee')
  await refuse(disbursementBody(caseRecord.members[0].id), 422, 'unprocessable-entity', '/body/supplier_id')
  await refuse(disbursementBody(iraqiSupplier.id), 422, 'unprocessable-entity', '/body/supplier_id')
  await refuse(disbursementBody(supplierId, { amount: EUR(64_999) }), 422, 'unprocessable-entity', '/body/amount/amount_minor')
  await refuse(disbursementBody(supplierId, { items: [{ description: 'x', quantity: 1, unit_price: { amount_minor: 100, currency: 'GEL' } }] }), 422, 'currency-mismatch', '/body/items/0/unit_price/currency')
  await refuse(disbursementBody(supplierId, { invoice_date: isoDate(3) }), 400, 'validation-error', '/body/invoice_date')
  t.same(await snapshotCounts(f), before, 'nothing written')

  // A second partner office in Georgia registers its own supplier: not the office that confirms deliveries of this case.
  const batumi = await expectStatus(await f.admin({ method: 'POST', url: '/v1/offices', payload: { code: 'BUS', name: 'IOM Batumi', country: 'GE', kind: 'partner_office' } }), 201, 'office')
  const batumiSupplier = await registerSupplier(f.as('bela', ['partner'], batumi.id), { name: 'Batumi Tools', registration_number: '777' })
  await refuse(disbursementBody(batumiSupplier.id), 422, 'unprocessable-entity', '/body/supplier_id')

  // Whatever creates a payment request, a disbursement payment to a non-supplier is never approved.
  const rogue = await f.db.transaction().execute((trx) =>
    requestPayment(trx, { actor: { sub: 'mallory', roles: ['finance'], officeId: null }, requestId: 'test' }, {
      kind: 'disbursement',
      source: { type: 'disbursement', id: newId() },
      budgetLineId: f.inKindLineId,
      amount: EUR(10_000),
      caseId,
      payee: { type: 'returnee', id: caseRecord.members[0].id, name: 'Giorgi Beridze' },
      description: 'Cash to the returnee',
      commitOnApproval: false,
      commitmentSource: { type: 'reintegration_plan', id: planId },
    }),
  )
  const approval = await f.approver({ method: 'POST', url: paymentUrl(rogue.id, 'approve') })
  t.equal(approval.statusCode, 422, 'the approval of a payment that pays no supplier disbursement is refused')
  t.equal((await f.finance({ method: 'GET', url: paymentUrl(rogue.id) })).json().status, 'requested', 'and changes nothing')
})

t.test('disbursements wait for the returnees\' arrival and an active plan; an invoice is paid once', async (t) => {
  const f = await reintegrationFixture(t)
  const { caseId, planId } = await planFixture(f)
  const supplier = await registerSupplier(f.partnerTbilisi)
  const early = await f.counsellor({ method: 'POST', url: disbursementsUrl(caseId, planId), payload: disbursementBody(supplier.id) })
  t.equal(early.statusCode, 409, 'not before arrival')
  t.match(early.json(), { current_status: 'approved' })
  await markArrived(f, caseId)
  await expectStatus(await f.counsellor({ method: 'POST', url: disbursementsUrl(caseId, planId), payload: disbursementBody(supplier.id, { invoice_number: 'KS-1' }) }), 201, 'first')
  const again = await f.finance({ method: 'POST', url: disbursementsUrl(caseId, planId), payload: disbursementBody(supplier.id, { invoice_number: 'ks-1' }) })
  t.equal(again.statusCode, 409, 'the same invoice of the same supplier is not paid twice')
  t.equal(again.json().type, '/problems/duplicate-resource')
  for (const caller of [f.approver, f.partnerTbilisi, f.auditor]) {
    t.equal((await caller({ method: 'POST', url: disbursementsUrl(caseId, planId), payload: disbursementBody(supplier.id) })).statusCode, 403)
  }
  t.equal((await f.partnerBaghdad({ method: 'GET', url: disbursementsUrl(caseId, planId) })).statusCode, 404, 'another partner office does not see them')
  t.equal((await f.partnerTbilisi({ method: 'GET', url: disbursementsUrl(caseId, planId) })).json().items.length, 1)
})

t.test('delivery is confirmed by the partner office of the case that registered the supplier, once', async (t) => {
  const f = await reintegrationFixture(t)
  const { caseId, planId, supplierId } = await readyPlan(f)
  const first = await disburse(f, caseId, planId, supplierId, 65_000)
  const second = await disburse(f, caseId, planId, supplierId, 20_000)

  t.equal((await deliver(f, caseId, planId, first.id, f.partnerBaghdad)).statusCode, 404, 'another office does not even see the case')
  t.equal((await deliver(f, caseId, planId, first.id, f.counsellor)).statusCode, 403, 'staff do not confirm deliveries')
  const badDate = await f.partnerTbilisi({
    method: 'POST',
    url: `${disbursementsUrl(caseId, planId)}/${first.id}:confirm-delivery`,
    payload: { delivered_on: isoDate(2), delivered_items: 'x' },
  })
  t.equal(badDate.statusCode, 400, 'not in the future')
  const confirmed = await deliver(f, caseId, planId, first.id)
  t.equal(confirmed.statusCode, 200)
  t.match(confirmed.json(), { status: 'requested', delivery: { delivered_on: isoDate(0), confirmed_by: 'pat', notes: 'All in working order' } })
  t.equal((await deliver(f, caseId, planId, first.id)).statusCode, 409, 'confirmed once')
  const audit = await f.db.selectFrom('audit_events').select('changes').where('action', '=', 'reintegration_disbursement.delivered').executeTakeFirstOrThrow()
  t.same(audit.changes.delivery_notes, { before: '[restricted]', after: '[restricted]' })

  // The case is referred to another Georgian partner office: it now sees the case, but the supplier is IOM Tbilisi's.
  const batumi = await expectStatus(await f.admin({ method: 'POST', url: '/v1/offices', payload: { code: 'BUS', name: 'IOM Batumi', country: 'GE', kind: 'partner_office' } }), 201, 'office')
  await expectStatus(await f.counsellor({ method: 'POST', url: `/v1/return-cases/${caseId}:refer`, payload: { partner_office_id: batumi.id } }), 200, 'refer')
  const partnerBatumi = f.as('bela', ['partner'], batumi.id)
  const before = await snapshotCounts(f)
  const foreign = await deliver(f, caseId, planId, second.id, partnerBatumi)
  t.equal(foreign.statusCode, 403, 'a partner office cannot confirm delivery for another office\'s supplier')
  t.equal(foreign.json().type, '/problems/forbidden')
  t.equal((await deliver(f, caseId, planId, second.id, f.partnerTbilisi)).statusCode, 404, 'and IOM Tbilisi no longer sees the case')
  t.same(await snapshotCounts(f), before, 'nothing written')

  await expectStatus(await f.finance({ method: 'POST', url: paymentUrl(second.payment_request_id, 'cancel'), payload: { reason: 'Supplier withdrew' } }), 200, 'cancel')
  await expectStatus(await f.counsellor({ method: 'POST', url: `/v1/return-cases/${caseId}:refer`, payload: { partner_office_id: f.offices.tbilisi } }), 200, 'refer back')
  const cancelled = await deliver(f, caseId, planId, second.id)
  t.equal(cancelled.statusCode, 409, 'a cancelled disbursement is not delivered')
  t.match(cancelled.json(), { type: '/problems/invalid-transition', current_status: 'cancelled' })
})

t.test('a plan completes when its budget is spent and every disbursement is paid and delivered', async (t) => {
  const f = await reintegrationFixture(t)
  const { caseId, planId, supplierId } = await readyPlan(f)
  const first = await disburse(f, caseId, planId, supplierId, 65_000)
  const second = await disburse(f, caseId, planId, supplierId, 120_000)
  await pay(f, first.payment_request_id)
  await expectStatus(await deliver(f, caseId, planId, first.id), 200, 'deliver first')
  await expectStatus(await deliver(f, caseId, planId, second.id), 200, 'deliver second before payment')
  t.equal((await plan(f, caseId, planId)).status, 'active', 'not complete while a disbursement is unpaid')
  await pay(f, second.payment_request_id)
  const completed = await plan(f, caseId, planId)
  t.match(completed, { status: 'completed', spent: EUR(185_000), released: EUR(0), available: EUR(0), closure: { closed_by: 'fiona' }, allowed_actions: [] })
  t.same(await lineBalance(f), { allocated: 2_400_000, committed: 0, spent: 185_000 })
  const more = await f.counsellor({ method: 'POST', url: disbursementsUrl(caseId, planId), payload: disbursementBody(supplierId) })
  t.equal(more.statusCode, 409, 'nothing more is disbursed on a completed plan')
  t.match(more.json(), { type: '/problems/invalid-transition', current_status: 'completed' })
})

t.test('a plan that used less than its budget is completed explicitly, once everything is paid and delivered, releasing the rest', async (t) => {
  const f = await reintegrationFixture(t)
  const { caseId, planId, supplierId } = await readyPlan(f)
  const url = planUrl(caseId, planId, 'complete')
  t.match((await f.counsellor({ method: 'POST', url })).json(), { status: 409, detail: /no paid disbursement/ })
  const first = await disburse(f, caseId, planId, supplierId, 65_000)
  t.match((await f.counsellor({ method: 'POST', url })).json(), { status: 409, disbursement_ids: [first.id] }, 'not while a disbursement is unpaid')
  await pay(f, first.payment_request_id)
  t.match((await f.counsellor({ method: 'POST', url })).json(), { status: 409, detail: /delivery is not confirmed/ })
  await expectStatus(await deliver(f, caseId, planId, first.id), 200, 'deliver')
  t.equal((await f.partnerTbilisi({ method: 'POST', url })).statusCode, 403, 'partner offices do not complete plans')
  const completed = await f.counsellor({ method: 'POST', url, payload: { note: 'The returnee needed only the mixer' } })
  t.equal(completed.statusCode, 200)
  t.match(completed.json(), { status: 'completed', spent: EUR(65_000), released: EUR(120_000), closure: { closed_by: 'carla', reason: 'The returnee needed only the mixer' } })
  t.same(await lineBalance(f), { allocated: 2_400_000, committed: 0, spent: 65_000 })
})

t.test('abandoning a plan releases exactly what was not spent, once no payment is pending', async (t) => {
  const f = await reintegrationFixture(t)
  const { caseId, planId, supplierId } = await readyPlan(f)
  const first = await disburse(f, caseId, planId, supplierId, 65_000)
  await pay(f, first.payment_request_id, 60_000)
  const pending = await disburse(f, caseId, planId, supplierId, 50_000)
  t.same(await lineBalance(f), { allocated: 2_400_000, committed: 125_000, spent: 60_000 })

  const url = planUrl(caseId, planId, 'abandon')
  t.equal((await f.counsellor({ method: 'POST', url, payload: { reason: 'x' } })).statusCode, 403, 'counsellors do not abandon plans')
  t.equal((await f.finance({ method: 'POST', url, payload: {} })).statusCode, 400, 'a reason is required')
  const before = await snapshotCounts(f)
  const refused = await f.finance({ method: 'POST', url, payload: { reason: 'Returnee left the country' } })
  t.equal(refused.statusCode, 409, 'not while a disbursement awaits payment')
  t.same(refused.json().disbursement_ids, [pending.id])
  t.same(await snapshotCounts(f), before)

  await expectStatus(await f.finance({ method: 'POST', url: paymentUrl(pending.payment_request_id, 'cancel'), payload: { reason: 'Plan abandoned' } }), 200, 'cancel')
  const stale = await f.finance({ method: 'POST', url, headers: { 'if-match': '"1"' }, payload: { reason: 'Returnee left the country' } })
  t.equal(stale.statusCode, 412, 'an ETag from before the disbursements is stale: they changed what the plan shows')
  const current = (await f.auditor({ method: 'GET', url: planUrl(caseId, planId) })).headers.etag as string
  const abandoned = await f.finance({ method: 'POST', url, headers: { 'if-match': current }, payload: { reason: 'Returnee left the country' } })
  t.equal(abandoned.statusCode, 200)
  t.match(abandoned.json(), { status: 'abandoned', spent: EUR(60_000), released: EUR(125_000), available: EUR(0), closure: { closed_by: 'fiona', reason: 'Returnee left the country' } })
  t.same(await lineBalance(f), { allocated: 2_400_000, committed: 0, spent: 60_000 }, 'the budget less what was paid goes back to the line, no more and no less')
  const releases = await f.db.selectFrom('ledger_entries').select(['kind', 'amount_minor', 'source_id']).where('kind', '=', 'release').execute()
  t.same(releases, [{ kind: 'release', amount_minor: 125_000, source_id: planId }])
  t.equal((await f.finance({ method: 'POST', url, payload: { reason: 'again' } })).statusCode, 409, 'abandoned once')
})

t.test('a retried disbursement with the same Idempotency-Key pays the supplier once', async (t) => {
  const f = await reintegrationFixture(t)
  const { caseId, planId, supplierId } = await readyPlan(f)
  const body = disbursementBody(supplierId, { invoice_number: 'KS-RETRY-1' })
  const send = (payload: Record<string, unknown>) =>
    f.counsellor({ method: 'POST', url: disbursementsUrl(caseId, planId), headers: { 'idempotency-key': 'disburse-KS-RETRY-1' }, payload })
  const first = await send(body)
  const retry = await send(body)
  t.equal(first.statusCode, 201)
  t.equal(retry.statusCode, 201)
  t.equal(retry.headers['idempotent-replayed'], 'true')
  t.equal(retry.json().id, first.json().id)
  t.equal((await f.db.selectFrom('reintegration_disbursements').select('id').execute()).length, 1)
  t.equal((await f.db.selectFrom('payment_requests').select('id').where('kind', '=', 'disbursement').execute()).length, 1)
  const reused = await send({ ...body, invoice_number: 'KS-RETRY-2' })
  t.equal(reused.statusCode, 422, 'the same key with another body is refused')
  t.equal(reused.json().type, '/problems/idempotency-key-reused')
})

t.test('a case that ends without a return abandons its active plans, releasing their budgets (for travel\'s no-show and cancellation)', async (t) => {
  const f = await reintegrationFixture(t)
  const { caseId, planId } = await planFixture(f)
  t.same(await lineBalance(f), { allocated: 2_400_000, committed: 185_000, spent: 0 })
  await f.db.updateTable('return_cases').set({ status: 'no_show' }).where('id', '=', caseId).execute()
  const context = { actor: { sub: 'olga', roles: ['operations' as const], officeId: null }, requestId: 'test' }
  const abandoned = await f.db.transaction().execute((trx) => abandonPlansOfCase(trx, context, caseId, 'No-show at the airport'))
  t.same(abandoned, [planId])
  t.match(await plan(f, caseId, planId), { status: 'abandoned', released: EUR(185_000), closure: { closed_by: 'olga', reason: 'No-show at the airport' } })
  t.same(await lineBalance(f), { allocated: 2_400_000, committed: 0, spent: 0 })
  t.same(await f.db.transaction().execute((trx) => abandonPlansOfCase(trx, context, caseId, 'again')), [], 'nothing left to abandon')
})

t.test('a deactivated supplier gets no new disbursement; its past ones stay; it can be reactivated', async (t) => {
  const f = await reintegrationFixture(t)
  const { caseId, planId, supplierId } = await readyPlan(f)
  const earlier = await disburse(f, caseId, planId, supplierId, 20_000)
  const supplierUrl = `/v1/suppliers/${supplierId}`

  t.equal((await f.partnerTbilisi({ method: 'POST', url: `${supplierUrl}:deactivate`, payload: {} })).statusCode, 400, 'a reason is required')
  t.equal((await f.counsellor({ method: 'POST', url: `${supplierUrl}:deactivate`, payload: { reason: 'x' } })).statusCode, 403, 'counsellors may not')
  t.equal((await f.partnerBaghdad({ method: 'POST', url: `${supplierUrl}:deactivate`, payload: { reason: 'x' } })).statusCode, 404, 'another partner office does not see it')
  const stale = await f.partnerTbilisi({ method: 'POST', url: `${supplierUrl}:deactivate`, headers: { 'if-match': '"0"' }, payload: { reason: 'x' } })
  t.equal(stale.statusCode, 412)

  const deactivated = await expectStatus(
    await f.partnerTbilisi({ method: 'POST', url: `${supplierUrl}:deactivate`, payload: { reason: 'Closed its workshop' } }),
    200,
    'deactivate',
  )
  t.match(deactivated, { active: false, deactivation: { deactivated_by: 'pat', reason: 'Closed its workshop' } })
  t.equal((await f.finance({ method: 'POST', url: `${supplierUrl}:deactivate`, payload: { reason: 'again' } })).statusCode, 409, 'deactivated once')

  const before = await snapshotCounts(f)
  const refused = await f.counsellor({
    method: 'POST',
    url: disbursementsUrl(caseId, planId),
    payload: disbursementBody(supplierId, { items: [{ description: 'Tools', quantity: 1, unit_price: EUR(10_000) }], invoice_number: 'KS-2' }),
  })
  t.equal(refused.statusCode, 422, 'no new disbursement to a deactivated supplier')
  t.match(refused.json().detail, /deactivated \(Closed its workshop\)/)
  t.same(await snapshotCounts(f), before, 'the refusal wrote nothing')

  await pay(f, earlier.payment_request_id)
  const paid = (await f.auditor({ method: 'GET', url: `${disbursementsUrl(caseId, planId)}/${earlier.id}` })).json()
  t.equal(paid.status, 'paid', 'a disbursement requested before the deactivation is still paid: the goods were bought')

  const listed = (await f.finance({ method: 'GET', url: '/v1/suppliers?active=false' })).json()
  t.same(listed.items.map((item: Json) => item.id), [supplierId], 'listed among the deactivated')
  const reactivated = await expectStatus(await f.finance({ method: 'POST', url: `${supplierUrl}:reactivate` }), 200, 'reactivate')
  t.match(reactivated, { active: true, deactivation: null })
  await disburse(f, caseId, planId, supplierId, 10_000)
  const actions = await f.db.selectFrom('audit_events').select(['action', 'actor_sub']).where('entity_id', '=', supplierId).orderBy('id').execute()
  t.same(
    actions.map((row) => `${row.action} ${row.actor_sub}`),
    ['supplier.registered pat', 'supplier.deactivated pat', 'supplier.reactivated fiona'],
  )
})
