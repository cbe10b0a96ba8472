import t from 'tap'
import {
  EUR,
  approvedCase,
  assess,
  expectStatus,
  isoDate,
  person,
  reintegrationFixture,
  requestBody,
  requestUrl,
  requestsUrl,
  snapshotCounts,
  submitRequest,
} from './helpers.js'

t.test('a request form: items in the project currency, amount requested = sum of the items, audited without the migrant\'s words', async (t) => {
  const f = await reintegrationFixture(t)
  const caseRecord = await approvedCase(f)
  const created = await f.counsellor({ method: 'POST', url: requestsUrl(caseRecord.id), payload: requestBody({ filled_on: isoDate(-2) }) })
  t.equal(created.statusCode, 201)
  const request = created.json()
  t.match(request, {
    case_id: caseRecord.id,
    scope: 'household',
    member_id: null,
    status: 'submitted',
    form_of_help: 'small_business',
    other_kind: null,
    amount_requested: EUR(185_000),
    assessment: null,
    decisions: [],
    plan_id: null,
    allowed_actions: ['edit', 'assess', 'reject', 'withdraw'],
  })
  t.same(request.items[1], { description: 'Power tool set', quantity: 2, unit_price: EUR(60_000), total: EUR(120_000) })
  t.equal(created.headers.location, `/v1/return-cases/${caseRecord.id}/reintegration-requests/${request.id}`)

  const audit = await f.db.selectFrom('audit_events').select(['action', 'changes']).where('entity_id', '=', request.id).executeTakeFirstOrThrow()
  t.equal(audit.action, 'reintegration_request.submitted')
  t.same(audit.changes.motivation_statement, { after: '[restricted]' }, 'the migrant\'s words are not copied into the audit trail')
  t.same(audit.changes.skills_and_experience, { after: '[restricted]' })
  const event = await f.db.selectFrom('outbox_events').select('payload').where('entity_id', '=', request.id).executeTakeFirstOrThrow()
  t.notOk('motivation_statement' in event.payload, 'nor into the outbox')

  const read = await f.partnerTbilisi({ method: 'GET', url: requestUrl(caseRecord.id, request.id) })
  t.equal(read.statusCode, 200, 'the partner office of the case reads it')
  t.equal(read.headers.etag, `"${request.version}"`)
})

t.test('bad forms are refused with a problem and write nothing', async (t) => {
  const f = await reintegrationFixture(t)
  const caseRecord = await approvedCase(f)
  const before = await snapshotCounts(f)
  const refuse = async (payload: Record<string, unknown>, status: number, type: string, pointer?: string) => {
    const response = await f.counsellor({ method: 'POST', url: requestsUrl(caseRecord.id), payload })
    t.equal(response.statusCode, status, `${JSON.stringify(payload).slice(0, 80)} → ${status}`)
    t.match(response.headers['content-type'], /application\/problem\+json/)
    t.equal(response.json().type, `/problems/${type}`)
    if (pointer) t.ok(response.json().errors.some((error: { pointer: string }) => error.pointer === pointer), `points at ${pointer}`)
  }
  await refuse(requestBody({ items: [] }), 400, 'validation-error', '/body/items')
  await refuse(requestBody({ form_of_help: 'cash' }), 400, 'validation-error', '/body/form_of_help')
  await refuse(requestBody({ motivation_statement: '' }), 400, 'validation-error', '/body/motivation_statement')
  await refuse(requestBody({ items: [{ description: 'Tools', quantity: 0, unit_price: EUR(100) }] }), 400, 'validation-error', '/body/items/0/quantity')
  await refuse(requestBody({ items: [{ description: 'Tools', quantity: 1, unit_price: { amount_minor: 10.5, currency: 'EUR' } }] }), 400, 'validation-error')
  await refuse(requestBody({ amount_requested: EUR(1) }), 400, 'validation-error', '/body/amount_requested')
  await refuse(requestBody({ items: [{ description: 'Tools', quantity: 1, unit_price: { amount_minor: 100, currency: 'GEL' } }] }), 422, 'currency-mismatch', '/body/items/0/unit_price/currency')
  await refuse(requestBody({ form_of_help: 'other' }), 422, 'unprocessable-entity', '/body/other_kind')
  await refuse(requestBody({ form_of_help: 'small_business', other_kind: 'relocation' }), 422, 'unprocessable-entity', '/body/other_kind')
  await refuse(requestBody({ scope: 'returnee' }), 422, 'unprocessable-entity', '/body/member_id')
  await refuse(requestBody({ scope: 'household', member_id: caseRecord.members[0].id }), 422, 'unprocessable-entity', '/body/member_id')
  await refuse(requestBody({ scope: 'returnee', member_id: '01900000-0000-7000-8000-000000000000' }), 422, 'unprocessable-entity', '/body/member_id')
  await refuse(requestBody({ filled_on: isoDate(2) }), 400, 'validation-error', '/body/filled_on')
  t.same(await snapshotCounts(f), before, 'nothing was written')

  const other = await f.counsellor({ method: 'POST', url: requestsUrl(caseRecord.id), payload: requestBody({ form_of_help: 'other', other_kind: 'childrens_schooling' }) })
  t.equal(other.statusCode, 201, 'other help names its kind')
  t.equal(other.json().other_kind, 'childrens_schooling')
})

