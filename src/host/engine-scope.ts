import { EngineClosedError } from '../errors'

/**
 * The lifetime of one engine. Every host operation (start, recovery, a takeover, a control call,
 * a rollback) runs inside it and checks it after each `await` of host code; `close()` aborts it
 * and waits for those operations, so none of them goes on after the engine closed.
 */
export class EngineScope {
  readonly #closing = new AbortController()
  readonly #inFlight = new Set<Promise<void>>()

  /** Aborted (with an `EngineClosedError`) when the engine starts closing. */
  get signal(): AbortSignal {
    return this.#closing.signal
  }

  get closed(): boolean {
    return this.#closing.signal.aborted
  }

  /** Throws `ENGINE_CLOSED` once the engine started closing. */
  check(): void {
    if (this.closed) throw new EngineClosedError()
  }

  /**
   * Runs `operation` inside the scope: refused with `ENGINE_CLOSED` once the engine is closing,
   * otherwise awaited by `close()`. The result, failure included, goes to the caller.
   */
  run<T>(operation: () => Promise<T>): Promise<T> {
    this.check()
    const result = operation()
    // Only the settling is tracked here; the caller receives (and must handle) the failure.
    const settled = result.then(
      () => undefined,
      () => undefined,
    )
    this.#inFlight.add(settled)
    settled.then(() => this.#inFlight.delete(settled))
    return result
  }

  /** Aborts the scope, then resolves once every operation started in it has settled. */
  async close(): Promise<void> {
    if (!this.closed) this.#closing.abort(new EngineClosedError())
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight)
  }
}
