import type { Clock } from 'spindle'

/**
 * `inner` with a `setTimeout` that throws `broken` for the delays `fails` picks (all of them by
 * default): a clock that cannot arm a timer, for the paths that must report that failure.
 */
export function brokenClock(inner: Clock, broken: Error, fails: (ms: number) => boolean = () => true): Clock {
  return {
    now: () => inner.now(),
    clearTimeout: (handle) => inner.clearTimeout(handle),
    setTimeout: (callback, ms) => {
      if (fails(ms)) throw broken
      return inner.setTimeout(callback, ms)
    },
  }
}
