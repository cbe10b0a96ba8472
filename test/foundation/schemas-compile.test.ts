import t from 'tap'
import { compileEverySchema, deferredSchemaCount } from '../../src/plugins/schema-compilers.js'
import { buildTestApp } from '../helpers/app.js'

// Schemas are compiled on their first use (src/plugins/schema-compilers.ts), so a schema Ajv or
// fast-json-stringify cannot compile would only fail on the first request that needs it. This
// test compiles every schema of the app, so such a schema fails here instead.
t.test('every validator and serializer of the app compiles, and none is compiled before it is used', async (t) => {
  const { app, as } = await buildTestApp(t)
  await app.ready()
  const waiting = deferredSchemaCount()
  t.ok(waiting > 100, `the app's schemas wait for their first use (${waiting} waiting)`)

  // Compiled on first use, a validator still reports its errors and a serializer still answers.
  const invalid = await as('admin-1', ['admin'])({ method: 'POST', url: '/v1/offices', payload: { name: 42 } })
  t.equal(invalid.statusCode, 400, 'a bad body is rejected by a validator compiled on first use')
  t.ok((invalid.json() as { errors: { pointer: string }[] }).errors.some((error) => error.pointer === '/body/name'), 'naming the field')
  const listed = await as('admin-1', ['admin'])({ method: 'GET', url: '/v1/offices' })
  t.equal(listed.statusCode, 200)
  t.ok(deferredSchemaCount() < waiting, 'the schemas those requests used are compiled now')

  t.doesNotThrow(() => compileEverySchema())
  t.equal(deferredSchemaCount(), 0, 'nothing is left to compile')
})
