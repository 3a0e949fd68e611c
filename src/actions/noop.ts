import type { ActionHandler } from '../types'

/** Does nothing; its output is `null`. Useful to join branches and in tests. */
export const noop: ActionHandler = () => null
