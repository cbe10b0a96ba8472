import type { FastifyInstance, FastifyReply, FastifyRequest, RouteHandlerMethod, RouteOptions } from 'fastify'
import fp from 'fastify-plugin'
import type { Page } from '../shared/pagination.js'
import { CSV_MEDIA_TYPE, fieldColumns, JSON_MEDIA_TYPE, pageItemSchema, preferredMediaType, sendCsvList, type ExportColumn } from '../shared/list-export.js'

interface SchemaWithProperties {
  properties?: Record<string, unknown>
}

/** A list route: a GET whose query pages with `limit` and `cursor`. */
function isListRoute(route: RouteOptions): boolean {
  const methods = [route.method].flat()
  const query = route.schema?.querystring as SchemaWithProperties | undefined
  return methods.includes('GET') && query?.properties?.cursor !== undefined && query.properties.limit !== undefined
}

const CSV_DESCRIPTION =
  'With `Accept: text/csv`: the whole list under the same filters (no page limit, `limit` and `cursor` set where it starts), ' +
  'one row per item with a header row, columns in the order of the item\'s properties, nested objects as `parent.child`.'

/**
 * Gives every list route the CSV export (the list export convention, src/shared/list-export.ts): the
 * spec offers `text/csv` beside JSON on each list's 200, and a request preferring CSV walks the list's
 * own handler page by page. Lists added later get it by being lists; nothing to register per route.
 *
 * The pages are `pageSize` rows (LIST_EXPORT_PAGE_SIZE, 1000), past the 100 a client may ask for: the handler
 * is called directly, and a large page is a tenth of the round trips for a megabyte or so held at a time.
 */
async function listExportPlugin(app: FastifyInstance, options: { pageSize: number }): Promise<void> {
  app.addHook('onRoute', (route: RouteOptions) => {
    if (!isListRoute(route)) return
    const schema = route.schema as { response?: Record<string, unknown>; description?: string; operationId?: string }
    const ok = schema.response?.[200]
    if (ok === undefined) return
    schema.response = {
      ...schema.response,
      200: {
        description: 'A page of the list (JSON), or the whole list (CSV).',
        content: { [JSON_MEDIA_TYPE]: { schema: ok }, [CSV_MEDIA_TYPE]: { schema: { type: 'string', description: CSV_DESCRIPTION } } },
      },
    }
    schema.description = [schema.description, `**Export:** ${CSV_DESCRIPTION}`].filter(Boolean).join('\n\n')

    const listPage = route.handler as (this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) => Promise<Page<unknown>>
    const filename = schema.operationId ?? 'list'
    let columns: ExportColumn[] | undefined
    const handler = async function (this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) {
      if (preferredMediaType(request, [JSON_MEDIA_TYPE, CSV_MEDIA_TYPE]) !== CSV_MEDIA_TYPE) return listPage.call(this, request, reply)
      columns ??= exportColumns(request, ok)
      const query = request.query as Record<string, unknown>
      return sendCsvList(reply, {
        filename,
        columns,
        firstCursor: query.cursor as string | undefined,
        // Each page through the list's own handler: the caller's scoping and masking, page by page.
        pages: (cursor) => listPage.call(this, Object.create(request, { query: { value: { ...query, limit: options.pageSize, cursor } } }) as FastifyRequest, reply),
      })
    }
    route.handler = handler as RouteHandlerMethod
  })
}

function exportColumns(request: FastifyRequest, pageSchema: unknown): ExportColumn[] {
  const lookup = (id: string) => request.server.getSchema(id) as Parameters<typeof fieldColumns>[0] | undefined
  const item = pageItemSchema(pageSchema as Parameters<typeof fieldColumns>[0], lookup)
  if (item === undefined) throw new Error(`${request.routeOptions.url} pages with a cursor but its response is not a page`)
  return fieldColumns(item, lookup)
}

export default fp(listExportPlugin, { name: 'list-export' })
