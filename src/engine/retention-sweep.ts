import type { HostService } from '../host/services'
import { reportUnhandledError } from '../runtime/report-unhandled-error'
import type { Clock, WorkflowEvent } from '../types'
import type { EngineParts } from './engine-parts'
import { purgeSlice, type Retention, SLICE } from './run-purge'

/** Between two sweeps started by runs ending: a run ending sooner than this after a sweep starts none. */
export const SWEEP_EVERY_MS = 60 * 60_000
/** Between two slices of one sweep: the database is free for other work in between. */
export const NEXT_SLICE_MS = 1_000

const ENDINGS = new Set<WorkflowEvent['type']>([
  'workflow.completed',
  'workflow.failed',
  'workflow.cancelled',
])

/**
 * `EngineOptions.retention` applied in the background, by the leader only. It holds no timer while
 * idle: a sweep starts when the engine comes to lead, and when a run ends in this engine at least
 * `SWEEP_EVERY_MS` after the last sweep started. A sweep deletes one slice of at most `SLICE` runs,
 * the next slice `NEXT_SLICE_MS` later while runs are left to delete (the only timer it holds). A
 * sweep that fails is reported; the next run ending an hour later tries again.
 */
export class RetentionSweep implements HostService {
  readonly name = 'retention'
  readonly #parts: Pick<EngineParts, 'store' | 'runs' | 'scope' | 'streams' | 'events'>
  readonly #retention: Retention
  readonly #clock: Clock
  /** When the last sweep started; absent before the first. */
  #lastSweep: number | undefined

  constructor(
    parts: Pick<EngineParts, 'store' | 'runs' | 'scope' | 'streams' | 'events'>,
    retention: Retention,
    clock: Clock,
  ) {
    this.#parts = parts
    this.#retention = retention
    this.#clock = clock
  }

  start(signal: AbortSignal): void {
    let handle: unknown
    let sweeping = false
    const slice = () => {
      handle = undefined
      this.#slice(signal).then(
        (more) => {
          if (!more || signal.aborted) {
            sweeping = false
            return
          }
          try {
            handle = this.#clock.setTimeout(slice, NEXT_SLICE_MS)
          } catch (error) {
            // No caller holds this continuation: the rest waits for the next sweep.
            sweeping = false
            reportUnhandledError(error)
          }
        },
        (error: unknown) => {
          sweeping = false
          // An engine closing mid-slice refuses the rest with ENGINE_CLOSED: the end, not a failure.
          if (signal.aborted || this.#parts.scope.closed) return
          reportUnhandledError(error)
        },
      )
    }
    const sweep = () => {
      if (sweeping || signal.aborted) return
      const now = this.#clock.now()
      if (this.#lastSweep !== undefined && now - this.#lastSweep < SWEEP_EVERY_MS) return
      this.#lastSweep = now
      sweeping = true
      slice()
    }
    const endings = this.#parts.events.subscribe((event) => {
      if (ENDINGS.has(event.type)) sweep()
    })
    signal.addEventListener('abort', () => {
      endings.unsubscribe()
      if (handle !== undefined) this.#clock.clearTimeout(handle)
    })
    // A new leader may find runs that ended in other tabs, or before it opened, past their age.
    this.#lastSweep = undefined
    sweep()
  }

  /** Deletes one slice; resolves to whether to go on: it deleted some, and runs were left beyond it. */
  async #slice(signal: AbortSignal): Promise<boolean> {
    if (signal.aborted) return false
    const { deleted, more } = await this.#parts.scope.run(() =>
      purgeSlice(this.#parts, undefined, this.#retention, this.#clock.now(), SLICE),
    )
    // A slice that deleted nothing (all held elsewhere) would find the same runs a second later.
    return more && deleted > 0
  }
}
