import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { ProblemError } from '../shared/problems.js'

/**
 * Values that JSON and URLs can carry but the database cannot store, refused at the edge for every
 * route, before validation: a NUL character (PostgreSQL text cannot hold U+0000), a lone UTF-16
 * surrogate (not a character; it would be stored as U+FFFD, silently changing the text) and a whole
 * number beyond 2^53 (it has already lost its exact value when parsed). Property names are checked
 * too. The schemas' own limits (lengths, formats, ranges) are checked by validation afterwards.
 */
// eslint-disable-next-line no-control-regex -- NUL is exactly what is looked for
const UNSTORABLE_TEXT = /[\u0000\uD800-\uDFFF]/u

function textProblem(value: string): string | undefined {
  const found = UNSTORABLE_TEXT.exec(value)
  if (!found) return undefined
  return found[0] === '\u0000' ? 'must not contain the NUL character (U+0000)' : 'must not contain a lone UTF-16 surrogate (not a character)'
}

function escapePointer(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1')
}

/** Every unstorable value in a parsed body, query or params, as JSON pointers (iterative: a body may nest deeply). */
export function unstorableValues(root: unknown, prefix: string): Array<{ pointer: string; detail: string }> {
  const found: Array<{ pointer: string; detail: string }> = []
  const pending: Array<[unknown, string]> = [[root, prefix]]
  while (pending.length > 0 && found.length < 20) {
    const [value, pointer] = pending.pop() as [unknown, string]
    if (typeof value === 'string') {
      const detail = textProblem(value)
      if (detail) found.push({ pointer, detail })
    } else if (typeof value === 'number') {
      if (Number.isInteger(value) && !Number.isSafeInteger(value)) found.push({ pointer, detail: 'is a whole number beyond the range the service stores (±9007199254740991)' })
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => pending.push([item, `${pointer}/${index}`]))
    } else if (value && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        const keyProblem = textProblem(key)
        if (keyProblem) found.push({ pointer: `${pointer}/${escapePointer(key)}`, detail: `property name ${keyProblem}` })
        else pending.push([item, `${pointer}/${escapePointer(key)}`])
      }
    }
  }
  return found
}

function checkRequest(request: FastifyRequest): void {
  const errors = [
    ...unstorableValues(request.params, '/params'),
    ...unstorableValues(request.query, '/query'),
    ...unstorableValues(request.body, '/body'),
  ]
  if (errors.length > 0) throw new ProblemError('validation-error', 'One or more values cannot be stored', { errors })
}

async function inputGuardPlugin(app: FastifyInstance): Promise<void> {
  app.addHook('preValidation', async (request) => checkRequest(request))
}

export default fp(inputGuardPlugin, { name: 'input-guard' })
