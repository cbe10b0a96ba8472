import t from 'tap'
import { findCaseForActor } from '../../src/modules/return-cases/access.js'
import { duplicatesOf } from '../../src/modules/return-cases/records.js'
import { ProblemError } from '../../src/shared/problems.js'
import { act, approvedCase, caseFixture, createCase, isoDate, person, type Json } from './helpers.js'

t.test('referral: automatic at approval when exactly one partner office covers the country', async (t) => {
  const fixture = await caseFixture(t)
  const georgian = await approvedCase(fixture)
  t.equal(georgian.partner_office_id, fixture.offices.tbilisi, 'referred to the only partner office in Georgia')
  t.ok(georgian.referred_at)
  const audit = await fixture.database.db.selectFrom('audit_events').select('changes').where('entity_id', '=', georgian.id).where('action', '=', 'return_case.approved').executeTakeFirstOrThrow()
  t.same(audit.changes.partner_office_id, { before: null, after: fixture.offices.tbilisi }, 'the automatic referral is audited')

  const draft = await createCase(fixture.counsellor, fixture.offices.vilnius)
  t.equal(draft.partner_office_id, null, 'nothing is shared with a partner office before approval')

  await fixture.admin({ method: 'POST', url: '/v1/offices', payload: { code: 'BUS', name: 'IOM Batumi', country: 'GE', kind: 'partner_office' } })
  const ambiguous = await approvedCase(fixture, { members: [person({ given_name: 'Levan' })] })
  t.equal(ambiguous.partner_office_id, null, 'with two partner offices in the country, a counsellor chooses')
  const referred = await act(fixture.counsellor, ambiguous.id, 'refer', { partner_office_id: fixture.offices.tbilisi })
  t.equal(referred.statusCode, 200)
  t.equal(referred.json().partner_office_id, fixture.offices.tbilisi)
})

t.test('referral: only to a partner office in the country of return, and not after the outcome', async (t) => {
  const fixture = await caseFixture(t)
  const created = await createCase(fixture.counsellor, fixture.offices.vilnius)
  const refuse = async (partnerOfficeId: string, rule: string) => {
    const response = await act(fixture.counsellor, created.id, 'refer', { partner_office_id: partnerOfficeId })
    t.equal(response.statusCode, 422, rule)
    t.equal(response.json().errors[0].pointer, '/body/partner_office_id')
  }
  await refuse(fixture.offices.baghdad, 'a partner office in another country is refused')
  await refuse(fixture.offices.vilnius, 'a country office is refused')
  await refuse('01900000-0000-7000-8000-000000000000', 'an unknown office is refused')
  const partnerCannot = await act(fixture.as('pat', ['partner'], fixture.offices.tbilisi), created.id, 'refer', { partner_office_id: fixture.offices.tbilisi })
  t.equal(partnerCannot.statusCode, 403, 'partners do not refer')

  const referred = await act(fixture.counsellor, created.id, 'refer', { partner_office_id: fixture.offices.tbilisi })
  t.equal(referred.statusCode, 200)
  t.equal(referred.json().version, 2)
  const again = await act(fixture.counsellor, created.id, 'refer', { partner_office_id: fixture.offices.tbilisi })
  t.equal(again.json().version, 2, 'referring again to the same office changes nothing')
  const events = await fixture.database.db.selectFrom('outbox_events').select('event_type').where('case_id', '=', created.id).where('event_type', '=', 'return_case.referred').execute()
  t.equal(events.length, 1)

  await act(fixture.counsellor, created.id, 'withdraw', { reason: 'Changed mind' })
  const late = await act(fixture.counsellor, created.id, 'refer', { partner_office_id: fixture.offices.tbilisi })
  t.equal(late.statusCode, 409)
  t.match(late.json(), { type: '/problems/invalid-transition', current_status: 'withdrawn' })
})

