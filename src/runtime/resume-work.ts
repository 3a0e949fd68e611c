import { dormantUntil } from '../core/dormancy'
import type { RunEvent } from '../core/run-reducer'
import { deadlineOf } from '../core/waits/wait-kind'
import type { CompiledWorkflow, RunState } from '../types'
import type { RunCommands } from './run-commands'

/** The run to resume: its executor, which carries out `commands`. */
export interface ResumedRun {
  readonly wf: CompiledWorkflow
  readonly state: RunState
  /** Sends an event into the run (see `RunExecutor.send`). */
  send(event: RunEvent): Promise<void>
  now(): number
}

/**
 * After a restore: restarts the run's in-flight work and re-arms its durable timers (guarantees
 * 2 and 4), through its `commands`. `workflow.recovered` (naming `executor`) is recorded only
 * when the run was executing: loading a paused or failed run with nothing in flight, or waking a
 * dormant one (nothing was cut off), changes nothing. Resolves once that record is committed
 * and published (at once when there is none).
 */
export function resumeWork(run: ResumedRun, commands: RunCommands, executor: string): Promise<void> {
  const s = run.state
  const interrupted = run.wf.order.filter((id) => {
    const t = s.tasks[id]!
    return t.status === 'running' || (t.status === 'pending' && t.dispatched)
  })
  const executing =
    (s.status === 'running' && dormantUntil(s) === undefined) ||
    s.status === 'queued' ||
    interrupted.length > 0
  const recorded = executing
    ? run.send({ type: 'workflow.recovered', executor, at: run.now() })
    : Promise.resolve()
  for (const id of run.wf.order) {
    const t = s.tasks[id]!
    const until = deadlineOf(t)
    if (until !== undefined && (t.status === 'retrying' || t.status === 'waiting'))
      commands.timers.arm(id, until)
  }
  commands.timers.armRun()
  // Every task settled, but the run's end was not recorded before the restart.
  if (s.status === 'running' && s.remaining === 0) commands.finish()
  for (const id of interrupted) {
    const t = s.tasks[id]!
    if (t.status === 'running') commands.start(id)
    else if (t.status === 'pending' && t.dispatched) commands.dispatch(id)
  }
  return recorded
}
