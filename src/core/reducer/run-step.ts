import type { CompiledWorkflow, RunState, WorkflowEvent } from '../../types'

type Draft<E> = E extends unknown ? Omit<E, 'seq' | 'runId'> : never

/** An event sent into a run: a `WorkflowEvent` before the run numbers it. */
export type RunEvent = Draft<WorkflowEvent>
export type RunEventType = RunEvent['type']
export type RunEventOf<K extends RunEventType> = Extract<RunEvent, { type: K }>

/** What the run asks the engine to do once the step's records are committed. */
export type RunCommand =
  | { type: 'dispatch'; taskId: string }
  | { type: 'start'; taskId: string; attempt: number }
  | { type: 'abort'; taskId: string; reason: string }
  | { type: 'arm'; taskId: string; deadline: number }
  | { type: 'disarm'; taskId: string }
  /** Arms (or re-arms) the run's own deadline: `workflow.timed-out` at `deadline`. */
  | { type: 'arm-run'; deadline: number }
  | { type: 'disarm-run' }
  | { type: 'finish' }

/**
 * What one event makes the run do: the records to journal, numbered in order, and the commands
 * to carry out. The reducer decides; the engine executes.
 */
export interface Step {
  readonly records: WorkflowEvent[]
  readonly commands: RunCommand[]
}

/** The step under construction while one event is applied; `at` is the event's time. */
export class RunStep implements Step {
  readonly records: WorkflowEvent[] = []
  readonly commands: RunCommand[] = []
  readonly wf: CompiledWorkflow
  readonly at: number

  constructor(wf: CompiledWorkflow, at: number) {
    this.wf = wf
    this.at = at
  }

  /**
   * Numbers `event` as the run's next journal entry. The event becomes the record, numbered in
   * place: an event given to `reduceRun` is the run's from then on (the engine's own are made for
   * it; `RunExecutor.send` copies a caller's). A copy per record costed the step more than the
   * reducer itself, as the spread of a dozen event shapes takes the engine's slow path.
   */
  record(s: RunState, event: RunEvent): void {
    s.seq += 1
    s.updatedAt = Math.max(s.updatedAt, this.at)
    const record = event as WorkflowEvent
    record.runId = s.runId
    record.seq = s.seq
    this.records.push(record)
  }

  command(command: RunCommand): void {
    this.commands.push(command)
  }
}

/** The handler of one event type: changes the state in place and adds to the step. */
export type Handler<K extends RunEventType> = (s: RunState, e: RunEventOf<K>, step: RunStep) => void

/** One handler per event type. */
export type HandlerTable = { [K in RunEventType]: Handler<K> }
