import { type Observable, Subject, type Subscription } from 'rxjs'
import { type EngineEvent, isRunEvent, type WorkflowEvent } from '../src/types'
import { EventBatcher } from './event-batcher'
import type { EventBatch } from './protocol'

/** Runs whose last sequence number is remembered for de-duplication; the oldest are forgotten first. */
const MAX_TRACKED_RUNS = 10_000

/**
 * Mirrors a worker's events on a `BroadcastChannel` shared by every worker on the same database,
 * and turns what the others post into `remote$`, so a page sees the runs another tab executes.
 * An event whose `(runId, seq)` was already seen, here or from another worker, is dropped.
 */
export class EventMirror {
  /**
   * Events of runs executed by other workers, each once, in the order received. Schedule events
   * are not mirrored: every engine on the database hears the leader's on the schedules channel
   * (`ScheduleService`), so its own `events$` has them already.
   */
  readonly remote$ = new Subject<EngineEvent>()
  #received = 0
  readonly #channel: BroadcastChannel
  readonly #batcher: EventBatcher
  readonly #local: Subscription
  /** runId → the highest seq seen. */
  readonly #seen = new Map<string, number>()

  constructor(channelName: string, local$: Observable<EngineEvent>) {
    this.#channel = new BroadcastChannel(channelName)
    this.#batcher = new EventBatcher((events) => {
      const batch: EventBatch = { type: 'spindle.events', events }
      this.#channel.postMessage(batch)
    })
    this.#channel.onmessage = ({ data }: MessageEvent<EventBatch>) => {
      if (data?.type !== 'spindle.events') return
      for (const event of data.events) {
        if (!isRunEvent(event) || !this.#isNew(event)) continue
        this.#received++
        this.remote$.next(event)
      }
    }
    this.#local = local$.subscribe((event) => {
      if (!isRunEvent(event)) return
      this.#isNew(event)
      this.#batcher.push(event)
    })
  }

  /** Events accepted from other workers so far. */
  get received(): number {
    return this.#received
  }

  /** Sends what is still buffered, then leaves the channel. */
  close(): void {
    this.#local.unsubscribe()
    this.#batcher.flush()
    this.#batcher.close()
    this.#channel.close()
    this.remote$.complete()
  }

  #isNew(event: WorkflowEvent): boolean {
    const last = this.#seen.get(event.runId)
    if (last !== undefined && event.seq <= last) return false
    // Delete first so the run moves to the end of the insertion order (most recently seen).
    this.#seen.delete(event.runId)
    this.#seen.set(event.runId, event.seq)
    if (this.#seen.size > MAX_TRACKED_RUNS) this.#seen.delete(this.#seen.keys().next().value!)
    return true
  }
}
