import type { Observable, Subscription } from 'rxjs'
import { occurrencesBetween } from '../core/schedules/schedule-times'
import { DeadlineTimer, type TimerClock } from '../runtime/deadline-timer'
import { reportUnhandledError } from '../runtime/report-unhandled-error'
import type { Store, StoredSchedule } from '../store/store'
import type { ScheduleEvent, ScheduleOccurrence, WorkflowEvent } from '../types'
import {
  anchorOf,
  type CancelScheduled,
  fireSchedule,
  fireTimeOf,
  handledFrom,
  type StartScheduled,
  scheduledRunId,
} from './schedule-firing'
import type { HostService } from './services'

/** How long a failed pass waits before the next try. */
export const RETRY_AFTER_FAILURE_MS = 60_000

/**
 * How often a schedule with buffered occurrences looks whether its run ended, besides hearing
 * the end (a run that ends in another tab is not heard here).
 */
export const PENDING_CHECK_MS = 60_000

/** Passes over one schedule in a row, at most, while its backlog is larger than one pass. */
const PASSES_IN_A_ROW = 100

export interface ScheduleServiceOptions {
  store: Store
  clock: TimerClock
  /** Starts an occurrence's run (`'exists'` when its run id is taken already). */
  start: StartScheduled
  /** Cancels a schedule's run for `overlap: 'cancel-other'`. */
  cancel?: CancelScheduled
  publish(event: ScheduleEvent): void
  /**
   * This engine's run events: while a schedule buffers occurrences, the end of one of its runs
   * (`sched:<id>:…`) asks for a pass, which starts the next buffered one.
   */
  runEvents?: Observable<WorkflowEvent>
  /**
   * The database's name: the engines on it tell each other of changed schedules on the
   * `BroadcastChannel` `spindle:<db>:schedules`, so the leader hears of a schedule another tab
   * added, and the leader's `schedule.fired` / `schedule.missed` reach every engine's `publish`.
   * Without it, only this engine's changes are heard and its outcomes published.
   */
  db?: string
  /** Aborts when the engine closes: the channel closes with it. */
  closed?: AbortSignal
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
  /** Listens for run ends only while some schedule buffers (a listener costs every event). */
  #ends: Subscription | undefined

  readonly #channel: BroadcastChannel | undefined

  constructor(options: ScheduleServiceOptions) {
    this.#o = options
    this.#timer = new DeadlineTimer(options.clock)
    if (options.db !== undefined && typeof BroadcastChannel === 'function') {
      const channel = new BroadcastChannel(`spindle:${options.db}:schedules`)
      // Either word that the schedules changed, or an outcome the leader published, which
      // reaches every engine's `events$`.
      channel.onmessage = ({ data }: MessageEvent<'changed' | { event: ScheduleEvent }>) => {
        if (data === 'changed') this.changed()
        else options.publish(data.event)
      }
      options.closed?.addEventListener('abort', () => channel.close(), { once: true })
      this.#channel = channel
    }
  }

  /**
   * This engine changed the schedules: a pass here if it leads, and the other engines on the
   * database are told (one of them may lead).
   */
  announce(): void {
    this.#channel?.postMessage('changed')
    this.changed()
  }

