import t from 'tap'
import { sql } from 'kysely'
import { rebuildSearchTerms } from '../../src/modules/return-cases/repository.js'
import { caseFixture, createCase, person } from './helpers.js'

/**
 * A create writes the case, its household, search terms, history, audit entries and event in one
 * statement, and answers from the values it wrote rather than reading them back: what it answers
 * and writes must be what the database then holds and what the SQL derivations make of it.
 */
t.test('a created case answers what a read of it gives, and writes every record of it', async (t) => {
  const fixture = await caseFixture(t)
  const db = fixture.database.db
  const created = await createCase(fixture.counsellor, fixture.offices.vilnius, {
    members: [
      person({ given_name: 'Nino Mariam', family_name: 'Gelašvili-Beridze', sex: 'female', identity_documents: [{ type: 'passport', number: '09AB12345', issuing_country: 'GE', expires_on: '2030-01-31' }] }),
      person({ relationship: 'child', given_name: 'Luka', family_name: 'Beridze', date_of_birth: '2015-06-01', vulnerabilities: [{ code: 'medical_needs', notes: 'asthma', escort_needed: false }] }),
      person({ relationship: 'spouse_partner', given_name: 'Giorgi', family_name: 'Beridze', birth_year: 1979, date_of_birth: undefined }),
    ],
  })
  const { possible_duplicates: _duplicates, ...answered } = created
  const read = await fixture.counsellor({ method: 'GET', url: `/v1/return-cases/${created.id}` })
  t.equal(read.statusCode, 200)
  t.strictSame(answered, read.json(), 'the create answers exactly what a read of the case gives (defaults, timestamps, versions, documents, vulnerabilities)')

  const terms = async () => (await sql<{ term: string }>`select term from case_search_terms where case_id = ${created.id} order by term`.execute(db)).rows.map((row) => row.term)
  const written = await terms()
  await db.transaction().execute((trx) => rebuildSearchTerms(trx, created.id))
  t.strictSame(written, await terms(), 'the search terms written with the case are those the SQL derivation makes')
  t.ok(written.includes('gelasvili') && written.includes('beridze') && written.includes('vno'), 'names and reference are searchable')

  const audits = await sql<{ action: string; count: number }>`select action, count(*)::int as count from audit_events where case_id = ${created.id} group by action order by action`.execute(db)
  t.strictSame(audits.rows, [
    { action: 'case_member.added', count: 3 },
    { action: 'member_vulnerability.recorded', count: 1 },
    { action: 'return_case.created', count: 1 },
  ])
  const caseAudit = await sql<{ changes: Record<string, { after: unknown }> }>`select changes from audit_events where case_id = ${created.id} and action = 'return_case.created'`.execute(db)
  t.equal(caseAudit.rows[0]?.changes.reference?.after, created.reference, 'the audit entry carries the reference the case got')
  t.equal(caseAudit.rows[0]?.changes.status?.after, 'draft')
  const events = await sql<{ event_type: string; payload: { version: number; member_ids: string[]; reference: string } }>`select event_type, payload from outbox_events where case_id = ${created.id}`.execute(db)
  t.equal(events.rows.length, 1, 'one event')
  t.equal(events.rows[0]?.event_type, 'return_case.created')
  t.equal(events.rows[0]?.payload.version, 1)
  t.equal(events.rows[0]?.payload.reference, created.reference)
  t.strictSame([...(events.rows[0]?.payload.member_ids ?? [])].sort(), (created.members as Array<{ id: string }>).map((member) => member.id).sort())
  const history = await sql<{ action: string; to_status: string }>`select action, to_status from case_status_history where case_id = ${created.id}`.execute(db)
  t.strictSame(history.rows, [{ action: 'create', to_status: 'draft' }])
})

t.test('a case without members is written and answered the same way', async (t) => {
  const fixture = await caseFixture(t)
  const created = await createCase(fixture.counsellor, fixture.offices.vilnius, { members: [] })
  const { possible_duplicates: _duplicates, ...answered } = created
  const read = await fixture.counsellor({ method: 'GET', url: `/v1/return-cases/${created.id}` })
  t.strictSame(answered, read.json())
  const terms = await sql<{ term: string }>`select term from case_search_terms where case_id = ${created.id} order by term`.execute(fixture.database.db)
  t.strictSame(terms.rows.map((row) => row.term), created.reference.toLowerCase().split('-').sort())
})
