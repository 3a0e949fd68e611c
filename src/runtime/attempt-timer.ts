import { TimeoutError } from '../errors'
import type { AttemptAbort } from './attempt-abort'

/** What the timer needs from the run: its clock. */
interface TimerHost {
  now(): number
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

/**
 * A task's `timeoutMs` for one attempt: aborts the attempt with `TimeoutError` when it runs out.
 * It can be held while the attempt is parked by a pause (a `forEach` with no item in flight),
 * so time the user paused the run for does not count against the attempt.
 */
export class AttemptTimer {
  readonly #host: TimerHost
  readonly #fire: () => void
  #left: number
  #since = 0
  #handle: unknown
  #running = false

  constructor(host: TimerHost, taskId: string, timeoutMs: number, controller: AttemptAbort) {
    this.#host = host
    this.#left = timeoutMs
    this.#fire = () => {
      this.#running = false
      controller.abort(new TimeoutError(`Task "${taskId}" timed out after ${timeoutMs} ms`))
    }
    this.release()
  }

  /** Stops the clock, keeping the time left. */
  hold(): void {
    if (!this.#running) return
    this.#running = false
    this.#host.clearTimeout(this.#handle)
    this.#left = Math.max(0, this.#left - (this.#host.now() - this.#since))
  }

  /** Starts the clock again with the time left. */
  release(): void {
    if (this.#running) return
    this.#running = true
    this.#since = this.#host.now()
    this.#handle = this.#host.setTimeout(this.#fire, this.#left)
  }

  clear(): void {
    if (this.#running) this.#host.clearTimeout(this.#handle)
    this.#running = false
  }
}
