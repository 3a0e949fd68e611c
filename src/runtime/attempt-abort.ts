/**
 * The abort switch of one attempt. Most actions never read `ctx.signal`, and an AbortController
 * is a costly platform object, so the controller is made only when the signal is asked for;
 * the engine's own waits listen here without one.
 */
export class AttemptAbort {
  #reason: unknown
  #aborted = false
  #controller: AbortController | undefined
  /** Made with the first listener: most attempts end with none. */
  #listeners: (() => void)[] | undefined

  get aborted(): boolean {
    return this.#aborted
  }

  get reason(): unknown {
    return this.#reason
  }

  /** The AbortSignal handed to the action; made on first use, aborted already if need be. */
  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController()
      if (this.#aborted) this.#controller.abort(this.#reason)
    }
    return this.#controller.signal
  }

  abort(reason: unknown): void {
    if (this.#aborted) return
    this.#aborted = true
    this.#reason = reason
    this.#controller?.abort(reason)
    const listeners = this.#listeners
    this.#listeners = undefined
    if (listeners) for (const listener of listeners) listener()
  }

  /** Calls `listener` once on abort; returns a function that removes it. */
  onAbort(listener: () => void): () => void {
    if (this.#aborted) {
      listener()
      return () => {}
    }
    this.#listeners ??= []
    const listeners = this.#listeners
    listeners.push(listener)
    return () => {
      const i = listeners.indexOf(listener)
      if (i >= 0) listeners.splice(i, 1)
    }
  }
}
