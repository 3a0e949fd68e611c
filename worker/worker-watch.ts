import { WorkerUnavailableError } from '../src/errors'

/**
 * Watches a worker for the ways it becomes unreachable, and calls `lost` once with why: no first
 * answer within `startTimeoutMs`, an `error` event (a module that throws while loading, or an
 * uncaught error later), or its end once it answered: the worker holds the Web Lock `lock` while
 * connected, so the page getting it means the worker was terminated, crashed or closed itself.
 */
export class WorkerWatch {
  readonly #worker: Worker
  readonly #lock: string
  readonly #lost: (error: WorkerUnavailableError) => void
  readonly #startTimer: ReturnType<typeof setTimeout>
  readonly #stopped = new AbortController()
  readonly #onError = (event: Event) => {
    const reason =
      event instanceof ErrorEvent && event.message ? event.message : 'its script could not be loaded'
    this.#lose(
      new WorkerUnavailableError(
        `The engine worker failed: ${reason}. Check the worker script in the browser console; ` +
          'connect to a new worker to continue.',
        { cause: event instanceof ErrorEvent ? event.error : undefined },
      ),
    )
  }

  constructor(
    worker: Worker,
    lock: string,
    startTimeoutMs: number,
    lost: (error: WorkerUnavailableError) => void,
  ) {
    this.#worker = worker
    this.#lock = lock
    this.#lost = lost
    worker.addEventListener('error', this.#onError)
    this.#startTimer = setTimeout(() => {
      this.#lose(
        new WorkerUnavailableError(
          `The engine worker did not answer within ${startTimeoutMs} ms. Call serveEngine(engine) ` +
            'synchronously when the worker module starts, or raise connectEngine(worker, { startTimeoutMs }).',
          { value: startTimeoutMs },
        ),
      )
    }, startTimeoutMs)
  }

  /** The worker answered its first call, so it holds the lock by now: wait for the lock instead. */
  answered(): void {
    clearTimeout(this.#startTimer)
    const { signal } = this.#stopped
    if (globalThis.navigator?.locks === undefined || signal.aborted) return
    navigator.locks
      .request(this.#lock, { signal }, () =>
        this.#lose(
          new WorkerUnavailableError(
            'The engine worker ended (terminated, crashed or closed itself) while connected. ' +
              'Connect to a new worker; its engine resumes the runs from the store.',
          ),
        ),
      )
      .catch((error: unknown) => {
        // Stopping aborts the request on purpose; any other failure is news.
        if (!signal.aborted) reportError(error)
      })
  }

  /** Before the page ends the connection or terminates the worker itself: that is no loss. */
  stop(): void {
    clearTimeout(this.#startTimer)
    this.#worker.removeEventListener('error', this.#onError)
    this.#stopped.abort()
  }

  #lose(error: WorkerUnavailableError): void {
    if (this.#stopped.signal.aborted) return
    this.stop()
    this.#lost(error)
  }
}
