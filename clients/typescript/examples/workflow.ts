import { ProblemError, type AvrrClient } from '../src/index.js'

/**
 * A short integration with the conventions: create (with an Idempotency-Key, retried safely), read,
 * update with If-Match from the last ETag, a stale update refused, a list followed page by page, and
 * problems caught by type. Built with the client (so a drift between spec and client fails to compile)
 * and run against a real server by the tests.
 */
export async function officeWorkflow(client: AvrrClient, suffix: string) {
  const { api } = client
  const body = { code: `W${suffix}`, name: 'IOM Vilnius', country: 'LT', kind: 'country_office' } as const

  // The same key twice: the second call replays the first response instead of creating another office.
  const key = `workflow-${suffix}`
  const created = await client.data(api.POST('/v1/offices', { params: { header: { 'idempotency-key': key } }, body }))
  const retried = await api.POST('/v1/offices', { params: { header: { 'idempotency-key': key } }, body })
  const replayed = retried.response.headers.get('idempotent-replayed') === 'true' && retried.data?.id === created.id

  const path = `/v1/offices/${created.id}`
  const read = await client.data(api.GET('/v1/offices/{id}', { params: { path: { id: created.id } } }))
  const staleEtag = client.ifMatch(path)['if-match']
  const renamed = await client.data(
    api.PATCH('/v1/offices/{id}', { params: { path: { id: created.id }, header: client.ifMatch(path) }, body: { name: 'IOM Lithuania' } }),
  )

  let stale: ProblemError | undefined
  try {
    await api.PATCH('/v1/offices/{id}', { params: { path: { id: created.id }, header: { 'if-match': staleEtag } }, body: { name: 'IOM LT' } })
  } catch (error) {
    if (error instanceof ProblemError) stale = error
    else throw error
  }

  for (const code of ['A', 'B', 'C']) {
    await api.POST('/v1/offices', { body: { code: `${code}${suffix}`, name: `Partner ${code}`, country: 'GE', kind: 'partner_office' } })
  }
  const partners: string[] = []
  for await (const office of client.items((cursor) => api.GET('/v1/offices', { params: { query: { kind: 'partner_office', limit: 2, ...(cursor ? { cursor } : {}) } } }))) {
    partners.push(office.code)
  }

  let missing: ProblemError | undefined
  await api.GET('/v1/offices/{id}', { params: { path: { id: '01900000-0000-7000-8000-0000000000aa' } } }).catch((error: unknown) => {
    if (error instanceof ProblemError) missing = error
  })

  return { created, replayed, read, renamed, stale, partners, missing }
}
