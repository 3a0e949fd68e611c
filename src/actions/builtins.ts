import type { ActionContext } from '../types'
import { delay } from './delay'
import { noop } from './noop'
import { transform } from './transform'
import { waitForEvent } from './wait-for-event'

/** A built-in action: like an `ActionHandler`, and it is told the engine's current time. */
export type BuiltinAction = (params: any, ctx: ActionContext, now: number) => unknown

/** The actions every engine has. Their names cannot be registered again. */
export const builtinActions: Readonly<Record<string, BuiltinAction>> = {
  noop,
  delay,
  transform,
  'wait-for-event': waitForEvent,
}
