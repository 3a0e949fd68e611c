import { TaskError } from '../errors'
import type { BuiltinAction } from './builtin-context'

/**
 * Its output is its resolved `params.value`, e.g.
 * `{ "action": "transform", "params": { "value": "${ {'total': input.a + input.b} }" } }`.
 */
export const transform: BuiltinAction = (params: { value?: unknown }) => {
  if (!params || !('value' in params)) {
    throw new TaskError('INPUT_INVALID', 'The transform action needs params.value (the value to output).', {
      value: params,
    })
  }
  return params.value
}
