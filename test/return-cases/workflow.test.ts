import t from 'tap'
import type { CaseStatus } from '../../src/db/schema.js'
import { findCaseForActor } from '../../src/modules/return-cases/access.js'
import { CASE_STATUSES } from '../../src/modules/return-cases/schemas.js'
import { CASE_WORKFLOW, transitionCase, type CaseAction } from '../../src/modules/return-cases/transitions.js'
import { ProblemError } from '../../src/shared/problems.js'
import type { RequestContext } from '../../src/shared/context.js'
import { act, caseFixture, countRows, createCase, createProject, isoDate, type CaseFixture } from './helpers.js'

const HTTP_ACTIONS: Array<[string, CaseAction]> = [
  ['submit', 'submit'],
  ['start-counselling', 'start_counselling'],
  ['approve', 'approve'],
  ['reject', 'reject'],
  ['withdraw', 'withdraw'],
  ['close', 'close'],
]
const TRAVEL_ACTIONS: CaseAction[] = ['mark_travel_booked', 'mark_departed', 'mark_arrived', 'mark_no_show', 'cancel', 'start_reintegration']
const OPERATIONS: RequestContext = { actor: { sub: 'olga', roles: ['operations'], officeId: null }, requestId: 'test' }

async function setStatus(fixture: CaseFixture, caseId: string, status: CaseStatus): Promise<void> {
  // A closed case always says why (a CHECK): the fixture's closures are `other`.
  await fixture.database.db.updateTable('return_cases').set({ status, closure_reason: status === 'closed' ? 'other' : null }).where('id', '=', caseId).execute()
}

/** Runs a module-level transition the way the travel and reintegration modules do. */
async function transitionDirectly(fixture: CaseFixture, caseId: string, action: CaseAction, reason?: string) {
  return fixture.database.db.transaction().execute(async (trx) => {
    const row = await findCaseForActor(trx, OPERATIONS.actor, caseId, { forUpdate: true })
    return transitionCase(trx, OPERATIONS, row, action, reason)
  })
}

t.test('the workflow holds every state and the agreed actions', async (t) => {
  t.same(
    Object.fromEntries(Object.entries(CASE_WORKFLOW.rules).map(([action, rule]) => [action, { from: [...rule.from].sort(), to: rule.to }])),
    {
      submit: { from: ['draft'], to: 'submitted' },
      start_counselling: { from: ['submitted'], to: 'in_counselling' },
      approve: { from: ['in_counselling'], to: 'approved' },
      reject: { from: ['in_counselling', 'submitted'], to: 'rejected' },
      withdraw: { from: ['approved', 'draft', 'in_counselling', 'submitted'], to: 'withdrawn' },
      mark_travel_booked: { from: ['approved'], to: 'travel_booked' },
      mark_departed: { from: ['travel_booked'], to: 'departed' },
      mark_arrived: { from: ['departed'], to: 'arrived' },
      mark_no_show: { from: ['approved', 'travel_booked'], to: 'no_show' },
      cancel: { from: ['approved', 'travel_booked'], to: 'cancelled' },
      start_reintegration: { from: ['arrived'], to: 'in_reintegration' },
      close: { from: ['arrived', 'cancelled', 'in_reintegration', 'no_show', 'rejected', 'withdrawn'], to: 'closed' },
    },
  )
  const reachable = new Set<string>(['draft', ...Object.values(CASE_WORKFLOW.rules).map((rule) => rule.to)])
  t.same([...reachable].sort(), [...CASE_STATUSES].sort(), 'every state is reachable')
})

