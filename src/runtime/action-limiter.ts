import type { ActionLimit, CompiledTask } from '../types'
import type { TimerClock } from './deadline-timer'
import { reportUnhandledError } from './report-unhandled-error'

/** A slot of a limited action: held while one attempt (or `forEach` item) of it runs. */
export interface LimitSlot {
  /** Gives the slot back; the next waiter gets it. Only the first call counts. */
  release(): void
}

/** A place in a limit's queue: cancelling it ends the wait, and a slot it got is given back. */
export interface LimitTicket {
  cancel(): void
}

/** The window `perSecond` counts starts in. */
const WINDOW_MS = 1000

/**
 * The engine's limits per action (`EngineOptions.limits`), across all its runs: at most
 * `concurrency` slots of a limit held at once and at most `perSecond` handed out in any second
 * (a sliding window on the engine's clock). Waiters are served first come, first served, whatever
 * run they belong to. A slot free now is handed out synchronously, so a limited step costs no
 * promise when nothing waits.
 */
export class ActionLimiter {
  readonly #lanes = new Map<string, Lane>()

  constructor(limits: Readonly<Record<string, ActionLimit>>, clock: TimerClock) {
    for (const [key, limit] of Object.entries(limits)) this.#lanes.set(key, new Lane(limit, clock))
  }

  /**
   * The limit an attempt of `task` takes a slot of, if any: `agent_task:<agent>` for an
   * `agent_task` whose static `agent` param has a limit of its own, else the action's name.
   */
  keyOf(task: CompiledTask): string | undefined {
    if (task.action === 'agent_task' && task.params?.static) {
      const agent = task.params.value.agent
      if (typeof agent === 'string' && this.#lanes.has(`agent_task:${agent}`)) return `agent_task:${agent}`
    }
    return this.#lanes.has(task.action) ? task.action : undefined
  }

  /**
   * The tasks of a run whose start waits for a slot: every limited task but `forEach` ones,
   * whose items each take a slot once the task has started. Undefined when there are none.
   */
  gatedTasks(tasks: ReadonlyMap<string, CompiledTask>): Record<string, true> | undefined {
    let gated: Record<string, true> | undefined
    for (const [id, task] of tasks) {
      if (task.forEach || this.keyOf(task) === undefined) continue
      gated ??= {}
      gated[id] = true
    }
    return gated
  }

  /**
   * Asks for a slot of `key`: `granted` gets it now when one is free and nobody waits, else
   * once its turn comes. A `granted` that throws gives the slot back, and the failure is reported.
   */
  acquire(key: string, granted: (slot: LimitSlot) => void): LimitTicket {
    return this.#lanes.get(key)!.acquire(granted)
  }

  /** How many slots of `key` are held and how many wait: for tests and diagnostics. */
  usage(key: string): { running: number; queued: number } {
    const lane = this.#lanes.get(key)
    return lane ? { running: lane.running, queued: lane.queued } : { running: 0, queued: 0 }
  }

  /** Stops the rate timers; waiters left are dropped (their runs have stopped). */
  close(): void {
    for (const lane of this.#lanes.values()) lane.close()
  }
}

interface Waiter {
  granted: (slot: LimitSlot) => void
  cancelled: boolean
  slot?: LimitSlot
}

/** One limit: its slots in use, the start times in the last window, and its queue. */
class Lane {
  readonly #concurrency: number
  readonly #perSecond: number
  readonly #clock: TimerClock
  readonly #starts: number[] = []
  #queue: Waiter[] = []
  #head = 0
  #running = 0
  #timer: unknown
  #pumping = false
  #closed = false

  constructor(limit: ActionLimit, clock: TimerClock) {
    this.#concurrency = limit.concurrency ?? Number.POSITIVE_INFINITY
    this.#perSecond = limit.perSecond ?? Number.POSITIVE_INFINITY
    this.#clock = clock
  }

  get running(): number {
    return this.#running
  }

  get queued(): number {
    let n = 0
    for (let i = this.#head; i < this.#queue.length; i++) if (!this.#queue[i]!.cancelled) n++
    return n
  }

  acquire(granted: (slot: LimitSlot) => void): LimitTicket {
    const waiter: Waiter = { granted, cancelled: false }
    this.#queue.push(waiter)
    this.#pump()
    return {
      cancel: () => {
        if (waiter.cancelled) return
        waiter.cancelled = true
        waiter.slot?.release()
        // A cancelled waiter at the head would keep the rate timer armed for nothing.
        this.#pump()
      },
    }
  }

  close(): void {
    this.#closed = true
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer)
    this.#timer = undefined
    this.#queue = []
    this.#head = 0
  }

  /** Hands out slots while the head of the queue may have one; re-entrant calls join the loop. */
  #pump(): void {
    // A closed engine grants nothing more: what asks after its close waits for good.
    if (this.#pumping || this.#closed) return
    this.#pumping = true
    try {
      while (this.#head < this.#queue.length) {
        const waiter = this.#queue[this.#head]!
        if (waiter.cancelled) {
          this.#head++
          continue
        }
        if (this.#running >= this.#concurrency || !this.#rateAllows()) break
        this.#head++
        this.#grant(waiter)
      }
      if (this.#head === this.#queue.length) {
        this.#queue = []
        this.#head = 0
      }
    } finally {
      this.#pumping = false
    }
  }

  #grant(waiter: Waiter): void {
    this.#running++
    const startedAt = this.#clock.now()
    const counted = this.#perSecond !== Number.POSITIVE_INFINITY
    if (counted) this.#starts.push(startedAt)
    let held = true
    let handing = true
    const slot: LimitSlot = {
      release: () => {
        if (!held) return
        held = false
        this.#running--
        // Handed back by the waiter as it was granted (its task moved on, its run paused or
        // ended): nothing started, so the grant takes no place in the window.
        if (handing && counted) this.#starts.splice(this.#starts.lastIndexOf(startedAt), 1)
        this.#pump()
      },
    }
    waiter.slot = slot
    try {
      waiter.granted(slot)
    } catch (error) {
      slot.release()
      reportUnhandledError(error)
    } finally {
      handing = false
    }
  }

  /** Whether a start now stays within `perSecond`; arms the timer for the next free moment if not. */
  #rateAllows(): boolean {
    if (this.#perSecond === Number.POSITIVE_INFINITY) return true
    const now = this.#clock.now()
    const starts = this.#starts
    while (starts.length > 0 && starts[0]! <= now - WINDOW_MS) starts.shift()
    if (starts.length < this.#perSecond) return true
    if (this.#timer === undefined) {
      this.#timer = this.#clock.setTimeout(
        () => {
          this.#timer = undefined
          this.#pump()
        },
        starts[0]! + WINDOW_MS - now,
      )
    }
    return false
  }
}
