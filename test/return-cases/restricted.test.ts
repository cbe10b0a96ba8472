import t from 'tap'
import { RESTRICTED_READ_ACTION } from '../../src/modules/return-cases/restricted.js'
import { approvedCase, caseFixture, person, type CaseFixture } from './helpers.js'

const SECRET = 'Exploited on a farm; trafficker still in contact'

async function restrictedReads(fixture: CaseFixture): Promise<Array<{ actor_sub: string; entity_id: string }>> {
  return fixture.database.db.selectFrom('audit_events').select(['actor_sub', 'entity_id']).where('action', '=', RESTRICTED_READ_ACTION).orderBy('id').execute()
}

/** Every response shape that can show a vulnerability, as one caller sees it. */
async function everyShape(fixture: CaseFixture, caller: ReturnType<CaseFixture['as']>, caseId: string, memberId: string) {
  const detail = (await caller({ method: 'GET', url: `/v1/return-cases/${caseId}` })).json()
  const members = (await caller({ method: 'GET', url: `/v1/return-cases/${caseId}/members` })).json()
  const member = (await caller({ method: 'GET', url: `/v1/return-cases/${caseId}/members/${memberId}` })).json()
  const search = (await caller({ method: 'GET', url: '/v1/return-cases?q=tsiklauri' })).json()
  return {
    detail: detail.members.find((item: { id: string }) => item.id === memberId).vulnerabilities,
    list: members.items.find((item: { id: string }) => item.id === memberId).vulnerabilities,
    member: member.vulnerabilities,
    search: search.items.find((item: { id: string }) => item.id === caseId).vulnerability_codes,
  }
}

t.test('victim-of-trafficking entries: detail only for protection and the recorder, restricted everywhere else, every disclosure audited', async (t) => {
  const fixture = await caseFixture(t)
  const approved = await approvedCase(fixture, {
    members: [person({ given_name: 'Nino', family_name: 'Tsiklauri', sex: 'female', date_of_birth: '1985-07-08', vulnerabilities: [{ code: 'medical_needs', notes: 'asthma' }] })],
  })
  const caseId = approved.id
  const memberId = approved.members[0].id
  const recorded = await fixture.counsellor({ method: 'POST', url: `/v1/return-cases/${caseId}/members/${memberId}/vulnerabilities`, payload: { code: 'victim_of_trafficking', notes: SECRET } })
  t.equal(recorded.statusCode, 201)
  t.match(recorded.json(), { code: 'victim_of_trafficking', notes: SECRET, restricted: false, recorded_by: 'carla' }, 'the recorder sees what they recorded')
  const entryId = recorded.json().id
  const readsAfterWrite = (await restrictedReads(fixture)).length

  const others = {
    counsellor: fixture.as('dan', ['counsellor']),
    approver: fixture.approver,
    auditor: fixture.auditor,
    operations: fixture.as('olga', ['operations']),
    admin: fixture.admin,
    partner: fixture.as('pat', ['partner'], fixture.offices.tbilisi),
  }
  for (const [role, caller] of Object.entries(others)) {
    const shapes = await everyShape(fixture, caller, caseId, memberId)
    for (const shape of ['detail', 'list', 'member'] as const) {
      const entries = shapes[shape] as Array<Record<string, unknown>>
      t.same(
        entries.find((entry) => entry.id === entryId),
        { id: entryId, member_id: memberId, code: 'restricted', restricted: true, notes: null, escort_needed: null, recorded_by: null, recorded_at: null, version: null },
        `${role}, ${shape}: restricted, no detail`,
      )
      t.match(entries.find((entry) => entry.code === 'medical_needs'), { notes: 'asthma' }, `${role}, ${shape}: other entries keep their detail`)
    }
    t.same(shapes.search, ['medical_needs', 'restricted'], `${role}, search results: restricted`)
    t.notMatch(JSON.stringify(shapes), /victim_of_trafficking|Exploited/, `${role}: the code and notes appear nowhere`)
  }
  t.equal((await restrictedReads(fixture)).length, readsAfterWrite, 'callers who see no detail cause no disclosure entries')

  for (const [who, caller, sub] of [
    ['protection', fixture.protection, 'petra'],
    ['the recording counsellor', fixture.counsellor, 'carla'],
  ] as const) {
    const before = (await restrictedReads(fixture)).length
    const shapes = await everyShape(fixture, caller, caseId, memberId)
    for (const shape of ['detail', 'list', 'member'] as const) {
      t.match(
        (shapes[shape] as Array<Record<string, unknown>>).find((entry) => entry.id === entryId),
        { code: 'victim_of_trafficking', notes: SECRET, restricted: false, recorded_by: 'carla' },
        `${who}, ${shape}: full detail`,
      )
    }
    t.same(shapes.search, ['medical_needs', 'victim_of_trafficking'], `${who}, search results: the code`)
    const reads = await restrictedReads(fixture)
    t.equal(reads.length, before + 4, `${who}: each of the four reads is audited`)
    t.ok(reads.slice(before).every((read) => read.actor_sub === sub && read.entity_id === entryId), `${who}: the entries name the reader and the entry`)
  }

  const trail = (await fixture.auditor({ method: 'GET', url: `/v1/audit-events?entity_id=${entryId}&action=member_vulnerability.recorded` })).json()
  t.same(trail.items[0].changes, { member_id: { after: memberId }, code: { after: '[restricted]' }, notes: { after: '[restricted]' }, escort_needed: { after: '[restricted]' } }, 'the audit trail masks the code and notes')
  const medical = await fixture.database.db.selectFrom('audit_events').select('changes').where('action', '=', 'member_vulnerability.recorded').where('case_id', '=', caseId).orderBy('id').execute()
  t.equal(medical[0]?.changes.code?.after, 'medical_needs', 'unrestricted codes stay readable in the trail')
  t.equal(medical[0]?.changes.notes?.after, '[restricted]', 'but their notes are personal and masked')
  const events = await fixture.database.db.selectFrom('outbox_events').select('payload').where('entity_id', '=', entryId).execute()
  t.equal(events[0]?.payload.code, 'restricted', 'event payloads never carry the code')
  t.notMatch(JSON.stringify(events), /Exploited|victim_of_trafficking/)
})

