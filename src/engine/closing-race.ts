import { reportUnhandledError } from '../runtime/report-unhandled-error'

/**
 * What `ask` (a callback of the user's: `authorize`, `groupsOf`) answers, or the engine's
 * closing, whichever comes first: `close()` waits for the calls in flight, and must not wait for
 * a callback that never answers. The call is then refused with the closing's reason; a failure
 * of the callback after that has no caller left, and is reported.
 */
export function closingRace<T>(closing: AbortSignal, ask: () => T | Promise<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    const closed = () => reject(closing.reason)
    if (closing.aborted) return closed()
    closing.addEventListener('abort', closed, { once: true })
    Promise.resolve()
      .then(ask)
      .then(
        (answer) => {
          closing.removeEventListener('abort', closed)
          resolve(answer)
        },
        (error: unknown) => {
          closing.removeEventListener('abort', closed)
          if (closing.aborted) reportUnhandledError(error)
          else reject(error)
        },
      )
  })
}
