/**
 * The effects of the sends whose records go out in one journal write: carried out once that
 * write commits. Most rounds are the run's own steps, which nobody awaits, so the promise a
 * caller waits on is made only when one is asked for.
 */
export class EffectRound<E> {
  /** The step's records, then its deferred commands, of every send in the round. */
  readonly commands: E[] = []
  #promise: Promise<void> | undefined
  #resolve: (() => void) | undefined
  #reject: ((error: unknown) => void) | undefined

  /** Settles when the round is carried out, or rejects with why it never will be; ask only while it is pending. */
  get done(): Promise<void> {
    this.#promise ??= new Promise<void>((resolve, reject) => {
      this.#resolve = resolve
      this.#reject = reject
    })
    return this.#promise
  }

  resolve(): void {
    this.#resolve?.()
  }

  reject(error: unknown): void {
    this.#reject?.(error)
  }
}
