import type { Subject } from 'rxjs'
import type { ChildLinks } from '../host/child-links'
import type { DeadlineWakeups } from '../host/deadline-wakeups'
import { untilIdle } from '../host/engine-idle'
import type { EngineScope } from '../host/engine-scope'
import type { EngineStreams } from '../host/engine-streams'
import type { LiveRuns } from '../host/live-runs'
import type { ScheduleService } from '../host/schedule-service'
import type { HostServices } from '../host/services'
import type { JournalWriter } from '../runtime/journal'
import type { Alert, RunView, ScheduleEvent, WorkflowEvent } from '../types'
import type { EventWaits } from './event-waits'

/** What settling and closing the engine goes through. */
export interface EngineLifecycleContext {
  readonly scope: EngineScope
  readonly services: HostServices
  readonly journal: JournalWriter
  readonly runs: LiveRuns
  readonly streams: EngineStreams
  readonly wakeups: DeadlineWakeups
  readonly children: ChildLinks
  readonly eventWaits: Pick<EventWaits, 'busy' | 'settled'>
  readonly events: Subject<WorkflowEvent>
  readonly scheduleEvents: Subject<ScheduleEvent>
  readonly schedules: ScheduleService
  readonly alerts: Subject<Alert>
  /** The recovery on creation; `idle()` waits for it, as it starts the recovered runs. */
  readonly recovering: Promise<void>
}

/**
 * How the engine comes to rest: `idle()` waits for the work it has in hand, `close()` stops it
 * for good and settles the pending `wait()`s it was given (`track`).
 */
export class EngineLifecycle {
  readonly #ctx: EngineLifecycleContext
  #closing: Promise<void> | undefined
  /** Pending `wait()`s: close() rejects them and resolves only once they settled. */
  readonly #waits = new Set<Promise<RunView>>()

  constructor(ctx: EngineLifecycleContext) {
    this.#ctx = ctx
  }

  /** Keeps `waiting` until it settles: `close()` resolves after it, so the caller's handlers run first. */
  track(waiting: Promise<RunView>): Promise<RunView> {
    this.#waits.add(waiting)
    const forget = () => this.#waits.delete(waiting)
    waiting.then(forget, forget)
    return waiting
  }

  /** See `Engine.idle`. */
  async idle(): Promise<void> {
    const { journal, runs, wakeups, children, eventWaits } = this.#ctx
    await this.#ctx.recovering
    // A passive run whose time came is on its way back into memory: that is work of the engine.
    await wakeups.settled()
    // A firing pass under way starts runs: they are work of the engine too.
    await this.#ctx.schedules.settled()
    await untilIdle(journal, () => runs.values())
    // A child's end, published last, is read from the store and sent to its parent.
    await children.settled()
    await untilIdle(journal, () => runs.values())
    // An emitted event on its way to a wait (or a wait's read of the event log) is work too.
    while (eventWaits.busy) {
      await eventWaits.settled()
      await untilIdle(journal, () => runs.values())
    }
  }

  /**
   * Closes the engine: refuses new calls, waits for the operations in flight (each stops at its
   * next await), stops every run, releases every lock and rejects pending `wait()`s with
   * `ENGINE_CLOSED`. Nothing of this engine executes after it resolves.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close()
    return this.#closing
  }

  async #close(): Promise<void> {
    const { scope, services, runs, journal, streams, events, alerts, schedules, scheduleEvents } = this.#ctx
    await scope.close()
    await services.close()
    // A firing pass stops at its next await; nothing of it publishes after close.
    await schedules.settled()
    await runs.close(() => journal.settled())
    streams.close()
    // Completing the event stream rejects every pending wait() with ENGINE_CLOSED.
    events.complete()
    scheduleEvents.complete()
    alerts.complete()
    await Promise.allSettled(this.#waits)
  }
}
