import type { Clock } from '../types'

/**
 * Browsers and Node store timeouts in a signed 32-bit integer: a delay above ~24.8 days fires
 * at once. Durable timers (approval timeouts, long `delay`s) can be longer, so they are chained.
 */
const MAX_TIMEOUT = 2 ** 31 - 1

/** The real clock: `Date.now()` and chained `setTimeout`s. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(callback, ms) {
    const handle: { id?: ReturnType<typeof setTimeout> } = {}
    const due = Date.now() + Math.max(0, ms)
    const arm = () => {
      const left = due - Date.now()
      handle.id = setTimeout(left > MAX_TIMEOUT ? arm : callback, Math.min(Math.max(0, left), MAX_TIMEOUT))
    }
    arm()
    return handle
  },
  clearTimeout(handle) {
    const id = (handle as { id?: ReturnType<typeof setTimeout> } | undefined)?.id
    if (id !== undefined) clearTimeout(id)
  },
}

/** A clock that only moves when told to: timers fire in due order during `advance`. */
export interface SimulatedClock extends Clock {
  /** Moves time forward by `ms`, firing every timer that falls due, in order. */
  advance(ms: number): void
  /** Moves time forward to `time` (ms since epoch). */
  advanceTo(time: number): void
  /** Timers armed and not yet fired or cleared. */
  readonly pending: number
}

/**
 * Creates a simulated clock for tests: back-off, timeouts and `delay` run without real waiting.
 *
 * @example
 * const clock = simulatedClock()
 * const engine = createEngine({ clock })
 * await engine.start('with-retry')
 * clock.advance(5_000) // the retry's back-off is over
 */
export function simulatedClock(start = Date.UTC(2026, 0, 1)): SimulatedClock {
  let now = start
  let nextId = 0
  const timers = new Map<number, { due: number; id: number; callback: () => void }>()
  const advanceTo = (time: number) => {
    for (;;) {
      let first: { due: number; id: number; callback: () => void } | undefined
      for (const timer of timers.values()) {
        if (
          timer.due <= time &&
          (!first || timer.due < first.due || (timer.due === first.due && timer.id < first.id))
        )
          first = timer
      }
      if (!first) break
      timers.delete(first.id)
      now = Math.max(now, first.due)
      first.callback()
    }
    now = Math.max(now, time)
  }
  return {
    now: () => now,
    setTimeout(callback, ms) {
      const id = nextId++
      timers.set(id, { due: now + Math.max(0, ms), id, callback })
      return id
    },
    clearTimeout(handle) {
      timers.delete(handle as number)
    },
    advance: (ms) => advanceTo(now + ms),
    advanceTo,
    get pending() {
      return timers.size
    },
  }
}
