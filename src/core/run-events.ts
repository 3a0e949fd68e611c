import type { WorkflowEvent } from '../types'

type Draft<E> = E extends unknown ? Omit<E, 'seq' | 'runId'> : never

/** An event sent into a run: a `WorkflowEvent` before the run numbers it. */
export type RunEvent = Draft<WorkflowEvent>

/** What the run asks the engine to do. The reducer decides; the engine executes. */
export type RunCommand =
  | { type: 'record'; event: WorkflowEvent }
  | { type: 'dispatch'; taskId: string }
  | { type: 'start'; taskId: string; attempt: number }
  | { type: 'abort'; taskId: string; reason: string }
  | { type: 'arm'; taskId: string; deadline: number }
  | { type: 'disarm'; taskId: string }
  /** Arms (or re-arms) the run's own deadline: `workflow.timed-out` at `deadline`. */
  | { type: 'arm-run'; deadline: number }
  | { type: 'disarm-run' }
  | { type: 'finish' }