t.test('the whole life of a case: history, audit and an event for every transition', async (t) => {
  const fixture = await caseFixture(t)
  const created = await createCase(fixture.counsellor, fixture.offices.vilnius, { project_id: fixture.projectId })
  const steps: Array<[ReturnType<typeof fixture.as>, string, Record<string, unknown>, string]> = [
    [fixture.counsellor, 'submit', {}, 'submitted'],
    [fixture.counsellor, 'start-counselling', {}, 'in_counselling'],
    [fixture.approver, 'approve', { reason: 'Plan is feasible' }, 'approved'],
  ]
  let version = created.version
  for (const [caller, verb, payload, status] of steps) {
    const response = await act(caller, created.id, verb, payload)
    t.equal(response.statusCode, 200, `${verb} → ${status}`)
    t.equal(response.json().status, status)
    t.equal(response.json().version, version + 1, 'each transition bumps the version')
    t.equal(response.headers.etag, `"${version + 1}"`)
    version += 1
  }
  for (const action of ['mark_travel_booked', 'mark_departed', 'mark_arrived', 'start_reintegration'] as const) {
    const row = await transitionDirectly(fixture, created.id, action)
    t.equal(row.status, CASE_WORKFLOW.rules[action].to, `transitionCase ${action}`)
  }
  const closed = await act(fixture.counsellor, created.id, 'close', { reason: 'Reintegration completed' })
  t.equal(closed.json().status, 'closed')

  const history = (await fixture.auditor({ method: 'GET', url: `/v1/return-cases/${created.id}/history` })).json()
  t.same(
    history.items.map((entry: { action: string; from_status: string | null; to_status: string }) => [entry.action, entry.from_status, entry.to_status]),
    [
      ['create', null, 'draft'],
      ['submit', 'draft', 'submitted'],
      ['start_counselling', 'submitted', 'in_counselling'],
      ['approve', 'in_counselling', 'approved'],
      ['mark_travel_booked', 'approved', 'travel_booked'],
      ['mark_departed', 'travel_booked', 'departed'],
      ['mark_arrived', 'departed', 'arrived'],
      ['start_reintegration', 'arrived', 'in_reintegration'],
      ['close', 'in_reintegration', 'closed'],
    ],
  )
  t.match(history.items[3], { reason: 'Plan is feasible', actor: { sub: 'abe', roles: ['approver'] } })
  t.match(history.items[8], { reason: 'Reintegration completed', actor: { sub: 'carla' } })
  t.ok(history.items.every((entry: { occurred_at: string }) => !Number.isNaN(Date.parse(entry.occurred_at))), 'each entry says when')

  const page = (await fixture.auditor({ method: 'GET', url: `/v1/return-cases/${created.id}/history?limit=4` })).json()
  t.equal(page.items.length, 4)
  const rest = (await fixture.auditor({ method: 'GET', url: `/v1/return-cases/${created.id}/history?cursor=${page.next_cursor}` })).json()
  t.equal(rest.items[0].action, 'mark_travel_booked', 'history pages continue')

  const audit = await fixture.database.db.selectFrom('audit_events').select(['action', 'changes']).where('entity_id', '=', created.id).orderBy('id').execute()
  t.same(
    audit.map((entry) => entry.action),
    ['return_case.created', 'return_case.submitted', 'return_case.in_counselling', 'return_case.approved', 'return_case.travel_booked', 'return_case.departed', 'return_case.arrived', 'return_case.in_reintegration', 'return_case.closed'],
  )
  t.same(audit[1]?.changes.status, { before: 'draft', after: 'submitted' })
  const events = await fixture.database.db.selectFrom('outbox_events').select('event_type').where('case_id', '=', created.id).orderBy('sequence').execute()
  t.same(
    events.map((event) => event.event_type),
    [
      'return_case.created',
      'return_case.submitted',
      'return_case.in_counselling',
      'return_case.approved',
      'return_case.referred',
      'return_case.travel_booked',
      'return_case.departed',
      'return_case.arrived',
      'return_case.in_reintegration',
      'return_case.closed',
    ],
  )
})

