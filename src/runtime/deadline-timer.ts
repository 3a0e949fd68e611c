/** The clock calls a deadline timer needs (an `ExecutorHost` has them). */
export interface TimerClock {
  now(): number
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

/**
 * One timer for an absolute deadline. A deadline that passed already (while no engine ran, or a
 * zero delay) fires in a microtask, without waiting for the clock to move: a simulated clock
 * would otherwise hold it until the next `advance`.
 */
export class DeadlineTimer {
  readonly #clock: TimerClock
  #handle: unknown

  constructor(clock: TimerClock) {
    this.#clock = clock
  }

  /** Arms the timer for `deadline`, replacing the one armed before. */
  arm(deadline: number, fire: () => void): void {
    this.disarm()
    const wait = deadline - this.#clock.now()
    const done = () => {
      this.#handle = undefined
      fire()
    }
    if (wait > 0) {
      this.#handle = this.#clock.setTimeout(done, wait)
      return
    }
    const handle = Symbol('deadline')
    this.#handle = handle
    queueMicrotask(() => {
      if (this.#handle === handle) done()
    })
  }

  disarm(): void {
    if (this.#handle === undefined) return
    if (typeof this.#handle !== 'symbol') this.#clock.clearTimeout(this.#handle)
    this.#handle = undefined
  }
}
