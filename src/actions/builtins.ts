import { ai } from './ai'
import { approval } from './approval'
import type { BuiltinAction } from './builtin-context'
import { delay } from './delay'
import { file } from './file'
import { http } from './http'
import { noop } from './noop'
import { stateMachine } from './state-machine'
import { subworkflow } from './subworkflow'
import { transform } from './transform'
import { waitForEvent } from './wait-for-event'

/** The actions every engine has. Their names cannot be registered again. */
export const builtinActions: Readonly<Record<string, BuiltinAction>> = {
  noop,
  delay,
  transform,
  'wait-for-event': waitForEvent,
  approval,
  'state-machine': stateMachine,
  subworkflow,
  http,
  file,
  ai,
}
