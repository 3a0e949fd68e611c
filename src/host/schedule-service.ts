import { nextOccurrences } from '../core/schedules/schedule-times'
import { DeadlineTimer, type TimerClock } from '../runtime/deadline-timer'
import { reportUnhandledError } from '../runtime/report-unhandled-error'
import type { Store, StoredSchedule } from '../store/store'
import type { ScheduleOccurrence } from '../types'
import { fireSchedule, type StartScheduled } from './schedule-firing'
import type { HostService } from './services'

/** How long a failed pass waits before the next try. */
export const RETRY_AFTER_FAILURE_MS = 60_000

/** `schedule.fired` / `schedule.missed`, as `events$` carries them. */
export interface ScheduleEvent {
  type: 'schedule.fired' | 'schedule.missed'
  scheduleId: string
  scheduledAt: number
  runId?: string
  reason?: ScheduleOccurrence['reason']
}

export interface ScheduleServiceOptions {
  store: Store
  clock: TimerClock
  /** Starts an occurrence's run (`'exists'` when its run id is taken already). */
  start: StartScheduled
  publish(event: ScheduleEvent): void
}

/**
 * Fires the stored schedules, a leader service: one pass over every schedule when this engine
 * comes to lead (which catches up what came due while no tab was open), then one at the
 * earliest next occurrence of any of them, with one timer. Passes never overlap; a change to
 * the schedules (`changed`) asks for a pass at once.
 */
export class ScheduleService implements HostService {
  readonly name = 'schedules'
  readonly #o: ScheduleServiceOptions
  readonly #timer: DeadlineTimer
  #term: AbortSignal | undefined
  /** The pass under way, if any; `#again` asks for one more after it. */
  #running: Promise<void> | undefined
  #again = false

  constructor(options: ScheduleServiceOptions) {
    this.#o = options
    this.#timer = new DeadlineTimer(options.clock)
  }

  start(signal: AbortSignal): void {
    this.#term = signal
    signal.addEventListener('abort', () => this.#timer.disarm())
    this.changed()
  }

  /** The schedules changed: a leader makes a pass now (after the one under way). */
  changed(): void {
    const term = this.#term
    if (!term || term.aborted) return
    if (this.#running) {
      this.#again = true
      return
    }
    this.#running = this.#pass(term).finally(() => {
      this.#running = undefined
      if (this.#again) {
        this.#again = false
        this.changed()
      }
    })
  }

  /** Resolves once no pass is under way (for `engine.idle()` and tests). */
  async settled(): Promise<void> {
    while (this.#running) await this.#running
  }

  async #pass(term: AbortSignal): Promise<void> {
    this.#timer.disarm()
    let next = Number.POSITIVE_INFINITY
    try {
      for (const schedule of await this.#o.store.listSchedules()) {
        if (term.aborted) return
        const outcomes = await fireSchedule(this.#o.store, schedule, this.#o.clock.now(), this.#o.start)
        if (term.aborted) return
        for (const outcome of outcomes) this.#publish(schedule.scheduleId, outcome)
        next = Math.min(next, await this.#nextOf(schedule.scheduleId))
      }
    } catch (error) {
      // The failure is reported; the schedules are tried again later, nothing is lost: each
      // occurrence not yet recorded stays due.
      reportUnhandledError(error)
      next = this.#o.clock.now() + RETRY_AFTER_FAILURE_MS
    }
    if (term.aborted || next === Number.POSITIVE_INFINITY) return
    this.#timer.arm(next, () => this.changed())
  }

  async #nextOf(scheduleId: string): Promise<number> {
    const schedule: StoredSchedule | undefined = await this.#o.store.getSchedule(scheduleId)
    if (!schedule) return Number.POSITIVE_INFINITY
    const anchor = schedule.spec.startAt ?? schedule.createdAt
    const after = Math.max(schedule.handledUpTo ?? schedule.createdAt, this.#o.clock.now())
    return nextOccurrences(schedule.spec, anchor, after, 1)[0] ?? Number.POSITIVE_INFINITY
  }

  #publish(scheduleId: string, outcome: ScheduleOccurrence): void {
    this.#o.publish({
      type: outcome.outcome === 'started' ? 'schedule.fired' : 'schedule.missed',
      scheduleId,
      scheduledAt: outcome.scheduledAt,
      ...(outcome.runId === undefined ? {} : { runId: outcome.runId }),
      ...(outcome.reason === undefined ? {} : { reason: outcome.reason }),
    })
  }
}
