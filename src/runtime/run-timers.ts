import type { RunEvent } from '../core/run-reducer'
import type { RunState } from '../types'
import { DeadlineTimer, type TimerClock } from './deadline-timer'

/** The run whose timers fire: they post the event that records the firing. */
export interface TimedRun {
  readonly state: RunState
  now(): number
  random(): number
  post(event: RunEvent): void
}

/** The durable timers of one run: its tasks' retry back-offs and wait deadlines, and its own deadline. */
export class RunTimers {
  readonly #run: TimedRun
  readonly #clock: TimerClock
  readonly #timers = new Map<string, unknown>()
  /** The run's own deadline (`timeoutMs`). */
  readonly #runTimer: DeadlineTimer

  constructor(run: TimedRun, clock: TimerClock) {
    this.#run = run
    this.#clock = clock
    this.#runTimer = new DeadlineTimer(clock)
  }

  /** Arms a task's timer (a retry back-off or a wait's deadline), replacing the one it had. */
  arm(taskId: string, deadline: number): void {
    this.disarm(taskId)
    const run = this.#run
    const fire = () => {
      this.#timers.delete(taskId)
      run.post({ type: 'timer.fired', taskId, rand: run.random(), at: Math.max(run.now(), deadline) })
    }
    const wait = deadline - run.now()
    // A deadline that passed (while no engine ran, or a zero delay) fires at once.
    if (wait <= 0) {
      const handle = Symbol(taskId)
      this.#timers.set(taskId, handle)
      queueMicrotask(() => {
        if (this.#timers.get(taskId) === handle) fire()
      })
      return
    }
    this.#timers.set(taskId, this.#clock.setTimeout(fire, wait))
  }

  /** Arms the run's deadline while the run can still time out. */
  armRun(): void {
    const run = this.#run
    const { deadline, timeoutMs = 0, status } = run.state
    if (deadline === undefined || (status !== 'queued' && status !== 'running' && status !== 'paused')) {
      this.#runTimer.disarm()
      return
    }
    this.#runTimer.arm(deadline, () =>
      run.post({ type: 'workflow.timed-out', deadline, timeoutMs, at: Math.max(run.now(), deadline) }),
    )
  }

  disarm(taskId: string): void {
    const handle = this.#timers.get(taskId)
    if (handle === undefined) return
    if (typeof handle !== 'symbol') this.#clock.clearTimeout(handle)
    this.#timers.delete(taskId)
  }

  disarmRun(): void {
    this.#runTimer.disarm()
  }

  /** Clears every timer of the run. */
  clear(): void {
    for (const handle of this.#timers.values())
      if (typeof handle !== 'symbol') this.#clock.clearTimeout(handle)
    this.#timers.clear()
    this.#runTimer.disarm()
  }
}