t.test('roles and visibility: counsellors record forms; partner offices read only their cases (404 otherwise)', async (t) => {
  const f = await reintegrationFixture(t)
  const caseRecord = await approvedCase(f)
  const request = await submitRequest(f, caseRecord.id)
  for (const caller of [f.approver, f.finance, f.partnerTbilisi, f.admin]) {
    const response = await caller({ method: 'POST', url: requestsUrl(caseRecord.id), payload: requestBody() })
    t.equal(response.statusCode, 403)
    t.equal(response.json().type, '/problems/forbidden')
  }
  t.equal((await f.partnerBaghdad({ method: 'GET', url: requestUrl(caseRecord.id, request.id) })).statusCode, 404, 'another partner office does not see it')
  t.equal((await f.partnerBaghdad({ method: 'GET', url: requestsUrl(caseRecord.id) })).statusCode, 404)
  const list = await f.partnerTbilisi({ method: 'GET', url: requestsUrl(caseRecord.id) })
  t.same(list.json().items.map((item: { id: string }) => item.id), [request.id])
  t.equal((await f.auditor({ method: 'GET', url: requestUrl(caseRecord.id, '01900000-0000-7000-8000-000000000000') })).statusCode, 404)
})

t.test('the form is filled in before departure, once per household or returnee', async (t) => {
  const f = await reintegrationFixture(t)
  const caseRecord = await approvedCase(f, { members: [person(), person({ relationship: 'spouse_partner', given_name: 'Nino', sex: 'female', date_of_birth: '1980-01-01' })] })
  const [principal, spouse] = caseRecord.members as Array<{ id: string }>
  const forPrincipal = await submitRequest(f, caseRecord.id, { scope: 'returnee', member_id: principal?.id })
  const household = await f.counsellor({ method: 'POST', url: requestsUrl(caseRecord.id), payload: requestBody() })
  t.equal(household.statusCode, 409, 'a household request would duplicate the returnee\'s')
  t.equal(household.json().type, '/problems/duplicate-resource')
  const again = await f.counsellor({ method: 'POST', url: requestsUrl(caseRecord.id), payload: requestBody({ scope: 'returnee', member_id: principal?.id }) })
  t.equal(again.statusCode, 409, 'one live request per returnee')
  await submitRequest(f, caseRecord.id, { scope: 'returnee', member_id: spouse?.id })

  await expectStatus(await f.counsellor({ method: 'POST', url: requestUrl(caseRecord.id, forPrincipal.id, 'withdraw'), payload: { reason: 'Changed plans' } }), 200, 'withdraw')
  t.equal((await f.counsellor({ method: 'POST', url: requestsUrl(caseRecord.id), payload: requestBody({ scope: 'returnee', member_id: principal?.id }) })).statusCode, 201, 'after a withdrawal a new request may be made')

  await f.db.updateTable('return_cases').set({ status: 'departed' }).where('id', '=', caseRecord.id).execute()
  const late = await f.counsellor({ method: 'POST', url: requestsUrl(caseRecord.id), payload: requestBody() })
  t.equal(late.statusCode, 409, 'not after departure')
  t.match(late.json(), { type: '/problems/conflict', current_status: 'departed' })

  const draft = await expectStatus(
    await f.counsellor({
      method: 'POST',
      url: '/v1/return-cases',
      payload: {
        office_id: f.offices.vilnius,
        legal_status: 'irregular_stay',
        referral_source: 'self',
        country_of_return: 'GE',
        consent: { given_at: '2026-01-10T10:00:00Z', given_by: 'principal applicant', scope: ['return_assistance'] },
        members: [person()],
      },
    }),
    201,
    'draft case without a project',
  )
  await expectStatus(await f.counsellor({ method: 'POST', url: `/v1/return-cases/${draft.id}:submit`, payload: {} }), 200, 'submit')
  const noProject = await f.counsellor({ method: 'POST', url: requestsUrl(draft.id), payload: requestBody() })
  t.equal(noProject.statusCode, 409, 'amounts need the project (its currency)')
})

