import type { HostService } from '../host/services'
import { reportUnhandledError } from '../runtime/report-unhandled-error'
import type { Clock } from '../types'
import type { EngineParts } from './engine-parts'
import { purgeRuns, type Retention, SLICE } from './run-purge'

/** After the engine comes to lead, before the first sweep: startup has other work first. */
export const FIRST_SWEEP_MS = 60_000
/** Between two sweeps once nothing is left to delete. */
export const SWEEP_EVERY_MS = 60 * 60_000
/** Between two slices of one sweep: the database is free for other work in between. */
const NEXT_SLICE_MS = 1_000

/**
 * `EngineOptions.retention` applied in the background, by the leader only: one slice of at most
 * `SLICE` runs at a time, the next slice a second later while runs are left to delete, then
 * again an hour later. A sweep that fails is reported and tried again at the next hour.
 */
export class RetentionSweep implements HostService {
  readonly name = 'retention'
  readonly #parts: Pick<EngineParts, 'store' | 'runs' | 'scope' | 'streams'>
  readonly #retention: Retention
  readonly #clock: Clock

  constructor(
    parts: Pick<EngineParts, 'store' | 'runs' | 'scope' | 'streams'>,
    retention: Retention,
    clock: Clock,
  ) {
    this.#parts = parts
    this.#retention = retention
    this.#clock = clock
  }

  start(signal: AbortSignal): void {
    let handle: unknown
    const arm = (ms: number) => {
      handle = this.#clock.setTimeout(() => {
        handle = undefined
        this.#slice(signal).then(
          (more) => {
            if (!signal.aborted) arm(more ? NEXT_SLICE_MS : SWEEP_EVERY_MS)
          },
          (error: unknown) => {
            // An engine closing mid-slice refuses the rest with ENGINE_CLOSED: the end, not a failure.
            if (signal.aborted || this.#parts.scope.closed) return
            reportUnhandledError(error)
            arm(SWEEP_EVERY_MS)
          },
        )
      }, ms)
    }
    signal.addEventListener('abort', () => {
      if (handle !== undefined) this.#clock.clearTimeout(handle)
    })
    arm(FIRST_SWEEP_MS)
  }

  /** Deletes one slice; resolves to whether it was full (more may be left). */
  async #slice(signal: AbortSignal): Promise<boolean> {
    if (signal.aborted) return false
    const deleted = await this.#parts.scope.run(() =>
      purgeRuns(this.#parts, undefined, this.#retention, this.#clock.now(), SLICE),
    )
    return deleted >= SLICE
  }
}
