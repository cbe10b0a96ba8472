import { Readable } from 'node:stream'
import { stringify } from 'csv-stringify/sync'
import Negotiator from 'negotiator'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Page } from './pagination.js'
import { ProblemError } from './problems.js'

/**
 * The list export convention: every list endpoint answers `Accept: text/csv` with the whole list under
 * the request's filters, as CSV with a header row and a stable column order (the order of the item
 * schema's properties), streamed page by page over the list's own keyset pagination. The pages come
 * from the list's own handler, so an export shows exactly what the list shows to that caller (partner
 * scoping, restricted vulnerabilities) and never holds more than one page in memory.
 */

export const CSV_MEDIA_TYPE = 'text/csv'
export const JSON_MEDIA_TYPE = 'application/json'

/**
 * The media type the client prefers among `offered` (the first offered when it sends no Accept);
 * a 406 problem when it accepts none of them.
 */
export function preferredMediaType(request: FastifyRequest, offered: readonly string[]): string {
  const accept = request.headers.accept
  if (accept === undefined || accept.trim() === '') return offered[0] as string
  const chosen = new Negotiator({ headers: { accept } }).mediaType([...offered])
  if (chosen === undefined) {
    throw new ProblemError('not-acceptable', `This resource is available as ${offered.join(', ')}`, { available: [...offered] })
  }
  return chosen
}

/** A column of the export: its header and where its value is in an item. */
export interface ExportColumn {
  header: string
  path: readonly string[]
}

interface JsonSchemaNode {
  $ref?: string
  type?: string | string[]
  properties?: Record<string, JsonSchemaNode>
  anyOf?: JsonSchemaNode[]
  items?: JsonSchemaNode
}

type SchemaLookup = (id: string) => JsonSchemaNode | undefined

function resolve(node: JsonSchemaNode | undefined, lookup: SchemaLookup): JsonSchemaNode | undefined {
  let current = node
  for (let hops = 0; current?.$ref !== undefined && hops < 10; hops += 1) current = lookup(current.$ref.replace(/^#\/components\/schemas\//, '').replace(/#$/, ''))
  return current
}

/** The object variant of a schema that may be null (`anyOf: [object, null]`), if it is an object. */
function objectSchema(node: JsonSchemaNode | undefined, lookup: SchemaLookup): JsonSchemaNode | undefined {
  const resolved = resolve(node, lookup)
  if (resolved === undefined) return undefined
  if (resolved.properties !== undefined) return resolved
  for (const variant of resolved.anyOf ?? []) {
    const candidate = resolve(variant, lookup)
    if (candidate?.properties !== undefined) return candidate
  }
  return undefined
}

/**
 * The columns of a list's items, from the item schema: scalar properties as they are, nested objects
 * (money, the principal, an actor) flattened as `parent.child` up to two levels, arrays in one cell.
 */
export function fieldColumns(itemSchema: JsonSchemaNode, lookup: SchemaLookup, prefix: readonly string[] = []): ExportColumn[] {
  const columns: ExportColumn[] = []
  const item = objectSchema(itemSchema, lookup)
  for (const [name, property] of Object.entries(item?.properties ?? {})) {
    const path = [...prefix, name]
    const nested = prefix.length < 2 ? objectSchema(property, lookup) : undefined
    if (nested !== undefined) columns.push(...fieldColumns(nested, lookup, path))
    else columns.push({ header: path.join('.'), path })
  }
  return columns
}

/** The item schema of a page schema (`{ items: [...], next_cursor }`), or undefined when it is no page. */
export function pageItemSchema(pageSchema: JsonSchemaNode | undefined, lookup: SchemaLookup): JsonSchemaNode | undefined {
  const page = objectSchema(pageSchema, lookup)
  const items = resolve(page?.properties?.items, lookup)
  if (page?.properties?.next_cursor === undefined || items?.items === undefined) return undefined
  return items.items
}

// A cell a spreadsheet would read as a formula is prefixed with an apostrophe (OWASP, CSV injection).
const FORMULA_START = /^[=+\-@\t\r]/

function cell(value: unknown): string | number | boolean {
  if (value === null || value === undefined) return ''
  if (typeof value === 'number' || typeof value === 'boolean') return value
  if (Array.isArray(value)) return guard(value.map((entry) => (entry !== null && typeof entry === 'object' ? JSON.stringify(entry) : String(entry))).join('; '))
  if (typeof value === 'object') return guard(JSON.stringify(value))
  return guard(String(value))
}

function guard(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text
}

function valueAt(item: unknown, path: readonly string[]): unknown {
  let current = item
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined
    current = (current as Record<string, unknown>)[key]
  }
  return current
}

/** One page of a list after the given cursor (undefined: the first page). */
export type PageSource = (cursor: string | undefined) => Promise<Page<unknown>>

/**
 * Sends a whole list as CSV. The first page is read before anything is sent, so a bad filter or
 * cursor is still a problem response; the next pages are read only as the client takes the rows.
 * Each page is written as one chunk of CSV (not a row at a time), and the stream holds at most one
 * page ahead of the socket: it is a byte stream whose buffer limit is below a page.
 */
export async function sendCsvList(reply: FastifyReply, options: { filename: string; columns: ExportColumn[]; firstCursor?: string; pages: PageSource }): Promise<FastifyReply> {
  const { columns, pages } = options
  const headers = columns.map((column) => column.header)
  const first = await pages(options.firstCursor)
  const csv = (page: Page<unknown>, header: boolean): string =>
    stringify(
      page.items.map((item) => columns.map((column) => cell(valueAt(item, column.path)))),
      { header, columns: headers, cast: { boolean: (value) => String(value) } },
    )
  async function* chunks(): AsyncGenerator<string> {
    let page = first
    yield csv(page, true)
    while (page.next_cursor !== null) {
      page = await pages(page.next_cursor)
      yield csv(page, false)
    }
  }
  const body = Readable.from(chunks(), { objectMode: false })
  // A page that fails half-way (the database went away) ends the response early rather than hang it.
  body.on('error', (error) => reply.log.warn({ err: error }, 'list export ended early'))
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${options.filename}.csv"`)
    .send(body)
}
