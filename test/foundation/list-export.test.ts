import { parse } from 'csv-parse/sync'
import Fastify from 'fastify'
import t from 'tap'
import { ReturnCaseSummary } from '../../src/modules/return-cases/schemas.js'
import { sendCsvList } from '../../src/shared/list-export.js'
import { approvedCase, caseFixture, createCase, person, type Json } from '../return-cases/helpers.js'

function rows(body: string): string[][] {
  return parse(body) as string[][]
}

t.test('a list exported as CSV: every row under the filters, across pages, in the list order, columns from the item schema', async (t) => {
  // Export pages of 10 and more matching cases than that, so the export must walk the keyset pages.
  const fixture = await caseFixture(t, { LIST_EXPORT_PAGE_SIZE: '10' })
  const georgian: string[] = []
  for (let index = 0; index < 24; index += 1) {
    georgian.push((await createCase(fixture.counsellor, fixture.offices.vilnius, { members: [person({ family_name: `Beridze${index}` })] })).id)
  }
  for (let index = 0; index < 3; index += 1) {
    await createCase(fixture.counsellor, fixture.offices.vilnius, { country_of_return: 'IQ', members: [person({ family_name: `Ahmed${index}`, nationality: 'IQ' })] })
  }

  const exported = await fixture.counsellor({ method: 'GET', url: '/v1/return-cases?country_of_return=GE', headers: { accept: 'text/csv' } })
  t.equal(exported.statusCode, 200)
  t.match(exported.headers['content-type'], /^text\/csv/)
  t.match(exported.headers['content-disposition'], /attachment; filename="listReturnCases.csv"/)
  const [header, ...body] = rows(exported.body)
  const topLevel = (header as string[]).map((column) => column.split('.')[0])
  t.same([...new Set(topLevel)], Object.keys(ReturnCaseSummary.properties), 'columns follow the item schema, nested objects flattened in place')
  t.ok(header?.includes('principal.family_name'), 'a nested object becomes parent.child columns')
  const idColumn = (header as string[]).indexOf('id')
  t.equal(body.length, 24, 'every matching case, beyond one page, and none of the other country')
  t.same(body.map((row) => row[idColumn]), [...georgian].reverse(), 'in the list order (newest first)')

  // The JSON pages say the same.
  const firstPage = (await fixture.counsellor({ method: 'GET', url: '/v1/return-cases?country_of_return=GE&limit=5' })).json() as Json
  t.same(body.slice(0, 5).map((row) => row[idColumn]), firstPage.items.map((item: Json) => item.id))

  // An export may start where a page left off.
  const rest = await fixture.counsellor({ method: 'GET', url: `/v1/return-cases?country_of_return=GE&limit=5&cursor=${firstPage.next_cursor}`, headers: { accept: 'text/csv' } })
  t.equal(rows(rest.body).length - 1, 19, 'from the cursor to the end')

  const json = await fixture.counsellor({ method: 'GET', url: '/v1/return-cases?limit=1', headers: { accept: 'application/json' } })
  t.equal(json.json().items.length, 1, 'JSON stays the paged list')
  const browser = await fixture.counsellor({ method: 'GET', url: '/v1/return-cases?limit=1', headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } })
  t.match(browser.headers['content-type'], /application\/json/, 'a wildcard gets JSON')
})

t.test('an export shows only what the list shows the caller: partner scoping and restricted vulnerabilities', async (t) => {
  const fixture = await caseFixture(t)
  const referred = await approvedCase(fixture, { members: [person({ family_name: 'Tsiklauri' })] })
  await approvedCase(fixture, { country_of_return: 'IQ', members: [person({ family_name: 'Hassan', nationality: 'IQ' })] })
  await createCase(fixture.counsellor, fixture.offices.vilnius, { members: [person({ family_name: 'Draft' })] })
  const memberId = referred.members[0].id
  const recorded = await fixture.protection({ method: 'POST', url: `/v1/return-cases/${referred.id}/members/${memberId}/vulnerabilities`, payload: { code: 'victim_of_trafficking', notes: 'never exported' } })
  t.equal(recorded.statusCode, 201)

  const partner = fixture.as('pat', ['partner'], fixture.offices.tbilisi)
  const partnerExport = await partner({ method: 'GET', url: '/v1/return-cases', headers: { accept: 'text/csv' } })
  t.equal(partnerExport.statusCode, 200)
  const [header, ...body] = rows(partnerExport.body)
  const idColumn = (header as string[]).indexOf('id')
  t.same(body.map((row) => row[idColumn]), [referred.id], 'a partner office exports only the cases referred to it')
  t.notMatch(partnerExport.body, /victim_of_trafficking|never exported/, 'the restricted code is not in the partner export')
  t.match(partnerExport.body, /restricted/, 'it shows as restricted, as in the list')

  const counsellorExport = await fixture.as('dan', ['counsellor'])({ method: 'GET', url: '/v1/return-cases', headers: { accept: 'text/csv' } })
  t.equal(rows(counsellorExport.body).length - 1, 3, 'the country office exports all its cases')
  t.notMatch(counsellorExport.body, /victim_of_trafficking/, 'a counsellor who did not record it sees it restricted')
})