t.test('restricted entries: filters match what the caller sees; only protection or the recorder change them', async (t) => {
  const fixture = await caseFixture(t)
  const approved = await approvedCase(fixture)
  const caseId = approved.id
  const sister = await fixture.counsellor({ method: 'POST', url: `/v1/return-cases/${caseId}/members`, payload: person({ relationship: 'sibling', given_name: 'Tamar', sex: 'female', date_of_birth: '1990-04-02' }) })
  const memberId = sister.json().id
  const entry = (
    await fixture.counsellor({ method: 'POST', url: `/v1/return-cases/${caseId}/members/${memberId}/vulnerabilities`, payload: { code: 'victim_of_trafficking', notes: SECRET } })
  ).json()
  const dan = fixture.as('dan', ['counsellor'])
  const ids = async (caller: typeof dan, query: string) => (await caller({ method: 'GET', url: `/v1/return-cases?${query}` })).json().items.map((item: { id: string }) => item.id)
  t.same(await ids(dan, 'vulnerability=victim_of_trafficking'), [], 'another counsellor cannot find the case by the hidden code')
  t.same(await ids(dan, 'vulnerability=restricted'), [caseId], 'but finds it as restricted, which is what they see')
  t.same(await ids(fixture.protection, 'vulnerability=victim_of_trafficking'), [caseId])
  t.same(await ids(fixture.protection, 'vulnerability=restricted'), [], 'protection sees nothing as restricted')
  t.same(await ids(fixture.counsellor, 'vulnerability=victim_of_trafficking'), [caseId], 'the recorder finds what they recorded')

  const url = `/v1/return-cases/${caseId}/members/${memberId}/vulnerabilities/${entry.id}`
  const edit = await dan({ method: 'PATCH', url, headers: { 'if-match': '"1"' }, payload: { notes: 'overwritten' } })
  t.equal(edit.statusCode, 403)
  const remove = await dan({ method: 'DELETE', url, headers: { 'if-match': '"1"' } })
  t.equal(remove.statusCode, 403)
  const removePerson = await dan({ method: 'DELETE', url: `/v1/return-cases/${caseId}/members/${memberId}`, headers: { 'if-match': '"1"' } })
  t.equal(removePerson.statusCode, 403, 'nor can they remove the person and with them the entry')
  const byProtection = await fixture.protection({ method: 'PATCH', url, headers: { 'if-match': '"1"' }, payload: { notes: 'Referred to the national referral mechanism' } })
  t.equal(byProtection.statusCode, 200)
  t.match(byProtection.json(), { notes: 'Referred to the national referral mechanism', version: 2 })
  const updateAudit = await fixture.database.db.selectFrom('audit_events').select('changes').where('action', '=', 'member_vulnerability.updated').executeTakeFirstOrThrow()
  t.same(updateAudit.changes, { notes: { before: '[restricted]', after: '[restricted]' } })
  const removed = await fixture.counsellor({ method: 'DELETE', url, headers: { 'if-match': '"2"' } })
  t.equal(removed.statusCode, 204, 'the recorder can remove it')
})
