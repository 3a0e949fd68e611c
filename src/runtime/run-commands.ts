import type { RunData } from '../core/run-data'
import type { RunCommand, RunEvent } from '../core/run-reducer'
import { ExpressionError, toErrorInfo } from '../errors'
import type { CompiledWorkflow, RunState, WorkflowEvent } from '../types'
import { AttemptAbort } from './attempt-abort'
import type { TimerClock } from './deadline-timer'
import { reportUnhandledError } from './report-unhandled-error'
import { RunTimers } from './run-timers'
import { runTask, type TaskHost } from './task-runner'
import { holding, TaskSlots } from './task-slots'

/**
 * A step's records, then its commands, in the order the executor handles them. A record goes in
 * as it is, with no wrapper: no command type is an event type.
 */
export type Effect = WorkflowEvent | RunCommand

/** The run whose commands are carried out: its executor. */
export interface CommandRun extends TaskHost {
  readonly wf: CompiledWorkflow
  readonly data: RunData
  readonly state: RunState
  /** Sends an event from inside the run (see `RunExecutor.post`). */
  post(event: RunEvent): void
}

/** What carrying out commands needs from the engine. */
export interface CommandHost extends TimerClock {
  /** A committed record of `run` goes out. */
  publish(event: WorkflowEvent, run: CommandRun): void
}

/**
 * Carries out the reducer's commands for one run: starts attempts, arms timers,
 * finishes the run, and publishes committed records. Holds the run's in-flight work (attempt
 * controllers, timers, parked items), so stopping or fencing the run is one `halt`.
 */
export class RunCommands {
  readonly #run: CommandRun
  readonly #host: CommandHost
  readonly #controllers = new Map<string, AttemptAbort>()
  /** The run's durable timers; arming them is a command too (`arm`, `arm-run`). */
  readonly timers: RunTimers
  /** Parked `forEach` attempts waiting for a paused run to run again. */
  #onResume: (() => void)[] = []
  /** Attempts that ended synchronously while a round is carried out, sent after its commands. */
  #endedNow: { taskId: string; controller: AttemptAbort; result: RunEvent }[] | undefined
  #stopped = false
  /** Why the run was fenced: it executes nothing more, but what it queued still commits. */
  #fenced: string | undefined
  /** Gated tasks waiting for a slot of an engine limit, and the slots granted to attempts not begun yet. */
  #slots: TaskSlots | undefined

  constructor(run: CommandRun, host: CommandHost) {
    this.#run = run
    this.#host = host
    this.timers = new RunTimers(run, host)
  }

  get stopped(): boolean {
    return this.#stopped
  }

  get fenced(): string | undefined {
    return this.#fenced
  }

  /** Carries out a command that cannot wait for the journal write; false for one that must. */
  carryOutNow(command: RunCommand): boolean {
    switch (command.type) {
      case 'abort':
        this.#controllers.get(command.taskId)?.abort(new Error(command.reason))
        this.#controllers.delete(command.taskId)
        return true
      case 'disarm':
        this.timers.disarm(command.taskId)
        return true
      case 'disarm-run':
        this.timers.disarmRun()
        return true
      default:
        return false
    }
  }

