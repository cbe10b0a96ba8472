/**
 * What kind of database failure an error is, so that each is answered as what it is: a lost or
 * refused connection is the database being away (503, retry), a timeout is the database being slow
 * (504), and neither is ever a 500. node-pg reports connection faults as plain errors (by message or
 * by the socket's errno code) and server-side ones by SQLSTATE; both are recognised here.
 */

/** Socket errno codes of a connection that was refused, reset or broken. */
const SOCKET_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED'])

/** SQLSTATEs of a server going away or refusing sessions: admin shutdown, crash shutdown, cannot connect now, too many connections. */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300'])

/** node-pg's own messages for a connection it lost or could not use. */
const LOST_CONNECTION_MESSAGES = [
  'Connection terminated',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
  'Cannot use a pool after calling end on the pool',
]

/** node-pg-pool's message when no pooled connection became free within connectionTimeoutMillis. */
export const ACQUIRE_TIMEOUT_MESSAGE = 'timeout exceeded when trying to connect'

interface ErrorLike {
  code?: unknown
  message?: unknown
}

function codeOf(error: unknown): string | undefined {
  const code = (error as ErrorLike | null)?.code
  return typeof code === 'string' ? code : undefined
}

function messageOf(error: unknown): string {
  const message = (error as ErrorLike | null)?.message
  return typeof message === 'string' ? message : ''
}

/** The connection to the database was lost, refused or never made: the request may be retried once it is back. */
export function isConnectionLost(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false
  const code = codeOf(error)
  if (code !== undefined && (SOCKET_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true
  const message = messageOf(error)
  if (LOST_CONNECTION_MESSAGES.some((known) => message.startsWith(known))) return true
  // An AggregateError (one per address tried) from net.connect when every address refused.
  const errors = (error as { errors?: unknown }).errors
  return Array.isArray(errors) && errors.length > 0 && errors.every(isConnectionLost)
}

/** Every pooled connection stayed busy for the whole acquire timeout. */
export function isAcquireTimeout(error: unknown): boolean {
  return messageOf(error) === ACQUIRE_TIMEOUT_MESSAGE
}

/** A statement ran past statement_timeout (57014), or a transaction idled past idle_in_transaction_session_timeout (25P03). */
export function isDatabaseTimeout(error: unknown): boolean {
  const code = codeOf(error)
  return code === '57014' || code === '25P03'
}
