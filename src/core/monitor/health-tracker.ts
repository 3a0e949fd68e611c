import type { Health, RunState, RunStatus, TaskState, WorkflowEvent } from '../../types'
import { type HealthTotals, healthOfTotals } from './health'

/** What one task adds to its run's health; `startedAt`/`waitFrom` are relative to the tracker's base. */
interface Share {
  attempts: number
  failedAttempts: number
  runMs: number
  queueMs: number
  outcome?: 'completed' | 'failed'
  /** Running since. */
  startedAt?: number
  /** Waiting for a slot or in back-off since. */
  waitFrom?: number
}

/** Times that grow with the clock, kept as a count and a sum so that their total is O(1). */
class Clocks {
  readonly at = new Map<string, number>()
  sum = 0
  /** The latest time ever added: while `now` is past it, every term is `now - t`. */
  highest = Number.NEGATIVE_INFINITY

  add(id: string, t: number): void {
    this.at.set(id, t)
    this.sum += t
    if (t > this.highest) this.highest = t
  }

  remove(id: string): void {
    const t = this.at.get(id)
    if (t === undefined) return
    this.at.delete(id)
    this.sum -= t
  }

  /** Σ max(0, now − t). */
  total(now: number): number {
    if (now >= this.highest) return this.at.size * now - this.sum
    let total = 0
    for (const t of this.at.values()) if (now > t) total += now - t
    return total
  }
}

/** Events that settle their task: its dependents may become ready (their waits start). */
const SETTLING = new Set<string>([
  'task.completed',
  'task.cached',
  'task.skipped',
  'task.failed',
  'task.timed-out',
])
/** Run-level events that change no task. */
const QUIET = new Set<string>(['workflow.queued', 'workflow.paused', 'checkpoint.saved', 'signal.received'])

/**
 * Follows one run's health from its events, doing work per changed task: `computeHealth` per
 * update makes following (or raising alerts for) a run of n tasks O(n²). Each event names the
 * task it changes; a settled task's dependents are read too (their waits start); events that
 * change many tasks at once, a change of the run's status and a new state object make it read
 * every task again. Times are kept relative to the run's creation, so sums stay exact.
 *
 * Its values equal `computeHealth(state, now)` at each call.
 *
 * @example
 * const tracker = new HealthTracker((id) => wf.tasks.get(id)?.children ?? [])
 * events$.subscribe((event) => tracker.note(event))
 * const health = tracker.health(state, clock.now())
 */
export class HealthTracker {
  readonly #children: (taskId: string) => Iterable<string>
  readonly #shares = new Map<string, Share>()
  #totals = emptyTotals()
  #running = new Clocks()
  #waiting = new Clocks()
  #base = 0
  #changed = new Set<string>()
  #all = true
  #state: RunState | undefined
  #status: RunStatus | undefined

  /** @param children the tasks that depend on a task (from the compiled definition) */
  constructor(children: (taskId: string) => Iterable<string>) {
    this.#children = children
  }

  /** Takes note of an event of the run: the next `health` reads the tasks it changed. */
  note(event: WorkflowEvent): void {
    if (this.#all) return
    if ('taskId' in event) {
      this.#changed.add(event.taskId)
      if (SETTLING.has(event.type)) for (const child of this.#children(event.taskId)) this.#changed.add(child)
    } else if (!QUIET.has(event.type)) this.#all = true
  }

  /** Reads every task again at the next `health`. */
  invalidate(): void {
    this.#all = true
  }

  /** The run's health now, the changes noted since the last call applied. */
  health(state: RunState, now: number): Health {
    if (this.#all || state !== this.#state || state.status !== this.#status) this.#readAll(state)
    else for (const id of this.#changed) this.#read(state, id)
    this.#changed.clear()
    this.#all = false
    this.#state = state
    this.#status = state.status
    const base = this.#base
    const waitEnd = state.pausedAt !== undefined && state.pausedAt < now ? state.pausedAt : now
    const totals: HealthTotals = {
      ...this.#totals,
      runTime: this.#totals.runTime + this.#running.total(now - base),
      queueTime: this.#totals.queueTime + this.#waiting.total(waitEnd - base),
    }
    return healthOfTotals(state, now, totals)
  }

  #readAll(state: RunState): void {
    this.#shares.clear()
    this.#totals = emptyTotals()
    this.#running = new Clocks()
    this.#waiting = new Clocks()
    this.#base = state.createdAt
    for (const id in state.tasks) this.#set(id, state.tasks[id]!)
  }

  #read(state: RunState, id: string): void {
    const task = state.tasks[id]
    if (task) this.#set(id, task)
  }

  #set(id: string, task: TaskState): void {
    const old = this.#shares.get(id)
    if (old) this.#count(id, old, -1)
    const share = shareOf(task, this.#base)
    this.#shares.set(id, share)
    this.#count(id, share, 1)
  }

  #count(id: string, share: Share, sign: 1 | -1): void {
    const t = this.#totals
    t.attempts += sign * share.attempts
    t.failedAttempts += sign * share.failedAttempts
    t.runTime += sign * share.runMs
    t.queueTime += sign * share.queueMs
    if (share.outcome === 'completed') t.completed += sign
    if (share.outcome === 'failed') t.failed += sign
    if (share.startedAt !== undefined) {
      if (sign > 0) this.#running.add(id, share.startedAt)
      else this.#running.remove(id)
    }
    if (share.waitFrom !== undefined) {
      if (sign > 0) this.#waiting.add(id, share.waitFrom)
      else this.#waiting.remove(id)
    }
  }
}

function emptyTotals(): HealthTotals {
  return { completed: 0, failed: 0, attempts: 0, failedAttempts: 0, runTime: 0, queueTime: 0 }
}

/** The same reading of a task as `computeHealth` makes. */
function shareOf(task: TaskState, base: number): Share {
  const share: Share = {
    attempts: task.attempts,
    failedAttempts: task.failedAttempts,
    runMs: task.runMs,
    queueMs: task.queueMs,
  }
  switch (task.status) {
    case 'completed':
    case 'failed':
      share.outcome = task.status
      break
    case 'running':
      if (task.startedAt !== undefined) share.startedAt = task.startedAt - base
      break
    case 'pending':
      if (task.readyAt !== undefined && (task.startedAt === undefined || task.startedAt < task.readyAt)) {
        share.waitFrom = task.readyAt - base
      }
      break
    case 'retrying': {
      const from =
        task.readyAt === undefined
          ? task.endedAt
          : task.endedAt === undefined
            ? task.readyAt
            : Math.max(task.readyAt, task.endedAt)
      if (from !== undefined) share.waitFrom = from - base
      break
    }
  }
  return share
}