t.test('the form can be edited only while submitted, with If-Match', async (t) => {
  const f = await reintegrationFixture(t)
  const caseRecord = await approvedCase(f)
  const request = await submitRequest(f, caseRecord.id)
  const url = requestUrl(caseRecord.id, request.id)
  t.equal((await f.counsellor({ method: 'PATCH', url, payload: { planned_activity: 'Tiling' } })).statusCode, 428, 'If-Match is required')
  t.equal((await f.counsellor({ method: 'PATCH', url, headers: { 'if-match': '"99"' }, payload: { planned_activity: 'Tiling' } })).statusCode, 412)
  const edited = await f.counsellor({
    method: 'PATCH',
    url,
    headers: { 'if-match': `"${request.version}"` },
    payload: { items: [{ description: 'Tile cutter', quantity: 3, unit_price: EUR(10_000) }], form_of_help: 'other', other_kind: 'relocation' },
  })
  t.equal(edited.statusCode, 200)
  t.match(edited.json(), { amount_requested: EUR(30_000), form_of_help: 'other', other_kind: 'relocation', version: request.version + 1 })
  const back = await f.counsellor({ method: 'PATCH', url, headers: { 'if-match': `"${request.version + 1}"` }, payload: { form_of_help: 'vocational_training' } })
  t.equal(back.json().other_kind, null, 'leaving `other` drops its kind')

  await assess(f, caseRecord.id, request.id, { feasibility: 3, motivation: 3 })
  const current = (await f.counsellor({ method: 'GET', url })).json()
  const late = await f.counsellor({ method: 'PATCH', url, headers: { 'if-match': `"${current.version}"` }, payload: { planned_activity: 'Other' } })
  t.equal(late.statusCode, 409, 'not once assessed: the scores refer to what was assessed')
  t.match(late.json(), { type: '/problems/invalid-transition', current_status: 'assessed' })
})

t.test('assessment: feasibility and motivation scored with justifications; urgency derived from the crisis list and the household, never typed', async (t) => {
  const f = await reintegrationFixture(t)
  const iraqi = await approvedCase(f, {
    country_of_return: 'IQ',
    place_of_return: 'Baghdad',
    members: [
      person({ given_name: 'Ahmed', nationality: 'IQ', date_of_birth: '1950-01-15' }),
      person({ relationship: 'spouse_partner', given_name: 'Zainab', sex: 'female', nationality: 'IQ', date_of_birth: '1979-09-30', vulnerabilities: [{ code: 'medical_needs', notes: 'Diabetes' }] }),
    ],
  })
  const request = await submitRequest(f, iraqi.id, { filled_on: '2026-01-05' })

  const typed = await f.assessor({
    method: 'POST',
    url: requestUrl(iraqi.id, request.id, 'assess'),
    payload: { feasibility: { score: 4, justification: 'x' }, motivation: { score: 4, justification: 'y' }, urgency: { score: 5 } },
  })
  t.equal(typed.statusCode, 400, 'urgency cannot be typed')
  t.ok(typed.json().errors.some((error: { pointer: string }) => error.pointer === '/body/urgency'))
  for (const payload of [
    { feasibility: { score: 6, justification: 'x' }, motivation: { score: 4, justification: 'y' } },
    { feasibility: { score: 4 }, motivation: { score: 4, justification: 'y' } },
    { feasibility: { score: 4, justification: 'x' }, motivation: { score: 4, justification: 'y' }, assessed_on: isoDate(1) },
    { feasibility: { score: 4, justification: 'x' }, motivation: { score: 4, justification: 'y' }, assessed_on: '2026-01-04' },
  ]) {
    const response = await f.assessor({ method: 'POST', url: requestUrl(iraqi.id, request.id, 'assess'), payload })
    t.equal(response.statusCode, 400, `refused: ${JSON.stringify(payload).slice(0, 90)}`)
  }

  const before = await assess(f, iraqi.id, request.id, { feasibility: 4, motivation: 5, assessed_on: '2026-01-10' })
  t.match(before.assessment.urgency, {
    score: 2,
    crisis_points: 0,
    vulnerability_points: 2,
    country: 'IQ',
    on_date: '2026-01-10',
    crisis: null,
    vulnerabilities: ['elderly', 'medical_needs'],
  })
  t.match(before.assessment, { assessed_by: 'cody', feasibility: { score: 4 }, motivation: { score: 5 } })

  const listing = await expectStatus(
    await f.admin({ method: 'POST', url: '/v1/crisis-countries', payload: { country: 'IQ', kind: 'conflict', valid_from: '2026-01-11', source: 'UNHCR position on returns to Iraq' } }),
    201,
    'list Iraq',
  )
  const after = await assess(f, iraqi.id, request.id, { feasibility: 4, motivation: 5, assessed_on: '2026-01-11' })
  t.match(after.assessment.urgency, { score: 5, crisis_points: 3, vulnerability_points: 2, crisis: { id: listing.id, kind: 'conflict', valid_from: '2026-01-11' } })
  t.match(after.assessment.urgency.explanation, /listed as conflict-affected on 2026-01-11/)
  t.equal(after.status, 'assessed', 're-assessment replaces the current assessment')
  t.equal(await f.db.selectFrom('reintegration_assessments').select('id').where('request_id', '=', request.id).execute().then((rows) => rows.length), 2, 'earlier assessments stay on record')

  await expectStatus(
    await f.admin({ method: 'PATCH', url: `/v1/crisis-countries/${listing.id}`, headers: { 'if-match': '"1"' }, payload: { valid_to: '2026-01-11' } }),
    200,
    'end the listing',
  )
  const ended = await assess(f, iraqi.id, request.id, { feasibility: 4, motivation: 5, assessed_on: '2026-01-12' })
  t.equal(ended.assessment.urgency.crisis_points, 0, 'a listing counts only within its dates')
})

