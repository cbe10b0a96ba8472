import t from 'tap'
import { cloudEventType, EVENT_CATALOGUE, EVENT_TYPES } from '../../src/modules/events/catalogue.js'
import { buildSeededTestApp } from '../helpers/app.js'

t.test('every event the seed data writes is in the catalogue, and the spec documents each type with a named schema', async (t) => {
  const { app, database } = await buildSeededTestApp(t)
  const written = await database.db.selectFrom('outbox_events').select('event_type').distinct().execute()
  t.ok(written.length > 20, `the seed writes many kinds of events (${written.length})`)
  t.same(written.map((row) => cloudEventType(row.event_type)).filter((type) => !EVENT_TYPES.includes(type)), [], 'add new event types to src/modules/events/catalogue.ts')

  const spec = app.swagger() as { webhooks: Record<string, { post: { requestBody: { content: Record<string, { schema: { $ref: string } }> } } }>; components: { schemas: Record<string, unknown> } }
  t.same(Object.keys(spec.webhooks).sort(), [...EVENT_TYPES].sort(), 'one webhook entry per type')
  for (const [type, entry] of Object.entries(spec.webhooks)) {
    const reference = entry.post.requestBody.content['application/cloudevents+json']?.schema.$ref ?? ''
    const name = reference.replace('#/components/schemas/', '')
    t.ok(spec.components.schemas[name], `${type}: its payload schema ${name} is a component`)
  }
  t.equal(Object.values(EVENT_CATALOGUE).length, new Set(Object.values(EVENT_CATALOGUE).map((entity) => entity.schema)).size, 'schema names are unique')
})
