import type { RunEvent } from '../core/run-reducer'
import type { CompiledWorkflow, RunState, WorkflowEvent } from '../types'
import type { ActionLimiter, LimitSlot, LimitTicket } from './action-limiter'
import type { AttemptAbort } from './attempt-abort'

/** The run whose gated tasks wait for slots. */
export interface SlotRun {
  readonly wf: CompiledWorkflow
  readonly state: RunState
  readonly limiter?: ActionLimiter
  now(): number
  post(event: RunEvent): void
}

/**
 * The slot waits of one run's gated tasks: a task waits in its limit's queue, and once granted
 * its `task.started` is posted; the slot is held for the attempt `#runAttempt` begins. A task
 * that moved on meanwhile (skipped, the run stopped) gives its slot back at once.
 */
export class TaskSlots {
  readonly #run: SlotRun
  readonly #halted: () => boolean
  readonly #waiting = new Map<string, LimitTicket>()
  readonly #granted = new Map<string, LimitSlot>()
  /** Tasks whose wait a pause ended: they queue again when the run resumes. */
  readonly #parked = new Set<string>()

  constructor(run: SlotRun, halted: () => boolean) {
    this.#run = run
    this.#halted = halted
  }

  /** Queues the task for a slot of its limit, unless it waits or holds one already. */
  wait(taskId: string): void {
    if (this.#waiting.has(taskId) || this.#granted.has(taskId)) return
    const run = this.#run
    const limiter = run.limiter!
    const key = limiter.keyOf(run.wf.tasks.get(taskId)!)!
    let granted = false
    const ticket = limiter.acquire(key, (slot) => {
      granted = true
      this.#waiting.delete(taskId)
      this.#granted.set(taskId, slot)
      const t = run.state.tasks[taskId]!
      if (this.#halted() || !(t.status === 'running' || (t.status === 'pending' && t.dispatched))) {
        this.#giveBack(taskId)
        return
      }
      // A paused run starts nothing: the slot goes to the next waiter, the task waits for the resume.
      if (run.state.status === 'paused') {
        this.#giveBack(taskId)
        this.#parked.add(taskId)
        return
      }
      const attempt = t.attempts + 1
      run.post({ type: 'task.started', taskId, attempt, at: run.now() })
      // Not taken (the run refused it, or stopped as it was sent): no attempt will hold the slot.
      const after = run.state.tasks[taskId]!
      if (after.status !== 'running' || after.attempts !== attempt) this.#giveBack(taskId)
    })
    if (!granted) this.#waiting.set(taskId, ticket)
  }

  /**
   * A committed record of the run: a skip ends the task's wait, a pause every wait until the
   * resume, the run's end every wait for good (its waiters would otherwise hold their places in
   * the queue, and be granted slots only to hand them back).
   */
  observe(record: WorkflowEvent): void {
    switch (record.type) {
      case 'task.skipped':
        this.drop(record.taskId)
        break
      case 'workflow.completed':
      case 'workflow.failed':
      case 'workflow.cancelled':
        this.clear()
        break
      case 'workflow.paused':
        for (const [taskId, ticket] of this.#waiting) {
          ticket.cancel()
          this.#parked.add(taskId)
        }
        this.#waiting.clear()
        break
      case 'workflow.resumed': {
        const parked = [...this.#parked]
        this.#parked.clear()
        const tasks = this.#run.state.tasks
        for (const taskId of parked) {
          const t = tasks[taskId]!
          if (t.status === 'running' || (t.status === 'pending' && t.dispatched)) this.wait(taskId)
        }
        break
      }
    }
  }

  /** The slot granted to the task, handed to the attempt that begins. */
  take(taskId: string): LimitSlot | undefined {
    const slot = this.#granted.get(taskId)
    if (slot) this.#granted.delete(taskId)
    return slot
  }

  /** The task will not start (skipped): its wait ends, and a slot it got goes back. */
  drop(taskId: string): void {
    this.#waiting.get(taskId)?.cancel()
    this.#waiting.delete(taskId)
    this.#giveBack(taskId)
  }

  /** The run stops: every wait ends and every slot not yet in an attempt goes back. */
  clear(): void {
    this.#parked.clear()
    for (const ticket of this.#waiting.values()) ticket.cancel()
    this.#waiting.clear()
    for (const slot of this.#granted.values()) slot.release()
    this.#granted.clear()
  }

  #giveBack(taskId: string): void {
    const slot = this.#granted.get(taskId)
    if (!slot) return
    this.#granted.delete(taskId)
    slot.release()
  }
}

/** An attempt's end, which gives its slot back. */
export function holding<T>(result: T | Promise<T>, slot: LimitSlot): T | Promise<T> {
  if (!(result instanceof Promise)) {
    slot.release()
    return result
  }
  return result.finally(() => slot.release())
}

/**
 * A slot of `key` for one `forEach` item (or compensation): resolves once granted, or to `undefined` when the run
 * is paused as it comes (the slot goes back at once, no start counted); rejects with the abort's
 * reason when the attempt is aborted first (the wait ends, and a slot granted meanwhile goes back).
 */
export function itemSlot(
  limiter: ActionLimiter,
  key: string,
  abort: AttemptAbort,
  paused: () => boolean,
): Promise<LimitSlot | undefined> {
  return new Promise((resolve, reject) => {
    let granted = false
    let stopAbort: (() => void) | undefined
    const ticket = limiter.acquire(key, (slot) => {
      granted = true
      stopAbort?.()
      if (paused()) {
        slot.release()
        resolve(undefined)
        return
      }
      resolve(slot)
    })
    if (granted) return
    stopAbort = abort.onAbort(() => {
      ticket.cancel()
      reject(abort.reason)
    })
  })
}
