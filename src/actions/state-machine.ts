import { TaskError } from '../errors'
import type { BuiltinContext } from './builtin-context'

/**
 * Runs the machine `params.machine` of `EngineOptions.machines` as the task, started with
 * `params.input`. A machine that is final at once gives its output; otherwise the task waits (a
 * `machine` wait) and each signal its current state takes moves it on, until a final state's
 * output becomes the task's output. Not under `forEach` (one machine per task).
 */
export function stateMachine(params: { machine?: unknown; input?: unknown }, ctx: BuiltinContext) {
  const { machine, input } = params ?? {}
  if (typeof machine !== 'string' || machine === '') {
    throw new TaskError(
      'INPUT_INVALID',
      'state-machine needs params.machine: the name of a machine in EngineOptions.machines.',
      { value: params },
    )
  }
  if (ctx.index !== undefined) {
    throw new TaskError(
      'INPUT_INVALID',
      'state-machine does not run under forEach: run one machine per task, or a subworkflow per item.',
      { value: machine },
    )
  }
  const started = ctx.machines.start(machine, input)
  return started.done ? started.output : ctx.waitFor(started.wait)
}
