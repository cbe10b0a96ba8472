import { sql } from 'kysely'
import t from 'tap'
import { findCaseWithMembers } from '../../src/modules/return-cases/repository.js'
import { schemaCompilers } from '../../src/plugins/schema-compilers.js'
import { caseFixture, createCase } from '../return-cases/helpers.js'

const onPostgres = {
  skip: process.env.DATABASE_URL ? false : 'PGlite runs in-process and ignores the prepared-statement mark (run with DATABASE_URL for this test)',
}

t.test('a marked hot read is prepared once per connection and survives a migration that adds a column', onPostgres, async (t) => {
  const fixture = await caseFixture(t)
  const created = await createCase(fixture.counsellor, fixture.offices.vilnius)
  const get = () => fixture.counsellor({ method: 'GET', url: `/v1/return-cases/${created.id as string}` })
  t.equal((await get()).statusCode, 200)

  // One connection (a transaction) runs a marked read and an unmarked one, then lists what it has prepared.
  const statements = await fixture.database.db.transaction().execute(async (trx) => {
    t.ok(await findCaseWithMembers(trx, created.id as string), 'the marked read finds the case')
    await trx.selectFrom('offices').select('id').execute()
    const rows = await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(trx)
    return rows.rows.map((row) => row.statement)
  })
  t.ok(statements.some((statement) => statement.includes('/* prepared */') && statement.includes('from "return_cases"')), 'the case read is prepared')
  t.notOk(statements.some((statement) => !statement.includes('/* prepared */')), 'an unmarked query is not')

  // A newer instance's migration adds a column while this one runs: a prepared `select *` would now fail with
  // "cached plan must not change result type"; the marked queries name their columns and go on working.
  for (let attempt = 0; attempt < 12; attempt += 1) t.equal((await get()).statusCode, 200)
  await sql`alter table return_cases add column added_by_a_newer_release integer`.execute(fixture.database.db)
  await sql`alter table case_members add column added_by_a_newer_release integer`.execute(fixture.database.db)
  for (let attempt = 0; attempt < 12; attempt += 1) {
    const response = await get()
    t.equal(response.statusCode, 200, response.body)
  }
  const again = await createCase(fixture.counsellor, fixture.offices.vilnius)
  t.equal(again.status, 'draft', 'the prepared create statements also go on working')
})

t.test('a schema is compiled once per process, whatever route or app asks for it', async (t) => {
  const external = { Shared: { $id: 'Shared', type: 'object', properties: { id: { type: 'string' } } } }
  const buildValidator = schemaCompilers.buildValidator as unknown as (e: unknown, o: unknown) => (route: object) => unknown
  const buildSerializer = schemaCompilers.buildSerializer as unknown as (e: unknown, o: unknown) => (route: object) => unknown
  const route = (schema: object) => ({ schema, method: 'GET', url: '/x', httpPart: 'body', httpStatus: '200' })
  const schema = () => ({ type: 'object', properties: { name: { type: 'string' } }, required: ['name'] })
  const other = { type: 'object', properties: { name: { type: 'integer' } }, required: ['name'] }

  const validators = [buildValidator(external, { customOptions: {} }), buildValidator(external, { customOptions: {} })]
  const validate = validators[0]!(route(schema())) as (data: unknown) => boolean
  t.equal(validators[1]!(route(schema())), validate, 'an equal schema from another app gets the same validator')
  t.not(validators[0]!(route(other)), validate, 'a different schema gets its own')
  t.not(buildValidator(external, { customOptions: { allErrors: true } })(route(schema())), validate, 'other compiler options get their own')
  t.equal(validate({ name: 'x' }), true)
  t.equal(validate({}), false, 'a name is required')

  const serializers = [buildSerializer(external, {}), buildSerializer(external, {})]
  const serialize = serializers[0]!(route(schema())) as (data: unknown) => string
  t.equal(serializers[1]!(route(schema())), serialize)
  t.not(buildSerializer({}, {})(route(schema())), serialize, 'other shared schemas get their own')
  t.equal(serialize({ name: 'x', secret: 'dropped' }), '{"name":"x"}')
})
