import { nextOccurrences } from '../core/schedules/schedule-times'
import { ArgumentError, NotFoundError } from '../errors'
import type { TimerClock } from '../runtime/deadline-timer'
import type { Store, StoredSchedule } from '../store/store'
import type { ScheduleInfo, ScheduleSpec } from '../types'
import { checkScheduleSpec } from './schedule-arguments'

/** How many next fire times `ScheduleInfo.nextRuns` lists. */
export const NEXT_RUNS_LISTED = 5

export interface ScheduleCallsContext {
  readonly store: Store
  readonly clock: TimerClock
  /** Tells the leader's schedule service that the schedules changed. */
  changed(): void
}

/**
 * The engine's schedule calls (`schedule`, `updateSchedule`, `unschedule`, `listSchedules`).
 * Each checks its arguments before it writes: a bad spec or patch changes nothing.
 */
export class ScheduleCalls {
  readonly #ctx: ScheduleCallsContext

  constructor(ctx: ScheduleCallsContext) {
    this.#ctx = ctx
  }

  /** See `Engine.schedule`: stores a new schedule, or replaces the one with the spec's `id`. */
  async schedule(spec: unknown): Promise<ScheduleInfo> {
    checkScheduleSpec('schedule', spec)
    const now = this.#ctx.clock.now()
    const scheduleId = spec.id ?? crypto.randomUUID()
    const stored: StoredSchedule = {
      scheduleId,
      spec: structuredClone({ ...spec, id: scheduleId }),
      createdAt: now,
      updatedAt: now,
      recent: [],
    }
    await this.#ctx.store.putSchedule(stored)
    this.#ctx.changed()
    return this.#infoOf(stored)
  }

  /**
   * See `Engine.updateSchedule`: merges `patch` into the stored spec. The occurrences already
   * handled stay handled; `id` cannot change.
   */
  async updateSchedule(id: unknown, patch: unknown): Promise<ScheduleInfo> {
    const found = await this.#find('updateSchedule', id)
    if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
      throw new ArgumentError(`updateSchedule: the patch must be an object like { paused: true }.`, {
        value: patch,
      })
    }
    const patched = { ...found.spec, ...(patch as Partial<ScheduleSpec>) }
    if (patched.id !== found.scheduleId) {
      throw new ArgumentError(
        `updateSchedule: a schedule's id cannot change; unschedule it and schedule anew.`,
        {
          value: patch,
        },
      )
    }
    // A switch between cron and everyMs drops the other one.
    if ('cron' in (patch as object) && !('everyMs' in (patch as object))) delete patched.everyMs
    if ('everyMs' in (patch as object) && !('cron' in (patch as object))) delete patched.cron
    checkScheduleSpec('updateSchedule', patched)
    const stored: StoredSchedule = {
      ...found,
      spec: structuredClone(patched),
      updatedAt: this.#ctx.clock.now(),
    }
    await this.#ctx.store.putSchedule(stored)
    this.#ctx.changed()
    return this.#infoOf(stored)
  }

  /** See `Engine.unschedule`: `NOT_FOUND` when there is no such schedule. */
  async unschedule(id: unknown): Promise<void> {
    await this.#find('unschedule', id)
    await this.#ctx.store.deleteSchedule(id as string)
    this.#ctx.changed()
  }

  /** See `Engine.listSchedules`: every schedule with its next fire times. */
  async listSchedules(): Promise<ScheduleInfo[]> {
    return (await this.#ctx.store.listSchedules()).map((stored) => this.#infoOf(stored))
  }

  async #find(call: string, id: unknown): Promise<StoredSchedule> {
    if (typeof id !== 'string' || id === '') {
      throw new ArgumentError(`${call}: the schedule id must be a non-empty string.`, { value: id })
    }
    const found = await this.#ctx.store.getSchedule(id)
    if (!found) {
      throw new NotFoundError(`${call}: there is no schedule "${id}"; listSchedules() lists them.`, {
        value: id,
      })
    }
    return found
  }

  #infoOf(stored: StoredSchedule): ScheduleInfo {
    const { spec } = stored
    const after = Math.max(stored.handledUpTo ?? stored.createdAt, this.#ctx.clock.now())
    const anchor = spec.startAt ?? stored.createdAt
    return {
      id: stored.scheduleId,
      workflow: spec.workflow,
      spec,
      paused: spec.paused === true,
      nextRuns: spec.paused ? [] : nextOccurrences(spec, anchor, after, NEXT_RUNS_LISTED),
      recent: stored.recent,
    }
  }
}
