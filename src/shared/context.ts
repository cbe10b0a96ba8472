import type { Actor } from './roles.js'

/** Who is acting and under which request: passed to every service call that writes. */
export interface RequestContext {
  actor: Actor
  requestId: string
}
