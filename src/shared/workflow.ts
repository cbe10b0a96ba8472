import type { Actor } from './roles.js'
import { ProblemError } from './problems.js'

export interface TransitionRule<State extends string> {
  from: readonly State[]
  to: State
}

export interface TransitionRecord<State extends string, Action extends string> {
  action: Action
  from: State
  to: State
  actor: Actor
  at: Date
  reason: string | null
}

/**
 * A state machine as a table of allowed `from` states per action. A forbidden transition
 * is a 409 naming the current state and the states the action is allowed from.
 */
export class Workflow<State extends string, Action extends string> {
  constructor(
    readonly entity: string,
    readonly rules: Readonly<Record<Action, TransitionRule<State>>>,
  ) {}

  target(action: Action, current: State): State {
    const rule = this.rules[action]
    if (!rule.from.includes(current)) {
      throw new ProblemError('invalid-transition', `Cannot ${action} a ${this.entity} that is ${current}`, {
        current_status: current,
        action,
        allowed_from: [...rule.from],
      })
    }
    return rule.to
  }

  transition(action: Action, current: State, actor: Actor, reason: string | null = null): TransitionRecord<State, Action> {
    return { action, from: current, to: this.target(action, current), actor, at: new Date(), reason }
  }

  allowedActions(current: State): Action[] {
    return (Object.keys(this.rules) as Action[]).filter((action) => this.rules[action].from.includes(current))
  }
}
