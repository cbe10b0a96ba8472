import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Webhook } from 'standardwebhooks'
import { sql } from 'kysely'
import type { TestApp } from '../helpers/app.js'
import { caseFixture, type CaseFixture, type Json } from '../return-cases/helpers.js'

interface Teardown {
  teardown(fn: () => unknown): void
}

/** A fixture whose app delivers webhooks (fast retries), and LISTENs when the database is a server. */
export async function eventsFixture(t: Teardown, env: Record<string, string> = {}): Promise<CaseFixture> {
  return caseFixture(t, { WEBHOOK_DELIVERY_ENABLED: 'true', WEBHOOK_POLL_INTERVAL_MS: '100', WEBHOOK_RETRY_SCHEDULE: '50ms,100ms', ...env })
}

export interface Received {
  headers: IncomingHttpHeaders
  body: string
  event: Json
  at: number
}

export type Responder = (event: Json, attempt: number) => number | 'hang' | Promise<number>

/** A real HTTP receiver on loopback: records what it gets and answers as `respond` says. */
export async function receiver(t: Teardown, respond: Responder = () => 204): Promise<{ url: string; received: Received[]; server: Server; setResponder(next: Responder): void }> {
  const received: Received[] = []
  const attempts = new Map<string, number>()
  let responder = respond
  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      const event = JSON.parse(body) as Json
      const attempt = (attempts.get(event.id as string) ?? 0) + 1
      attempts.set(event.id as string, attempt)
      received.push({ headers: request.headers, body, event, at: Date.now() })
      void Promise.resolve(responder(event, attempt)).then((status) => {
        if (status === 'hang') return
        response.writeHead(status).end()
      })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`, received, server, setResponder: (next) => { responder = next } }
}

/** Verifies a delivery as a receiver would: with the reference library, from the raw body. */
export function verify(secret: string, delivery: Received): Json {
  return new Webhook(secret).verify(delivery.body, {
    'webhook-id': String(delivery.headers['webhook-id']),
    'webhook-timestamp': String(delivery.headers['webhook-timestamp']),
    'webhook-signature': String(delivery.headers['webhook-signature']),
  }) as Json
}

export async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

/**
 * Waits until every event written so far is settled: the feed shows only events below the oldest
 * running transaction of the whole server, and on a shared test server other databases' tests run too.
 */
export async function settled(fixture: TestApp): Promise<void> {
  await until(async () => {
    const { rows } = await sql<{ pending: boolean }>`select exists (select 1 from outbox_events where xact_id >= pg_snapshot_xmin(pg_current_snapshot())) as pending`.execute(fixture.database.db)
    return rows[0]?.pending === false
  }, 'the events to settle', 60_000)
}

/** All events the caller can read from the start of the feed, once what was written has settled. */
export async function readAll(fixture: TestApp, caller: CaseFixture['admin'], query = ''): Promise<{ items: Json[]; cursor: string | null }> {
  await settled(fixture)
  const items: Json[] = []
  let cursor: string | null = null
  for (;;) {
    const response = await caller({ method: 'GET', url: `/v1/events?limit=500${query}${cursor ? `&after=${cursor}` : ''}` })
    if (response.statusCode !== 200) throw new Error(`feed: ${response.statusCode} ${response.body}`)
    const page = response.json() as { items: Json[]; next_cursor: string | null; has_more: boolean }
    items.push(...page.items)
    cursor = page.next_cursor
    if (!page.has_more) return { items, cursor }
  }
}