  /**
   * Carries out a committed round: publishes its records and starts the work its commands ask
   * for. Returns whether it published a terminal record while the run was not fenced.
   */
  carryOut(commands: Effect[]): boolean {
    if (this.#stopped) return false
    let settled = false
    this.#endedNow = []
    try {
      for (const command of commands) {
        // Committed records are facts and go out; the work they would start does not, also when
        // a fence or a stop lands while the round is carried out (a subscriber's call).
        if (this.#fenced !== undefined || this.#stopped) {
          if (isRecord(command)) this.#host.publish(command, this.#run)
          continue
        }
        switch (command.type) {
          case 'dispatch':
            this.dispatch(command.taskId)
            break
          case 'start':
            this.#runAttempt(command.taskId, command.attempt)
            break
          case 'arm':
            this.timers.arm(command.taskId, command.deadline)
            break
          case 'arm-run':
            this.timers.armRun()
            break
          case 'finish':
            this.finish()
            break
          default: {
            const record = command as WorkflowEvent
            this.#host.publish(record, this.#run)
            if (isTerminal(record)) settled = true
            if (this.#slots !== undefined) this.#slots.observe(record)
            // Parked items go on once the resume is committed, as tasks it admits do.
            if (record.type === 'workflow.resumed') this.#resumeParked()
          }
        }
      }
    } finally {
      const ended = this.#endedNow
      this.#endedNow = undefined
      for (const { taskId, controller, result } of ended) {
        if (this.#controllers.get(taskId) === controller) this.#controllers.delete(taskId)
        // Aborted after it ended but before it was sent: dropped, as an aborted attempt's result is.
        if (!this.#stopped && !controller.aborted) this.#run.post(result)
      }
    }
    return settled && this.#fenced === undefined
  }

  /** Parks a `forEach` attempt until the paused run runs again; returns what unparks it. */
  onResume(listener: () => void): () => void {
    this.#onResume.push(listener)
    return () => {
      const i = this.#onResume.indexOf(listener)
      if (i >= 0) this.#onResume.splice(i, 1)
    }
  }

  #resumeParked(): void {
    const listeners = this.#onResume
    this.#onResume = []
    for (const listener of listeners) listener()
  }

  /** Dispatches a task: its `when` decides whether it starts, is skipped or fails. */
  dispatch(taskId: string): void {
    const run = this.#run
    const task = run.wf.tasks.get(taskId)!
    if (task.when) {
      let verdict: unknown
      try {
        verdict = task.when.evaluate(run.scope(task.when.taskRefs))
        if (typeof verdict !== 'boolean') {
          throw new ExpressionError(
            task.when.source,
            `"when" of task "${taskId}" must give true or false, got ${JSON.stringify(verdict)}.`,
          )
        }
      } catch (error) {
        const attempt = run.state.tasks[taskId]!.attempts + 1
        run.post({ type: 'task.started', taskId, attempt, at: run.now() })
        run.post({
          type: 'task.failed',
          taskId,
          attempt,
          error: toErrorInfo(error),
          noRetry: true,
          at: run.now(),
        })
        return
      }
      if (!verdict) {
        run.post({ type: 'task.skipped', taskId, reason: 'condition', at: run.now() })
        return
      }
    }
    this.start(taskId)
  }

  /**
   * Starts a dispatched task (or restarts one cut off by a restart) with its next attempt: its
   * action runs once the `task.started` record is committed (the reducer's `start` command).
   */
  start(taskId: string): void {
    const run = this.#run
    const gated = run.state.gated
    if (gated !== undefined && gated[taskId] === true && run.limiter) {
      this.#slots ??= new TaskSlots(run, () => this.#stopped || this.#fenced !== undefined)
      this.#slots.wait(taskId)
      return
    }
    const attempt = run.state.tasks[taskId]!.attempts + 1
    run.post({ type: 'task.started', taskId, attempt, at: run.now() })
  }

  /** Runs an attempt the journal records as started, unless the run moved on since it was recorded. */
  #runAttempt(taskId: string, attempt: number): void {
    const t = this.#run.state.tasks[taskId]!
    const slot = this.#slots?.take(taskId)
    if (t.status !== 'running' || t.attempts !== attempt) {
      slot?.release()
      return
    }
    const controller = new AttemptAbort()
    this.#controllers.set(taskId, controller)
    // The slot goes back when the attempt ends, or when it is given up on (timeout, cancel,
    // skip, close) even if its action still runs: an abandoned attempt must not block the limit.
    if (slot) controller.onAbort(() => slot.release())
    let result: ReturnType<typeof runTask>
    try {
      result = runTask(this.#run, this.#run.wf.tasks.get(taskId)!, attempt, controller)
      if (slot) result = holding(result, slot)
    } catch (error) {
      slot?.release()
      this.#attemptBroke(taskId, attempt, controller, error)
      return
    }
    if (!(result instanceof Promise)) {
      this.#attemptEnded(taskId, controller, result)
      return
    }
    result
      .then(
        (ended) => this.#attemptEnded(taskId, controller, ended),
        (error: unknown) => this.#attemptBroke(taskId, attempt, controller, error),
      )
      .catch(reportUnhandledError)
  }

  #attemptEnded(taskId: string, controller: AttemptAbort, result: RunEvent | undefined): void {
    // An attempt that ended at once, while a round is carried out, is sent after the round's
    // other commands, as an asynchronous one would be: every task the round starts starts first,
    // and the attempt stays abortable until then (an abort drops its result, as it would have).
    if (this.#endedNow && result) {
      this.#endedNow.push({ taskId, controller, result })
      return
    }
    if (this.#controllers.get(taskId) === controller) this.#controllers.delete(taskId)
    if (result && !this.#stopped) this.#run.post(result)
  }

  /**
   * The runner itself failed (not the action, whose failures it turns into events): the attempt
   * still ends, as a failure, so the run never waits for it forever.
   */
  #attemptBroke(taskId: string, attempt: number, controller: AttemptAbort, error: unknown): void {
    if (this.#controllers.get(taskId) === controller) this.#controllers.delete(taskId)
    if (this.#stopped || controller.aborted) return
    this.#run.post({ type: 'task.failed', taskId, attempt, error: toErrorInfo(error), at: this.#run.now() })
  }

  /** Ends the run with its output, or fails it when the output expression fails. */
  finish(): void {
    const run = this.#run
    let output: unknown
    try {
      output = run.wf.output
        ? run.wf.output.evaluate(run.scope(run.wf.output.taskRefs))
        : Object.fromEntries(run.wf.leaves.map((id) => [id, run.data.outputs.get(id) ?? null]))
    } catch (error) {
      run.post({ type: 'workflow.failed', error: toErrorInfo(error, 'EXPRESSION_FAILED'), at: run.now() })
      return
    }
    run.post({ type: 'workflow.completed', output, at: run.now() })
  }

  /** Stops carrying out commands for good; aborts in-flight work. */
  stop(reason: string): void {
    this.#stopped = true
    this.#halt(reason)
  }

  /** Carries out no more work, but lets committed records still be published. */
  fence(reason: string): void {
    this.#fenced = reason
    this.#halt(reason)
  }

  #halt(reason: string): void {
    for (const controller of this.#controllers.values()) controller.abort(new Error(reason))
    this.#controllers.clear()
    this.#slots?.clear()
    this.timers.clear()
  }
}

/** Whether an effect is a record: commands are only ever the ones the executor defers. */
function isRecord(effect: Effect): effect is WorkflowEvent {
  switch (effect.type) {
    case 'dispatch':
    case 'start':
    case 'arm':
    case 'arm-run':
    case 'finish':
    case 'abort':
    case 'disarm':
    case 'disarm-run':
      return false
    default:
      return true
  }
}

function isTerminal(event: WorkflowEvent): boolean {
  return (
    event.type === 'workflow.completed' ||
    event.type === 'workflow.failed' ||
    event.type === 'workflow.cancelled'
  )
}