t.test('a partner office sees and reaches only the cases referred to it, on every case endpoint', async (t) => {
  const fixture = await caseFixture(t)
  const referred = await approvedCase(fixture, { members: [person({ vulnerabilities: [{ code: 'medical_needs', notes: 'asthma' }] })] })
  const other = await approvedCase(fixture, { country_of_return: 'IQ', members: [person({ given_name: 'Ahmed', family_name: 'Al-Jabouri', nationality: 'IQ', vulnerabilities: [{ code: 'pregnant' }] })] })
  const unreferred = await createCase(fixture.counsellor, fixture.offices.vilnius, { members: [person({ given_name: 'Giorgi', family_name: 'Beridze' })] })
  t.equal(other.partner_office_id, fixture.offices.baghdad)
  const fixtures = [referred, other, unreferred]
  const sessionIds: Record<string, string> = {}
  for (const item of fixtures) {
    const session = await fixture.counsellor({
      method: 'POST',
      url: `/v1/return-cases/${item.id}/counselling-sessions`,
      payload: { held_on: isoDate(-1), mode: 'in_person', topics: ['reintegration_options'], outcome: 'Plan discussed' },
    })
    sessionIds[item.id] = session.json().id
  }
  const partner = fixture.as('pat', ['partner'], fixture.offices.tbilisi)
  const nowhere = fixture.as('pia', ['partner'], 'not-a-uuid')

  const urlFor = (pattern: string, item: Json) =>
    pattern
      .replace(/:id(\([^)]*\))?/, item.id)
      .replace(':member_id', item.members[0].id)
      .replace(':vulnerability_id', item.members[0].vulnerabilities[0]?.id ?? '01900000-0000-7000-8000-000000000000')
      .replace(':session_id', (item.session_id ?? sessionIds[item.id]) as string)
      .replace('::', ':')
  // This module's case routes (other modules nest their own resources under cases and test them).
  const ownRoute = /^\/v1\/return-cases\/:id\([^)]*\)(\/history|\/members(\/:member_id(\/vulnerabilities(\/:vulnerability_id)?)?)?|\/counselling-sessions(\/:session_id)?|::[a-z-]+)?$/
  const caseRoutes = fixture.app.routeCatalog.filter((route) => ownRoute.test(route.url))
  t.ok(caseRoutes.length >= 20, `walks all ${caseRoutes.length} case routes`)
  for (const route of caseRoutes) {
    const label = `${route.method} ${route.url}`
    const method = route.method as 'GET'
    const payload = route.method === 'GET' || route.method === 'DELETE' ? undefined : {}
    const headers = { 'if-match': '"1"' }
    const visible = await partner({ method, url: urlFor(route.url, referred), payload, headers })
    const hidden = await Promise.all(
      [other, unreferred].map((item) => partner({ method, url: urlFor(route.url, item), payload, headers })),
    )
    const missing = await partner({ method, url: urlFor(route.url, { ...unreferred, id: '01900000-0000-7000-8000-00000000abcd', session_id: sessionIds[unreferred.id] }), payload, headers })
    if (route.roles.includes('partner')) {
      t.equal(visible.statusCode, 200, `${label}: the referred case answers`)
      for (const response of hidden) {
        t.equal(response.statusCode, 404, `${label}: a case not referred to the office is 404`)
        t.same({ ...response.json(), instance: null, request_id: null, detail: null }, { ...missing.json(), instance: null, request_id: null, detail: null }, `${label}: same answer as for no case at all`)
      }
      const outsider = await nowhere({ method, url: urlFor(route.url, referred), payload, headers })
      t.equal(outsider.statusCode, 404, `${label}: a partner token for another office sees nothing`)
    } else {
      for (const response of [visible, ...hidden]) {
        t.equal(response.statusCode, 403, `${label}: partners may not write (403 for every id, so nothing leaks)`)
      }
    }
  }

  const list = (await partner({ method: 'GET', url: '/v1/return-cases' })).json()
  t.same(list.items.map((item: { id: string }) => item.id), [referred.id], 'the list holds only the referred case')
  for (const query of ['q=beridze', 'status=approved', 'nationality=GE', 'vulnerability=medical_needs', `office_id=${fixture.offices.vilnius}`, 'country_of_return=GE', 'vulnerability=pregnant']) {
    const filtered = (await partner({ method: 'GET', url: `/v1/return-cases?${query}` })).json()
    t.ok(filtered.items.every((item: { id: string }) => item.id === referred.id), `search ${query} never shows other cases`)
  }
  t.same((await nowhere({ method: 'GET', url: '/v1/return-cases' })).json().items, [])
  const staffList = (await fixture.auditor({ method: 'GET', url: '/v1/return-cases' })).json()
  t.equal(staffList.items.length, 3, 'staff see every case')
})

t.test('findCaseForActor and duplicates respect the partner scope', async (t) => {
  const fixture = await caseFixture(t)
  const referred = await approvedCase(fixture)
  const hidden = await createCase(fixture.counsellor, fixture.offices.vilnius)
  const partnerOnly = { sub: 'pat', roles: ['partner' as const], officeId: fixture.offices.tbilisi }
  const db = fixture.database.db
  t.equal((await findCaseForActor(db, partnerOnly, referred.id)).id, referred.id)
  const refused = await findCaseForActor(db, partnerOnly, hidden.id).catch((error: unknown) => error)
  t.ok(refused instanceof ProblemError && refused.status === 404, 'a case not referred to the office is 404')
  const staffPartner = { ...partnerOnly, roles: ['partner' as const, 'counsellor' as const] }
  t.equal((await findCaseForActor(db, staffPartner, hidden.id)).id, hidden.id, 'a user who is also staff keeps the staff view')
  const malformed = await findCaseForActor(db, partnerOnly, 'nope').catch((error: unknown) => error)
  t.ok(malformed instanceof ProblemError && malformed.status === 404)

  const third = await createCase(fixture.counsellor, fixture.offices.vilnius)
  const probeMembers = await db.selectFrom('case_members').selectAll().where('case_id', '=', third.id).execute()
  const staffView = await duplicatesOf(db, { sub: 'carla', roles: ['counsellor'], officeId: null }, third.id, probeMembers)
  t.same(staffView.map((match) => match.matching_case_id).sort(), [referred.id, hidden.id].sort())
  const partnerView = await duplicatesOf(db, partnerOnly, third.id, probeMembers)
  t.same(partnerView.map((match) => match.matching_case_id), [referred.id], 'a partner learns only of cases referred to it')
})