  start(signal: AbortSignal): void {
    this.#term = signal
    signal.addEventListener('abort', () => {
      this.#timer.disarm()
      this.#listen(false)
    })
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

  /**
   * Run `runId` ended: when it is a schedule's (`sched:<id>:…`), a buffered occurrence of that
   * schedule may start now.
   */
  ended(runId: string): void {
    if (runId.startsWith('sched:')) this.changed()
  }

  /** Resolves once no pass is under way (for `engine.idle()` and tests). */
  async settled(): Promise<void> {
    while (this.#running) await this.#running
  }

  async #pass(term: AbortSignal): Promise<void> {
    this.#timer.disarm()
    let next = Number.POSITIVE_INFINITY
    let buffering = false
    const retry = (error: unknown) => {
      // The failure is reported and tried again later; nothing is lost: each occurrence not yet
      // recorded stays due. One schedule's failure (its workflow deleted, its start refused)
      // does not hold the others up.
      reportUnhandledError(error)
      next = Math.min(next, this.#o.clock.now() + RETRY_AFTER_FAILURE_MS)
    }
    try {
      for (const schedule of await this.#o.store.listSchedules()) {
        try {
          const [due, buffers] = await this.#fire(schedule, term)
          next = Math.min(next, due)
          buffering ||= buffers
        } catch (error) {
          // Stopped leading, or the engine closes: the pass ends here, its occurrences stay due.
          if (this.#stopped(term)) return
          retry(error)
          buffering ||= (schedule.pending?.length ?? 0) > 0
        }
      }
    } catch (error) {
      if (this.#stopped(term)) return
      retry(error)
    }
    if (term.aborted) return
    this.#listen(buffering)
    if (next === Number.POSITIVE_INFINITY) return
    this.#timer.arm(next, () => this.changed())
  }

  /** Whether this term of leadership, or the engine, ended (a failure then is the expected end). */
  #stopped(term: AbortSignal): boolean {
    return term.aborted || this.#o.closed?.aborted === true
  }

  #listen(on: boolean): void {
    if (!on || !this.#o.runEvents) {
      this.#ends?.unsubscribe()
      this.#ends = undefined
      return
    }
    this.#ends ??= this.#o.runEvents.subscribe((event) => {
      if (isEnd(event)) this.ended(event.runId)
    })
  }

  /**
   * Fires `schedule` until nothing of it is due; resolves to when it is due next and whether it
   * buffers occurrences.
   */
  async #fire(first: StoredSchedule, term: AbortSignal): Promise<[number, boolean]> {
    let schedule: StoredSchedule | undefined = first
    for (let pass = 0; schedule && pass < PASSES_IN_A_ROW; pass++) {
      const { store, clock, start, cancel } = this.#o
      // The time the pass looked at: the clock may move during its awaits.
      const now = clock.now()
      const outcomes = await fireSchedule(store, schedule, now, start, cancel)
      // Published even when the leadership ended meanwhile: the advance recorded them, so no
      // later pass will.
      for (const outcome of outcomes) this.#publish(schedule.scheduleId, outcome)
      if (term.aborted) return [Number.POSITIVE_INFINITY, false]
      schedule = await store.getSchedule(schedule.scheduleId)
      const next = schedule ? this.#nextOf(schedule) : Number.POSITIVE_INFINITY
      const buffers = (schedule?.pending?.length ?? 0) > 0
      // More is due at once only when the backlog was larger than one pass; a pass that
      // recorded nothing (another leader advanced it) is not repeated at once.
      if (outcomes.length === 0) return [next <= now ? clock.now() + 1_000 : next, buffers]
      if (next > now) return [next, buffers]
    }
    return [this.#o.clock.now() + RETRY_AFTER_FAILURE_MS, true]
  }

  /** When `schedule` needs a pass next: its next fire time, sooner while it buffers. */
  #nextOf(schedule: StoredSchedule): number {
    const [time] = occurrencesBetween(schedule.spec, anchorOf(schedule), handledFrom(schedule), Infinity, 1)
    const next = time === undefined ? Number.POSITIVE_INFINITY : fireTimeOf(schedule, time)
    if (!schedule.pending?.length) return next
    return Math.min(next, this.#o.clock.now() + PENDING_CHECK_MS)
  }

  #publish(scheduleId: string, outcome: ScheduleOccurrence): void {
    const event: ScheduleEvent = {
      type: outcome.outcome === 'started' ? 'schedule.fired' : 'schedule.missed',
      scheduleId,
      scheduledAt: outcome.scheduledAt,
      runId: outcome.runId ?? scheduledRunId(scheduleId, outcome.scheduledAt),
      at: this.#o.clock.now(),
      ...(outcome.reason !== undefined && { reason: outcome.reason }),
      ...(outcome.count !== undefined && { count: outcome.count }),
      ...(outcome.error !== undefined && { error: outcome.error }),
    }
    this.#o.publish(event)
    if (this.#o.closed?.aborted !== true) this.#channel?.postMessage({ event })
  }
}

function isEnd(event: WorkflowEvent): boolean {
  return (
    event.runId.startsWith('sched:') &&
    (event.type === 'workflow.completed' ||
      event.type === 'workflow.failed' ||
      event.type === 'workflow.cancelled')
  )
}
