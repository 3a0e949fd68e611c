import type { BuiltinAction } from './builtin-context'

/** Does nothing; its output is `null`. Useful to join branches and in tests. */
export const noop: BuiltinAction = () => null