t.test('every forbidden transition is 409 naming the current state, and writes nothing', async (t) => {
  const fixture = await caseFixture(t)
  const created = await createCase(fixture.counsellor, fixture.offices.vilnius, { project_id: fixture.projectId })
  for (const status of CASE_STATUSES) {
    for (const [verb, action] of HTTP_ACTIONS) {
      await setStatus(fixture, created.id, status)
      const allowed = CASE_WORKFLOW.rules[action].from.includes(status)
      const caller = action === 'approve' || action === 'reject' ? fixture.approver : fixture.counsellor
      const historyBefore = await countRows(fixture, 'case_status_history')
      const response = await act(caller, created.id, verb, { reason: 'Because' })
      if (allowed) {
        t.equal(response.statusCode, 200, `${verb} from ${status} is allowed`)
        t.equal(response.json().status, CASE_WORKFLOW.rules[action].to)
      } else {
        t.equal(response.statusCode, 409, `${verb} from ${status} is 409`)
        t.match(response.json(), { type: '/problems/invalid-transition', current_status: status, action })
        t.match(response.json().detail, status)
        t.equal(await countRows(fixture, 'case_status_history'), historyBefore, `${verb} from ${status} wrote no history`)
      }
    }
    for (const action of TRAVEL_ACTIONS) {
      await setStatus(fixture, created.id, status)
      const allowed = CASE_WORKFLOW.rules[action].from.includes(status)
      const outcome = await transitionDirectly(fixture, created.id, action).then(
        (row) => row.status,
        (error: unknown) => error,
      )
      if (allowed) t.equal(outcome, CASE_WORKFLOW.rules[action].to, `${action} from ${status} is allowed`)
      else t.ok(outcome instanceof ProblemError && outcome.slug === 'invalid-transition' && outcome.extensions.current_status === status, `${action} from ${status} is refused`)
    }
  }
})

t.test('submit needs consent and the principal applicant', async (t) => {
  const fixture = await caseFixture(t)
  const bare = await createCase(fixture.counsellor, fixture.offices.vilnius, { consent: undefined, members: [] })
  const refused = await act(fixture.counsellor, bare.id, 'submit')
  t.equal(refused.statusCode, 422)
  t.same(
    refused.json().errors.map((error: { pointer: string }) => error.pointer),
    ['/consent', '/members'],
    'both missing pieces are named',
  )
  const withConsent = await fixture.counsellor({
    method: 'PATCH',
    url: `/v1/return-cases/${bare.id}`,
    headers: { 'if-match': '"1"' },
    payload: { consent: { given_at: '2026-01-05T09:00:00Z', given_by: 'principal applicant', scope: ['return_assistance'] } },
  })
  t.equal(withConsent.statusCode, 200)
  const stillNoPrincipal = await act(fixture.counsellor, bare.id, 'submit')
  t.same(stillNoPrincipal.json().errors.map((error: { pointer: string }) => error.pointer), ['/members'])
  const added = await fixture.counsellor({ method: 'POST', url: `/v1/return-cases/${bare.id}/members`, payload: { relationship: 'principal', given_name: 'Nino', family_name: 'Tsiklauri', sex: 'female', date_of_birth: '1985-07-08', nationality: 'GE' } })
  t.equal(added.statusCode, 201)
  const submitted = await act(fixture.counsellor, bare.id, 'submit')
  t.equal(submitted.statusCode, 200)
  t.equal(submitted.json().status, 'submitted')
})

