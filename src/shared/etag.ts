import type { FastifyReply, FastifyRequest } from 'fastify'
import { ProblemError } from './problems.js'

/** Strong ETag of a versioned resource. */
export function etagOf(version: number): string {
  return `"${version}"`
}

export function setEtag(reply: FastifyReply, version: number): void {
  void reply.header('etag', etagOf(version))
}

/**
 * The version a conditional update expects, from If-Match. Resources that can race require it:
 * without it the update is refused with 428 rather than silently overwriting someone else's change.
 */
export function expectedVersion(request: FastifyRequest, options: { required: boolean }): number | undefined {
  const header = request.headers['if-match']
  if (header === undefined || header === '') {
    if (options.required) throw new ProblemError('precondition-required', 'Send If-Match with the ETag from your last read of this resource')
    return undefined
  }
  const match = /^(?:W\/)?"(\d+)"$/.exec(header.trim())
  if (!match) throw new ProblemError('precondition-failed', `If-Match ${header} is not an ETag this API issued`)
  return Number(match[1])
}

/** Compare inside the transaction, after locking the row. */
export function assertVersion(currentVersion: number, expected: number | undefined): void {
  if (expected !== undefined && expected !== currentVersion) {
    throw new ProblemError('precondition-failed', `The resource is at version ${currentVersion}; your copy is version ${expected}. Read it again and retry.`, {
      current_etag: etagOf(currentVersion),
    })
  }
}
