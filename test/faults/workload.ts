import { randomUUID } from 'node:crypto'
import { createSigner } from 'fast-jwt'
import { DEVELOPMENT_JWT_SECRET } from '../../src/config.js'

/** A development token (AUTH_MODE=local, the default secret) for the service under test. */
export function developmentToken(sub: string, roles: string[]): string {
  return createSigner({ key: DEVELOPMENT_JWT_SECRET, algorithm: 'HS256', iss: 'avrr-local', aud: 'avrr-api' })({ sub, roles })
}

export async function createOffice(base: string, token: string, code: string): Promise<string> {
  const response = await fetch(`${base}/v1/offices`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': `office-${code}` },
    body: JSON.stringify({ code, name: `Office ${code}`, country: 'LT', kind: 'country_office' }),
  })
  if (response.status !== 201) throw new Error(`office not created: ${response.status} ${await response.text()}`)
  return ((await response.json()) as { id: string }).id
}

export interface Answer {
  at: number
  status: number
  /** For 503s and 504s: whether the answer was application/problem+json with a Retry-After (503). */
  wellFormed: boolean
}

export interface WorkloadResult {
  answers: Answer[]
  /** Idempotency-Key → id of the created case, for every write the service acknowledged (2xx). */
  acknowledged: Map<string, string>
  /** Every key sent, acknowledged or not. */
  attempted: Set<string>
  /** Keys sent more than once (retried after a 503 or a dropped connection). */
  retried: Set<string>
  /** Requests that got no HTTP answer at all (connection refused or reset). */
  transportErrors: number
}

/**
 * Concurrent writers, each creating return cases (a multi-statement transaction: counter, case,
 * member, audit, outbox, idempotency record) one after another with a fresh Idempotency-Key, which
 * is also the case's external reference, so the database tells afterwards which keys took effect.
 * A 503 or 504 is retried with the same key after a short pause, as a client following Retry-After
 * would (shortened so the test stays short), until the workload is stopped.
 */
export function runWriters(options: { base: string; token: string; officeId: string; concurrency: number; retryPauseMs?: number }) {
  const result: WorkloadResult = { answers: [], acknowledged: new Map(), attempted: new Set(), retried: new Set(), transportErrors: 0 }
  let stopping = false
  const pause = options.retryPauseMs ?? 100
  const write = async (key: string): Promise<Answer | undefined> => {
    try {
      const response = await fetch(`${options.base}/v1/return-cases`, {
        method: 'POST',
        headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify({
          office_id: options.officeId,
          legal_status: 'irregular_stay',
          referral_source: 'self',
          country_of_return: 'GE',
          external_reference: key,
          members: [{ relationship: 'principal', given_name: 'Nino', family_name: `Writer ${key.slice(0, 8)}`, sex: 'female', date_of_birth: '1990-05-01', nationality: 'GE' }],
        }),
        signal: AbortSignal.timeout(30_000),
      })
      const text = await response.text()
      const problem = (response.headers.get('content-type') ?? '').startsWith('application/problem+json')
      const wellFormed = response.status < 500 || (problem && (response.status !== 503 || response.headers.has('retry-after')))
      if (response.status === 201) result.acknowledged.set(key, (JSON.parse(text) as { id: string }).id)
      return { at: Date.now(), status: response.status, wellFormed }
    } catch {
      result.transportErrors += 1
      return undefined
    }
  }
  const writer = async () => {
    while (!stopping) {
      const key = randomUUID()
      result.attempted.add(key)
      for (let attempt = 0; ; attempt += 1) {
        if (attempt > 0) result.retried.add(key)
        const answer = await write(key)
        if (answer) result.answers.push(answer)
        const again = !answer || answer.status === 503 || answer.status === 504
        if (!again || stopping) break
        await new Promise((resolve) => setTimeout(resolve, pause))
      }
    }
  }
  const writers = Array.from({ length: options.concurrency }, () => writer())
  return {
    result,
    async stop(): Promise<WorkloadResult> {
      stopping = true
      await Promise.all(writers)
      return result
    },
  }
}

export function countByStatus(answers: Answer[]): Record<number, number> {
  const counts: Record<number, number> = {}
  for (const answer of answers) counts[answer.status] = (counts[answer.status] ?? 0) + 1
  return counts
}
