import { sql } from 'kysely'
import t from 'tap'
import { nextCaseNumber } from '../../src/modules/return-cases/repository.js'
import { caseBody, caseFixture, createCase } from './helpers.js'

t.test('numbering: each office and year has its own sequence; a rolled-back create leaves a gap', async (t) => {
  const fixture = await caseFixture(t)
  const { db } = fixture.database
  const office = fixture.offices.vilnius
  const take = (year: number) => db.transaction().execute((trx) => nextCaseNumber(trx, office, year))

  t.equal(await take(2031), 1, 'a year starts at 1')
  t.equal(await take(2031), 2)
  t.equal(await take(2032), 1, 'the year is a parameter: another year counts on its own')
  await t.rejects(
    db.transaction().execute(async (trx) => {
      t.equal(await nextCaseNumber(trx, office, 2031), 3)
      throw new Error('the create fails after taking its number')
    }),
  )
  t.equal(await take(2031), 4, 'the number of a rolled-back create is not handed out again (a gap, by design)')

  const year = new Date().getUTCFullYear()
  const created = await createCase(fixture.counsellor, office)
  t.equal(created.reference, `VNO-${year}-00001`, 'the create takes its number from the same sequence')
  t.equal(await take(year), 2)
  t.equal((await createCase(fixture.counsellor, office)).reference, `VNO-${year}-00003`)
})

t.test('numbering: a sequence continues after the counter row of the same office and year', async (t) => {
  const fixture = await caseFixture(t)
  const { db } = fixture.database
  await db.insertInto('case_reference_counters').values({ office_id: fixture.offices.vilnius, year: 2033, last_number: 41 }).execute()
  t.equal(await db.transaction().execute((trx) => nextCaseNumber(trx, fixture.offices.vilnius, 2033)), 42)
})

t.test('numbering: concurrent first creates of an office make one sequence and get distinct numbers', async (t) => {
  const fixture = await caseFixture(t)
  const office = (await fixture.admin({ method: 'POST', url: '/v1/offices', payload: { code: 'KLJ', name: 'IOM Klaipeda', country: 'LT', kind: 'country_office' } })).json().id as string
  const year = new Date().getUTCFullYear()
  const responses = await Promise.all(Array.from({ length: 8 }, () => fixture.counsellor({ method: 'POST', url: '/v1/return-cases', payload: caseBody(office) })))
  t.same(responses.map((response) => response.statusCode), Array(8).fill(201), 'none fails on the race to make the sequence')
  const references = responses.map((response) => response.json().reference as string).sort()
  t.same(references, Array.from({ length: 8 }, (_, index) => `KLJ-${year}-${String(index + 1).padStart(5, '0')}`), 'distinct; consecutive when nothing failed')
  const sequences = await sql<{ count: number }>`select count(*)::int as count from pg_class where relkind = 'S' and relname like ${`case_numbers_${office.replaceAll('-', '')}_%`}`.execute(fixture.database.db)
  t.equal(sequences.rows[0]?.count, 1)
})