t.test('approve: an approver who did not create the case, with an acceptable project', async (t) => {
  const fixture = await caseFixture(t)
  const makerChecker = fixture.as('carla', ['counsellor', 'approver'])
  const created = await createCase(makerChecker, fixture.offices.vilnius)
  await act(makerChecker, created.id, 'submit')
  await act(makerChecker, created.id, 'start-counselling')

  const byCreator = await act(makerChecker, created.id, 'approve', { project_id: fixture.projectId })
  t.equal(byCreator.statusCode, 403)
  t.equal(byCreator.json().type, '/problems/maker-checker-violation', 'the creator cannot approve')
  const byCounsellor = await act(fixture.as('dan', ['counsellor']), created.id, 'approve', { project_id: fixture.projectId })
  t.equal(byCounsellor.statusCode, 403)
  t.equal(byCounsellor.json().type, '/problems/forbidden', 'only approvers approve')

  const noProject = await act(fixture.approver, created.id, 'approve')
  t.equal(noProject.statusCode, 422)
  t.equal(noProject.json().errors[0].pointer, '/body/project_id')
  const closedProject = await createProject(fixture, { code: 'PLANNED', starts_on: isoDate(-10), ends_on: isoDate(400), activate: false })
  const inactive = await act(fixture.approver, created.id, 'approve', { project_id: closedProject })
  t.equal(inactive.statusCode, 422, 'the project must be active')
  const ended = await createProject(fixture, { code: 'ENDED', starts_on: isoDate(-100), ends_on: isoDate(10) })
  const uncovered = await act(fixture.approver, created.id, 'approve', { project_id: ended })
  t.equal(uncovered.statusCode, 422, 'the project must cover the intended departure date')
  const unchanged = (await fixture.approver({ method: 'GET', url: `/v1/return-cases/${created.id}` })).json()
  t.same([unchanged.status, unchanged.project_id], ['in_counselling', null], 'refused approvals changed nothing')

  const stale = await fixture.approver({ method: 'POST', url: `/v1/return-cases/${created.id}:approve`, headers: { 'if-match': '"1"' }, payload: { project_id: fixture.projectId } })
  t.equal(stale.statusCode, 412, 'an If-Match on a transition is checked')
  const approved = await act(fixture.approver, created.id, 'approve', { project_id: fixture.projectId })
  t.equal(approved.statusCode, 200)
  t.match(approved.json(), { status: 'approved', project_id: fixture.projectId })
  const history = (await fixture.approver({ method: 'GET', url: `/v1/return-cases/${created.id}/history` })).json()
  t.match(history.items.at(-1), { action: 'approve', actor: { sub: 'abe' } })
})

t.test('reject, withdraw and close need a reason', async (t) => {
  const fixture = await caseFixture(t)
  const created = await createCase(fixture.counsellor, fixture.offices.vilnius)
  await act(fixture.counsellor, created.id, 'submit')
  for (const [caller, verb] of [
    [fixture.approver, 'reject'],
    [fixture.counsellor, 'withdraw'],
  ] as const) {
    for (const payload of [{}, { reason: '   ' }]) {
      const response = await act(caller, created.id, verb, payload)
      t.equal(response.statusCode, 400, `${verb} ${JSON.stringify(payload)} is refused`)
      t.equal(response.json().errors[0].pointer, '/body/reason')
    }
  }
  const rejected = await act(fixture.approver, created.id, 'reject', { reason: 'Not eligible: holds a valid residence permit' })
  t.equal(rejected.json().status, 'rejected')
  const noReason = await act(fixture.counsellor, created.id, 'close')
  t.equal(noReason.statusCode, 400)
  const closed = await act(fixture.counsellor, created.id, 'close', { reason: 'Rejected' })
  t.equal(closed.json().status, 'closed')
  const reasons = await fixture.database.db.selectFrom('case_status_history').select(['action', 'reason']).where('case_id', '=', created.id).orderBy('id').execute()
  t.same(reasons.slice(2), [
    { action: 'reject', reason: 'Not eligible: holds a valid residence permit' },
    { action: 'close', reason: 'Rejected' },
  ])
})

t.test('transitionCase refuses a row that changed since it was read', async (t) => {
  const fixture = await caseFixture(t)
  const created = await createCase(fixture.counsellor, fixture.offices.vilnius)
  const stale = await findCaseForActor(fixture.database.db, OPERATIONS.actor, created.id)
  await act(fixture.counsellor, created.id, 'withdraw', { reason: 'Changed mind' })
  const outcome = await fixture.database.db
    .transaction()
    .execute((trx) => transitionCase(trx, OPERATIONS, stale, 'submit'))
    .catch((error: unknown) => error)
  t.ok(outcome instanceof ProblemError && outcome.slug === 'conflict', 'a stale status is not overwritten')
})
