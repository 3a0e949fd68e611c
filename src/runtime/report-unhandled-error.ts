/**
 * The one way out for a failure that nothing in the engine can attach to a run, an event or a
 * caller: it is reported to the host (`reportError` fires the global `error` event, as an
 * uncaught exception would) and never lost in silence. Modelled on XState's
 * `reportUnhandledError`, which rethrows in a macrotask when `reportError` is missing (Node).
 */
export function reportUnhandledError(error: unknown): void {
  const report = (globalThis as { reportError?: (error: unknown) => void }).reportError
  if (typeof report === 'function') {
    report(error)
    return
  }
  setTimeout(() => {
    throw error
  })
}
