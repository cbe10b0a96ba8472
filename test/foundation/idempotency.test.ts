import t from 'tap'
import { purgeExpiredIdempotencyKeys } from '../../src/db/unit-of-work.js'
import { buildTestApp } from '../helpers/app.js'

const office = (code: string) => ({ code, name: `Office ${code}`, country: 'GE', kind: 'partner_office' })

t.test('a repeated request with the same key replays the first response without a second effect', async (t) => {
  const { as, database } = await buildTestApp(t)
  const admin = as('ada', ['admin'])
  const first = await admin({ method: 'POST', url: '/v1/offices', headers: { 'idempotency-key': 'key-1' }, payload: office('AB') })
  t.equal(first.statusCode, 201)
  t.notOk(first.headers['idempotent-replayed'])
  // Same body with its keys in another order is the same request.
  const again = await admin({ method: 'POST', url: '/v1/offices', headers: { 'idempotency-key': 'key-1' }, payload: { kind: 'partner_office', country: 'GE', name: 'Office AB', code: 'AB' } })
  t.equal(again.statusCode, 201)
  t.equal(again.headers['idempotent-replayed'], 'true')
  t.same(again.json(), first.json(), 'the stored body is replayed')
  t.equal(again.headers.location, first.headers.location, 'stored headers are replayed')
  t.equal((await database.db.selectFrom('offices').select('id').execute()).length, 1)
  t.equal((await database.db.selectFrom('audit_events').select('id').execute()).length, 1, 'the work ran once')

  const reused = await admin({ method: 'POST', url: '/v1/offices', headers: { 'idempotency-key': 'key-1' }, payload: office('CD') })
  t.equal(reused.statusCode, 422)
  t.equal(reused.json().type, '/problems/idempotency-key-reused')
  t.equal((await database.db.selectFrom('offices').select('id').execute()).length, 1, 'a reused key with another body writes nothing')

  const otherCaller = await as('bob', ['admin'])({ method: 'POST', url: '/v1/offices', headers: { 'idempotency-key': 'key-1' }, payload: office('CD') })
  t.equal(otherCaller.statusCode, 201, 'keys are scoped to the caller')

  const invalidKey = await admin({ method: 'POST', url: '/v1/offices', headers: { 'idempotency-key': 'has space' }, payload: office('EF') })
  t.equal(invalidKey.statusCode, 400)
})

t.test('20 concurrent requests with one key produce exactly one effect', async (t) => {
  const { as, database } = await buildTestApp(t)
  const admin = as('ada', ['admin'])
  const responses = await Promise.all(
    Array.from({ length: 20 }, () => admin({ method: 'POST', url: '/v1/offices', headers: { 'idempotency-key': 'burst' }, payload: office('ZZ') })),
  )
  t.same(new Set(responses.map((response) => response.statusCode)), new Set([201]), 'every caller gets the created response')
  t.equal(new Set(responses.map((response) => response.json().id)).size, 1, 'all see the same office')
  t.equal(responses.filter((response) => response.headers['idempotent-replayed'] === 'true').length, 19)
  t.equal((await database.db.selectFrom('offices').select('id').execute()).length, 1)
  t.equal((await database.db.selectFrom('outbox_events').select('id').execute()).length, 1)
})

t.test('a failed request keeps no key, so its retry runs; expired keys are purged and then run again', async (t) => {
  const { as, database } = await buildTestApp(t)
  const admin = as('ada', ['admin'])
  await admin({ method: 'POST', url: '/v1/offices', payload: office('AA') })
  const failed = await admin({ method: 'POST', url: '/v1/offices', headers: { 'idempotency-key': 'dup' }, payload: office('AA') })
  t.equal(failed.statusCode, 409)
  t.equal((await database.db.selectFrom('idempotency_keys').select('key').where('key', '=', 'dup').execute()).length, 0)

  const created = await admin({ method: 'POST', url: '/v1/offices', headers: { 'idempotency-key': 'old' }, payload: office('BB') })
  t.equal(created.statusCode, 201)
  await database.db.updateTable('idempotency_keys').set({ expires_at: new Date(Date.now() - 1000) }).where('key', '=', 'old').execute()
  const taken = await admin({ method: 'POST', url: '/v1/offices', headers: { 'idempotency-key': 'taken' }, payload: office('DD') })
  await database.db.updateTable('idempotency_keys').set({ expires_at: new Date(Date.now() - 1000) }).where('key', '=', 'taken').execute()
  const reusedAfterExpiry = await admin({ method: 'POST', url: '/v1/offices', headers: { 'idempotency-key': 'taken' }, payload: office('EE') })
  t.equal(reusedAfterExpiry.statusCode, 201, 'an expired key no longer binds: the new request runs')
  t.not(reusedAfterExpiry.json().id, taken.json().id)
  const live = await admin({ method: 'POST', url: '/v1/offices', headers: { 'idempotency-key': 'live' }, payload: office('CC') })
  t.equal(live.statusCode, 201)
  t.equal(await purgeExpiredIdempotencyKeys(database.db), 1, 'only the expired key is purged')
  const keys = await database.db.selectFrom('idempotency_keys').select('key').execute()
  t.same(keys.map((row) => row.key).sort(), ['live', 'taken'])
  const stored = await database.db.selectFrom('idempotency_keys').select(['created_at', 'expires_at']).where('key', '=', 'live').executeTakeFirstOrThrow()
  t.equal(stored.expires_at.getTime() - stored.created_at.getTime(), 24 * 3600 * 1000, 'keys are kept 24 h by default')
})