t.test('urgency counts a victim of trafficking as `restricted`, never reading or showing the restricted entry', async (t) => {
  const f = await reintegrationFixture(t)
  const protection = f.as('petra', ['protection'])
  const caseRecord = await approvedCase(f)
  const member = caseRecord.members[0] as { id: string }
  await expectStatus(
    await protection({
      method: 'POST',
      url: `/v1/return-cases/${caseRecord.id}/members/${member.id}/vulnerabilities`,
      payload: { code: 'victim_of_trafficking', notes: 'Identified by the police in 2025' },
    }),
    201,
    'record a restricted vulnerability',
  )
  const request = await submitRequest(f, caseRecord.id)
  const assessed = await assess(f, caseRecord.id, request.id, { feasibility: 3, motivation: 3 })
  t.same(assessed.assessment.urgency.vulnerabilities, ['restricted'])
  t.equal(assessed.assessment.urgency.vulnerability_points, 1)
  t.notMatch(JSON.stringify(assessed), /trafficking|police/i, 'neither the code nor the notes appear')
  const stored = await f.db.selectFrom('reintegration_assessments').select('urgency_basis').where('request_id', '=', request.id).executeTakeFirstOrThrow()
  t.notMatch(JSON.stringify(stored.urgency_basis), /trafficking/, 'nor are they stored with the assessment')
})

t.test('assessment and withdrawal follow the request\'s workflow', async (t) => {
  const f = await reintegrationFixture(t)
  const caseRecord = await approvedCase(f)
  const request = await submitRequest(f, caseRecord.id)
  await expectStatus(await f.counsellor({ method: 'POST', url: requestUrl(caseRecord.id, request.id, 'withdraw'), payload: { reason: 'Found a job' } }), 200, 'withdraw')
  const assessWithdrawn = await f.assessor({
    method: 'POST',
    url: requestUrl(caseRecord.id, request.id, 'assess'),
    payload: { feasibility: { score: 3, justification: 'x' }, motivation: { score: 3, justification: 'y' } },
  })
  t.equal(assessWithdrawn.statusCode, 409)
  t.match(assessWithdrawn.json(), { type: '/problems/invalid-transition', current_status: 'withdrawn' })
  const read = (await f.auditor({ method: 'GET', url: requestUrl(caseRecord.id, request.id) })).json()
  t.match(read, { status: 'withdrawn', withdrawal: { withdrawn_by: 'carla', reason: 'Found a job' }, allowed_actions: [] })
  const withdrawAgain = await f.counsellor({ method: 'POST', url: requestUrl(caseRecord.id, request.id, 'withdraw'), payload: { reason: 'again' } })
  t.equal(withdrawAgain.statusCode, 409)
})