t.test('export refusals are problems', async (t) => {
  const fixture = await caseFixture(t)
  const xml = await fixture.counsellor({ method: 'GET', url: '/v1/return-cases', headers: { accept: 'application/xml' } })
  t.equal(xml.statusCode, 406)
  t.match(xml.json(), { type: /not-acceptable$/, available: ['application/json', 'text/csv'] })
  const badCursor = await fixture.counsellor({ method: 'GET', url: '/v1/return-cases?cursor=not-a-cursor', headers: { accept: 'text/csv' } })
  t.equal(badCursor.statusCode, 400, 'a bad cursor is a 400 before any CSV is sent')
  t.match(badCursor.headers['content-type'], /application\/problem\+json/)
  const badFilter = await fixture.counsellor({ method: 'GET', url: '/v1/return-cases?status=nonsense', headers: { accept: 'text/csv' } })
  t.equal(badFilter.statusCode, 400)
  const anonymous = await fixture.app.inject({ method: 'GET', url: '/v1/return-cases', headers: { accept: 'text/csv' } })
  t.equal(anonymous.statusCode, 401)
})

t.test('a cell a spreadsheet would run as a formula is neutralised', async (t) => {
  const fixture = await caseFixture(t)
  await createCase(fixture.counsellor, fixture.offices.vilnius, { members: [person({ family_name: '=HYPERLINK("http://x","y")', given_name: '+1' })] })
  const exported = await fixture.counsellor({ method: 'GET', url: '/v1/return-cases', headers: { accept: 'text/csv' } })
  const [header, row] = rows(exported.body)
  t.equal(row?.[(header as string[]).indexOf('principal.family_name')], `'=HYPERLINK("http://x","y")`)
  t.equal(row?.[(header as string[]).indexOf('principal.given_name')], `'+1`)
})

t.test('the export reads the next page only as the client takes the rows', async (t) => {
  const app = Fastify()
  const requested: Array<string | undefined> = []
  // Pages far larger than the stream and socket buffers together, so reading ahead would show.
  const pageCount = 50
  const text = 'x'.repeat(4000)
  app.get('/things', (_request, reply) =>
    sendCsvList(reply, {
      filename: 'things',
      columns: [
        { header: 'n', path: ['n'] },
        { header: 'text', path: ['text'] },
      ],
      pages: async (cursor) => {
        requested.push(cursor)
        const index = cursor === undefined ? 0 : Number(cursor)
        const items = Array.from({ length: 100 }, (_, offset) => ({ n: index * 100 + offset, text }))
        return { items, next_cursor: index + 1 < pageCount ? String(index + 1) : null }
      },
    }),
  )
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => app.close())
  const address = app.server.address() as { port: number }
  const response = await fetch(`http://127.0.0.1:${address.port}/things`)
  const reader = (response.body as ReadableStream<Uint8Array>).getReader()
  const first = await reader.read()
  t.match(new TextDecoder().decode(first.value), /^n,text\n0,x/)
  t.ok(requested.length < pageCount, `after the first bytes only ${requested.length} of ${pageCount} pages were read`)
  let received = new TextDecoder().decode(first.value)
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) received += new TextDecoder().decode(chunk.value)
  t.equal(received.trim().split('\n').length, pageCount * 100 + 1, 'and all of them by the end')
  t.equal(requested.length, pageCount)
})

t.test('every list endpoint offers and answers CSV', async (t) => {
  const fixture = await caseFixture(t)
  const spec = fixture.app.swagger() as unknown as { paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string; required?: boolean; schema?: { enum?: string[] } }>; responses: Record<string, { content?: Record<string, unknown> }> }>> }
  const lists = Object.entries(spec.paths).flatMap(([path, operations]) =>
    operations.get?.parameters?.some((parameter) => parameter.in === 'query' && parameter.name === 'cursor') ? [path] : [],
  )
  t.ok(lists.length >= 20, `${lists.length} list endpoints`)
  for (const path of lists) {
    t.ok(spec.paths[path]?.get?.responses['200']?.content?.['text/csv'], `${path} offers text/csv`)
    // Under a parent that does not exist the list is a 404, but its columns were worked out first.
    const required = (spec.paths[path]?.get?.parameters ?? []).filter((parameter) => parameter.in === 'query' && parameter.required)
    const query = required.map((parameter) => `${parameter.name}=${parameter.schema?.enum?.[0] ?? ''}`).join('&')
    const url = path.replace(/\{[a-z_]+\}/g, '01900000-0000-7000-8000-000000000000') + (query ? `?${query}` : '')
    const response = await fixture.admin({ method: 'GET', url, headers: { accept: 'text/csv' } })
    t.ok([200, 404].includes(response.statusCode), `${path} as CSV: ${response.statusCode}`)
    if (response.statusCode === 200) t.match(response.headers['content-type'], /^text\/csv/, `${path} answers CSV`)
  }
})
