import t from 'tap'
import { sql } from 'kysely'
import { approve, approvedCase, assess, person, planUrl, reintegrationFixture, requestUrl, submitRequest, type Fixture, type Json } from './helpers.js'

/**
 * Every path that locks a budget line and a case takes the line first (docs/modules/reintegration.md,
 * "Lock order"). A release (a case's cancellation) locks the lines the case has money on, then the
 * case; a plan approval, abandonment or completion on the same case and line must not lock the case
 * first, or the two deadlock (PostgreSQL aborts one with 40P01, a 503 to the client).
 */

const onPostgres = {
  skip: process.env.DATABASE_URL ? false : 'the embedded database runs one transaction at a time: nothing can deadlock there (run with DATABASE_URL)',
}

/** A case of two returnees with one plan approved (money on the in-kind line) and the other request assessed. */
async function caseWithPlan(f: Fixture, index: number): Promise<{ caseId: string; planId: string; requestId: string }> {
  const record = await approvedCase(f, {
    place_of_return: `Kutaisi ${index}`,
    members: [person(), person({ relationship: 'spouse_partner', given_name: 'Nino', sex: 'female', date_of_birth: '1981-07-02' })],
  })
  const [first, second] = (record.members as Json[]).map((member) => member.id as string)
  const firstRequest = await submitRequest(f, record.id, { scope: 'returnee', member_id: first, items: [{ description: 'Tools', quantity: 1, unit_price: { amount_minor: 10_000, currency: 'EUR' } }] })
  await assess(f, record.id, firstRequest.id, { feasibility: 4, motivation: 4 })
  const approved = await approve(f, record.id, firstRequest.id, 10_000)
  const secondRequest = await submitRequest(f, record.id, { scope: 'returnee', member_id: second, items: [{ description: 'Tools', quantity: 1, unit_price: { amount_minor: 10_000, currency: 'EUR' } }] })
  await assess(f, record.id, secondRequest.id, { feasibility: 3, motivation: 3 })
  return { caseId: record.id, planId: approved.plan_id, requestId: secondRequest.id }
}

async function lineMatchesLedger(f: Fixture): Promise<boolean> {
  const { rows } = await sql<{ matches: boolean }>`
    select l.committed_minor = coalesce(sum(case e.kind when 'commit' then e.amount_minor else -e.amount_minor end), 0) as matches
      from budget_lines l left join ledger_entries e on e.budget_line_id = l.id
     where l.id = ${f.inKindLineId}::uuid
     group by l.id, l.committed_minor`.execute(f.db)
  return rows[0]?.matches === true
}

t.test('a plan approval or abandonment racing the cancellation of its case never deadlocks', onPostgres, async (t) => {
  const f = await reintegrationFixture(t)
  const cases = []
  for (let index = 0; index < 8; index += 1) cases.push(await caseWithPlan(f, index))
  const cancel = (caseId: string) => f.counsellor({ method: 'POST', url: `/v1/return-cases/${caseId}:cancel`, payload: { reason: 'The family decided to stay' } })
  const racing = cases.flatMap(({ caseId, planId, requestId }, index) => [
    cancel(caseId),
    index % 2 === 0
      ? f.approver({ method: 'POST', url: requestUrl(caseId, requestId, 'approve'), payload: { budget: { amount_minor: 10_000, currency: 'EUR' } } })
      : f.approver({ method: 'POST', url: planUrl(caseId, planId, 'abandon'), payload: { reason: 'Plan no longer feasible' } }),
  ])
  const responses = await Promise.all(racing)
  const failures = responses.filter((response) => response.statusCode >= 500).map((response) => response.body)
  t.same(failures, [], 'no request was aborted as a deadlock victim (40P01 → 503)')
  const cancelled = responses.filter((_, index) => index % 2 === 0)
  t.ok(cancelled.every((response) => response.statusCode === 200), 'every cancellation went through, after or before the plan change')
  t.ok(await lineMatchesLedger(f), 'the line\'s balance equals its ledger')
  const { rows } = await sql<{ committed: string }>`select committed_minor::text as committed from budget_lines where id = ${f.inKindLineId}::uuid`.execute(f.db)
  t.equal(rows[0]?.committed, '0', 'every cancelled case released what its plans held')
})
