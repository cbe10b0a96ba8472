import { readFile } from 'node:fs/promises'
import t from 'tap'
import { generateOpenApiDocument, OPENAPI_PATH } from '../../src/openapi.js'

interface Operation {
  operationId?: string
  tags?: string[]
  summary?: string
  responses?: Record<string, unknown>
}

t.test('the committed spec is what the app generates (run `npm run openapi` after changing the API)', async (t) => {
  const committed = await readFile(OPENAPI_PATH, 'utf8')
  const generated = await generateOpenApiDocument()
  t.equal(committed, generated)
})

t.test('the spec has named components and documented operations', async (t) => {
  const spec = JSON.parse(await generateOpenApiDocument()) as {
    openapi: string
    paths: Record<string, Record<string, Operation>>
    components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> }
  }
  t.equal(spec.openapi, '3.1.0')
  t.notOk(Object.keys(spec.components.schemas).some((name) => /^def-\d+$/.test(name)), 'no def-N component names')
  t.ok(spec.components.schemas.ProblemDetails)
  t.ok(spec.components.securitySchemes.bearerAuth)
  const operationIds = new Set<string>()
  for (const [path, operations] of Object.entries(spec.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      t.ok(operation.operationId && /^[a-z][A-Za-z]+$/.test(operation.operationId), `${method} ${path} has a camelCase operationId`)
      t.notOk(operationIds.has(operation.operationId as string), `${operation.operationId} is unique`)
      operationIds.add(operation.operationId as string)
      t.ok(operation.tags?.length, `${method} ${path} is tagged`)
      t.ok(operation.summary, `${method} ${path} has a summary`)
    }
  }
})

t.test('every property of every component is described', async (t) => {
  const spec = JSON.parse(await generateOpenApiDocument()) as { components: { schemas: Record<string, unknown> } }
  const undescribed: string[] = []
  const visit = (schema: unknown, where: string) => {
    if (!schema || typeof schema !== 'object') return
    const node = schema as { properties?: Record<string, { description?: string; $ref?: string }>; items?: unknown; anyOf?: unknown[] }
    for (const [name, property] of Object.entries(node.properties ?? {})) {
      if (!property.description && !property.$ref) undescribed.push(`${where}.${name}`)
      visit(property, `${where}.${name}`)
    }
    if (node.items) visit(node.items, `${where}[]`)
    for (const option of node.anyOf ?? []) visit(option, where)
  }
  for (const [name, schema] of Object.entries(spec.components.schemas)) visit(schema, name)
  t.same(undescribed, [], 'properties without a description')
})
