import { EVENT_LOG_TTL_MS } from '../core/event-waits'
import { EngineClosedError } from '../errors'
import type { EngineScope } from '../host/engine-scope'
import type { HostService } from '../host/services'
import { reportUnhandledError } from '../runtime/report-unhandled-error'
import type { Store } from '../store/store'
import type { Clock } from '../types'
import type { EventWaits } from './event-waits'

/** The leader sweeps the event log at most this often (when it comes to lead, then after emits). */
export const EVENT_SWEEP_EVERY_MS = 60 * 60_000

/** What the sweep needs. */
export interface EventLogSweepParts {
  readonly store: Store
  readonly clock: Clock
  readonly scope: EngineScope
  readonly eventWaits: EventWaits
}

/**
 * The leader's sweep of the emitted-event log: deletes the events older than 24 h, then delivers
 * again the events still pending (an engine that logged one stopped before every waiting run was
 * offered it; a second offer takes nothing twice). It runs when the engine comes to lead, then
 * after an emit of this engine once `EVENT_SWEEP_EVERY_MS` passed: no timer of its own, so an
 * engine that emits nothing holds no clock timer for it. An old event is never delivered before
 * it is swept (offers read the last 24 h only): the sweep only frees the space.
 *
 * The routes' dedupe marks (`emitted`) are not swept: a mark holds the generation of its key's
 * run ids, and once retention deleted the runs nothing else does, so a later emit could reuse a
 * run id. A mark is one small record per route and key, deleted with its route.
 */
export class EventLogSweep implements HostService {
  readonly name = 'event-log-sweep'
  readonly #parts: EventLogSweepParts
  #signal: AbortSignal | undefined
  #lastAt = Number.NEGATIVE_INFINITY

  constructor(parts: EventLogSweepParts) {
    this.#parts = parts
    parts.eventWaits.afterEmit(() => this.#sweepIfDue())
  }

  start(signal: AbortSignal): void {
    this.#signal = signal
    this.#lastAt = Number.NEGATIVE_INFINITY
    this.#sweepIfDue()
  }

  #sweepIfDue(): void {
    const { clock, scope, eventWaits } = this.#parts
    const signal = this.#signal
    if (!signal || signal.aborted || scope.closed) return
    const now = clock.now()
    if (now - this.#lastAt < EVENT_SWEEP_EVERY_MS) return
    this.#lastAt = now
    eventWaits.track(this.#sweep(signal, now)).catch((error: unknown) => {
      // A sweep that fails is reported; the next emit (or the next leader) tries again, not an
      // hour later: its pending events wait for it.
      if (this.#lastAt === now) this.#lastAt = Number.NEGATIVE_INFINITY
      if (!(error instanceof EngineClosedError)) reportUnhandledError(error)
    })
  }

  async #sweep(signal: AbortSignal, now: number): Promise<void> {
    const { scope, store, eventWaits } = this.#parts
    await scope.run(() => store.deleteEvents(now - EVENT_LOG_TTL_MS))
    const pending = await scope.run(() => store.listPendingEvents())
    let failure: unknown
    for (const record of pending) {
      if (signal.aborted) return
      try {
        await eventWaits.deliver(record)
      } catch (error) {
        failure ??= error
      }
    }
    if (failure !== undefined) throw failure
  }
}
