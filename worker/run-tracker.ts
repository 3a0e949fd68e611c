import { createRunReplica, type RunReplica, type RunSnapshot } from '../src/core/run-replica'
import { InvalidStateError } from '../src/errors'
import type { RunState, WorkflowEvent } from '../src/types'

/** What a page needs of a run to compute its progress and health. */
export interface TrackedRun {
  readonly state: RunState
  /** Task names by id, from the definition. */
  readonly names: ReadonlyMap<string, string | undefined>
}

/**
 * A page-side replica of one run in a worker, kept current from the run's events. It starts from
 * `engine.runSnapshot()`; events that arrive while a snapshot is on its way are kept and applied
 * after it (the ones it already reflects are skipped). An event that reveals a gap — one was
 * missed — makes it fetch a new snapshot.
 *
 * The event subscription must be open before `load()` is first called, so no event falls between
 * the snapshot and the stream.
 */
export class RunTracker implements TrackedRun {
  readonly runId: string
  #replica: RunReplica | undefined
  #names: ReadonlyMap<string, string | undefined> = new Map()
  #pending: WorkflowEvent[] = []
  #loading = false
  #closed = false
  readonly #snapshot: (runId: string) => Promise<RunSnapshot | undefined>
  readonly #changed: (run: RunTracker) => void
  readonly #failed: (error: unknown) => void

  /**
   * @param snapshot fetches the run's snapshot from the worker
   * @param changed called after the first snapshot and after every change
   * @param failed called when a snapshot cannot be fetched, or the run does not exist (`undefined`)
   */
  constructor(
    runId: string,
    snapshot: (runId: string) => Promise<RunSnapshot | undefined>,
    changed: (run: RunTracker) => void,
    failed: (error: unknown) => void,
  ) {
    this.runId = runId
    this.#snapshot = snapshot
    this.#changed = changed
    this.#failed = failed
  }

  /** True once the first snapshot arrived. */
  get ready(): boolean {
    return this.#replica !== undefined
  }

  get state(): RunState {
    if (!this.#replica) {
      throw new InvalidStateError(`Run "${this.runId}" has no snapshot yet: read state once ready is true.`, {
        value: this.runId,
      })
    }
    return this.#replica.state
  }

  get names(): ReadonlyMap<string, string | undefined> {
    return this.#names
  }

  /** Fetches a snapshot (again) and applies the events kept meanwhile. */
  load(): void {
    if (this.#loading || this.#closed) return
    this.#loading = true
    this.#snapshot(this.runId).then(
      (snapshot) => {
        this.#loading = false
        if (this.#closed) return
        if (!snapshot) {
          this.#failed(undefined)
          return
        }
        this.#replica = createRunReplica(snapshot)
        this.#names = new Map(Object.entries(snapshot.definition.tasks).map(([id, task]) => [id, task.name]))
        const pending = this.#pending
        this.#pending = []
        for (const event of pending) this.push(event)
        this.#changed(this)
      },
      (error: unknown) => {
        this.#loading = false
        if (!this.#closed) this.#failed(error)
      },
    )
  }

  /** Applies an event of this run; returns false when it only kept it for later. */
  push(event: WorkflowEvent): boolean {
    if (this.#closed) return false
    if (!this.#replica || this.#loading) {
      this.#pending.push(event)
      return false
    }
    if (this.#replica.apply(event)) return true
    this.#pending.push(event)
    this.load()
    return false
  }

  close(): void {
    this.#closed = true
    this.#pending = []
  }
}
