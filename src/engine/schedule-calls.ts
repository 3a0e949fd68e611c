import { nextOccurrences } from '../core/schedules/schedule-times'
import { ArgumentError, NotFoundError } from '../errors'
import type { DefinitionRegistry } from '../host/definition-registry'
import type { EngineScope } from '../host/engine-scope'
import { anchorOf, handledFrom } from '../host/schedule-firing'
import type { TimerClock } from '../runtime/deadline-timer'
import type { Store, StoredSchedule } from '../store/store'
import type { ScheduleInfo, ScheduleSpec } from '../types'
import type { Access } from './access'
import { checkScheduleSpec } from './schedule-arguments'

/** How many next fire times `ScheduleInfo.nextRuns` lists. */
export const NEXT_RUNS_LISTED = 5

export interface ScheduleCallsContext {
  readonly store: Store
  readonly clock: TimerClock
  readonly scope: EngineScope
  readonly access: Access
  readonly definitions: DefinitionRegistry
  /** Tells the leader's schedule service that the schedules changed. */
  changed(): void
}

/**
 * The engine's schedule calls (`schedule`, `updateSchedule`, `unschedule`, `listSchedules`).
 * Each checks its arguments, asks `authorize` (verbs `schedule`, `updateSchedule`, `unschedule`,
 * with the schedule's workflow as `definitionId`) and finds the workflow before it writes: a
 * refused call changes nothing. `acting`: the calling principal, kept with the schedule as the
 * principal its runs start as.
 */
export class ScheduleCalls {
  readonly #ctx: ScheduleCallsContext

  constructor(ctx: ScheduleCallsContext) {
    this.#ctx = ctx
  }

  /** See `Engine.schedule`: stores a new schedule, or replaces the one with the spec's `id`. */
  async schedule(spec: unknown, acting: string | undefined): Promise<ScheduleInfo> {
    const { scope, clock, store } = this.#ctx
    scope.check()
    checkScheduleSpec('schedule', spec)
    await this.#admit('schedule', spec, acting)
    const now = clock.now()
    const scheduleId = spec.id ?? crypto.randomUUID()
    const stored: StoredSchedule = {
      scheduleId,
      spec: structuredClone({ ...spec, id: scheduleId }),
      createdAt: now,
      updatedAt: now,
      recent: [],
      ...(acting !== undefined && { principal: acting }),
    }
    await scope.run(() => store.putSchedule(stored))
    this.#ctx.changed()
    return this.#infoOf(stored)
  }

  /**
   * See `Engine.updateSchedule`: merges `patch` into the stored spec. The occurrences already
   * handled stay handled; `id` cannot change.
   */
  async updateSchedule(id: unknown, patch: unknown, acting: string | undefined): Promise<ScheduleInfo> {
    this.#ctx.scope.check()
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
    if ('cron' in patch && !('everyMs' in patch)) delete patched.everyMs
    if ('everyMs' in patch && !('cron' in patch)) delete patched.cron
    checkScheduleSpec('updateSchedule', patched)
    // Pausing or resuming starts nothing: a schedule whose workflow was deleted can be paused.
    const pausing = Object.keys(patch).every((key) => key === 'paused')
    await this.#admit('updateSchedule', patched, acting, !pausing)
    // Only the caller's part is written: what the leader recorded since `found` was read stays.
    // The runs start as whoever last set the schedule up.
    const revision = {
      spec: structuredClone(patched),
      updatedAt: this.#ctx.clock.now(),
      ...(acting !== undefined && { principal: acting }),
    }
    const stored = await this.#ctx.scope.run(() => this.#ctx.store.reviseSchedule(found.scheduleId, revision))
    if (!stored) {
      throw new NotFoundError(`updateSchedule: schedule "${found.scheduleId}" was deleted meanwhile.`, {
        value: id,
      })
    }
    this.#ctx.changed()
    return this.#infoOf(stored)
  }

  /** See `Engine.unschedule`: `NOT_FOUND` when there is no such schedule. */
  async unschedule(id: unknown, acting: string | undefined): Promise<void> {
    const { scope, access, store } = this.#ctx
    scope.check()
    const found = await this.#find('unschedule', id)
    if (access.asks) {
      await access.check({ principal: acting, verb: 'unschedule', definitionId: found.spec.workflow })
      scope.check()
    }
    await scope.run(() => store.deleteSchedule(found.scheduleId))
    this.#ctx.changed()
  }

  /** See `Engine.listSchedules`: every schedule with its next fire times. */
  async listSchedules(): Promise<ScheduleInfo[]> {
    this.#ctx.scope.check()
    return (await this.#ctx.store.listSchedules()).map((stored) => this.#infoOf(stored))
  }

  /**
   * Asks `authorize`, then (`find`) finds the workflow: a schedule of one not registered is
   * `NOT_FOUND`.
   */
  async #admit(verb: string, spec: ScheduleSpec, acting: string | undefined, find = true): Promise<void> {
    const { scope, access, definitions } = this.#ctx
    if (access.asks) {
      await access.check({ principal: acting, verb, definitionId: spec.workflow })
      scope.check()
    }
    if (!find) return
    await scope.run(() => definitions.forStart(spec.workflow, spec.version))
    scope.check()
  }

  async #find(call: string, id: unknown): Promise<StoredSchedule> {
    if (typeof id !== 'string' || id === '') {
      throw new ArgumentError(`${call}: the schedule id must be a non-empty string.`, { value: id })
    }
    const found = await this.#ctx.scope.run(() => this.#ctx.store.getSchedule(id))
    if (!found) {
      throw new NotFoundError(`${call}: there is no schedule "${id}"; listSchedules() lists them.`, {
        value: id,
      })
    }
    return found
  }

  #infoOf(stored: StoredSchedule): ScheduleInfo {
    const { spec } = stored
    const now = this.#ctx.clock.now()
    const after = Math.max(handledFrom(stored), now)
    return {
      id: stored.scheduleId,
      workflow: spec.workflow,
      spec,
      paused: spec.paused === true,
      nextRuns: spec.paused ? [] : nextOccurrences(spec, anchorOf(stored), after, NEXT_RUNS_LISTED),
      recent: stored.recent,
    }
  }
}
