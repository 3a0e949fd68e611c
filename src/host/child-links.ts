import type { RunEvent } from '../core/run-reducer'
import { awaitedChildren } from '../core/waits/child-wait'
import { EngineClosedError, InvalidStateError, StaleExecutorError } from '../errors'
import { childRunId } from '../runtime/child-start'
import { reportUnhandledError } from '../runtime/report-unhandled-error'
import type { RunExecutor } from '../runtime/run-executor'
import type { RunRecord, Store } from '../store/store'
import type { CompiledTask, CompiledWorkflow, WorkflowEvent } from '../types'
import type { EngineScope } from './engine-scope'
import { lockRunWhenFree } from './locks'

/** What carrying a child's end to its parent needs from the engine. */
export interface ChildLinksHost {
  store: Store
  scope: EngineScope
  /** The run's live executor here, if any. */
  live(runId: string): RunExecutor | undefined
  /** Loads a stored run to execute it here (see `LiveRuns.load`). */
  load(runId: string): Promise<RunExecutor | undefined | 'held'>
}

/**
 * Carries child runs' ends to their parents. The parent's wait reads the child's end from the
 * store (`reconcile`), so nothing depends on the news arriving: it reads when the parent enters
 * the wait (the child may have ended already), when a parent is restored here (it may have ended
 * while the parent was passive, closed or in another tab), when a child ends here (its parent
 * is then loaded here, at once or once the engine that executes it lets go), and at recovery
 * (passive parents whose child ended unseen).
 */
export class ChildLinks {
  readonly #host: ChildLinksHost
  readonly #pending = new Set<Promise<void>>()
  /** Parents whose cancel is cascading: their children's ends are not failures of theirs. */
  readonly #cancelling = new Map<string, number>()
  /** Parents another engine holds, waited for until it lets go. */
  readonly #waitingFor = new Set<string>()

  constructor(host: ChildLinksHost) {
    this.#host = host
  }

  /** After each published event of `run`, executed here (a run that ended may have left the live runs). */
  observe(event: WorkflowEvent, run: RunExecutor): void {
    if (event.type === 'task.waiting') {
      if (waitsForChild(event) && this.#host.live(event.runId) === run) this.#track(() => this.reconcile(run))
      return
    }
    if (
      event.type !== 'workflow.completed' &&
      event.type !== 'workflow.failed' &&
      event.type !== 'workflow.cancelled'
    )
      return
    const { parentRunId } = run.record
    if (parentRunId !== undefined) this.#track(() => this.#deliver(parentRunId))
  }

  /** A run restored here to execute: a child it waits for may have ended meanwhile. */
  adopted(executor: RunExecutor): void {
    if (awaitedChildren(executor.state).length > 0) this.#track(() => this.reconcile(executor))
  }

  /**
   * Recovery: a passive parent that only a call would wake (`wakeAt` ∞) may wait for a child
   * that ended while no engine could tell it (every engine that saw the end closed first). Each
   * such run with a `subworkflow` task whose child (found by its deterministic id) has ended is
   * taken up here, and reads the end from the store as it is adopted.
   */
  recoverPassive(
    records: readonly RunRecord[],
    definitionOf: (record: RunRecord) => Promise<CompiledWorkflow>,
  ) {
    for (const record of records) {
      if (record.status !== 'running' || record.wakeAt !== Number.POSITIVE_INFINITY) continue
      this.#track(async () => {
        const wf = await definitionOf(record)
        for (const task of wf.tasks.values()) {
          if (task.action !== 'subworkflow' || !(await this.#anyEnded(record.runId, task))) continue
          return this.#deliver(record.runId)
        }
      })
    }
  }

  /** Whether a child of `task` (each item's, under `forEach`) has ended. */
  async #anyEnded(parentRunId: string, task: CompiledTask): Promise<boolean> {
    for (let index = 0; ; index++) {
      const id = childRunId(parentRunId, task.id, task.forEach ? index : undefined)
      const child = await this.#host.store.getRun(id)
      this.#host.scope.check()
      if (!child) return false
      if (child.status === 'completed' || child.status === 'failed' || child.status === 'cancelled')
        return true
      if (!task.forEach) return false
    }
  }

  /**
   * Runs `cancel` of a parent while its children are cancelled first: their ends are not sent to
   * it. A cancel that fails half-way (refused for a child, the engine closing) leaves the parent
   * waiting: the ends held back meanwhile are sent to it then.
   */
  async cancelling<T>(parentRunId: string, cancel: () => Promise<T>): Promise<T> {
    this.#cancelling.set(parentRunId, (this.#cancelling.get(parentRunId) ?? 0) + 1)
    let cancelled = false
    try {
      const result = await cancel()
      cancelled = true
      return result
    } finally {
      const n = this.#cancelling.get(parentRunId)! - 1
      if (n > 0) this.#cancelling.set(parentRunId, n)
      else {
        this.#cancelling.delete(parentRunId)
        if (!cancelled) this.#track(() => this.#deliver(parentRunId))
      }
    }
  }

  /** Resolves once the deliveries under way are done. */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all(this.#pending)
  }

  /** Sends the parent the end of every child it waits for that the store says has ended. */
  async reconcile(parent: RunExecutor): Promise<void> {
    for (const { runId, taskId, index } of awaitedChildren(parent.state)) {
      const child = await this.#host.store.getRun(runId)
      this.#host.scope.check()
      if (this.#cancelling.has(parent.runId)) return
      const event = endOf(child, runId, taskId, index, parent)
      if (!event) continue
      // The parent left memory (passivated) while the store was read: it is woken to take the end.
      if (this.#host.live(parent.runId) !== parent) return this.#deliver(parent.runId)
      if (parent.can(event)) await parent.send(event).catch(unlessRestoredLater)
    }
  }

  async #deliver(parentRunId: string): Promise<void> {
    if (this.#cancelling.has(parentRunId)) return
    const live = this.#host.live(parentRunId)
    if (live) return this.reconcile(live)
    // A parent no engine executes (passive, or its engine closed) is taken up here; one that
    // another engine executes reads the child's end when it restores it.
    const stored = await this.#host.store.getRun(parentRunId)
    this.#host.scope.check()
    if (stored?.status !== 'running' && stored?.status !== 'paused') return
    // Restored here, it is reconciled as it is adopted (`adopted`).
    if ((await this.#host.load(parentRunId)) === 'held') this.#whenFree(parentRunId)
  }

  /**
   * Another engine executes the parent: once it lets go (it closes, its tab dies), the parent is
   * taken up here. Not a delivery under way for `settled()`: that engine may hold it for long.
   */
  #whenFree(parentRunId: string): void {
    const { scope, store } = this.#host
    if (this.#waitingFor.has(parentRunId) || scope.closed) return
    this.#waitingFor.add(parentRunId)
    scope
      .run(async () => {
        const lock = await lockRunWhenFree(store.name, parentRunId, scope.signal)
        await lock.release()
        scope.check()
        this.#waitingFor.delete(parentRunId)
        this.#track(() => this.#deliver(parentRunId))
      })
      .catch((error: unknown) => {
        this.#waitingFor.delete(parentRunId)
        if (!scope.closed) reportUnhandledError(error)
      })
  }

  /** Runs a delivery inside the engine scope: `close()` waits for it, and it stops at its next await. */
  #track(work: () => Promise<void>): void {
    if (this.#host.scope.closed) return
    const tracked = this.#host.scope
      .run(work)
      .catch((error: unknown) => {
        if (!(error instanceof EngineClosedError)) reportUnhandledError(error)
      })
      .finally(() => this.#pending.delete(tracked))
    this.#pending.add(tracked)
  }
}

/**
 * A parent that stopped taking events as the end was sent (a rollback fenced it, another engine
 * took it over, it left memory) loses nothing: the end stays in the store, and the parent reads
 * it when it is restored or enters the wait again. Any other failure goes on.
 */
function unlessRestoredLater(error: unknown): void {
  if (error instanceof InvalidStateError || error instanceof StaleExecutorError) return
  throw error
}

function waitsForChild(event: Extract<WorkflowEvent, { type: 'task.waiting' }>): boolean {
  return event.wait?.kind === 'child' || (event.items?.some((item) => item.wait?.kind === 'child') ?? false)
}

/** The event that ends the parent's wait, once the child's record says the child has ended. */
function endOf(
  child: RunRecord | undefined,
  childRunId: string,
  taskId: string,
  index: number | undefined,
  parent: RunExecutor,
): RunEvent | undefined {
  const at = parent.now()
  const item = index === undefined ? {} : { index }
  if (!child) {
    const error = { code: 'NOT_FOUND', message: `child run "${childRunId}" is not in the store any more` }
    return { type: 'child.failed', taskId, ...item, childRunId, error, rand: parent.random(), at }
  }
  if (child.status === 'completed')
    return { type: 'child.completed', taskId, ...item, childRunId, output: child.output, at }
  if (child.status !== 'failed' && child.status !== 'cancelled') return undefined
  const error =
    child.status === 'cancelled'
      ? { code: 'CANCELLED', message: `run "${childRunId}" was cancelled` }
      : (child.error ?? { code: 'TASK_FAILED', message: `run "${childRunId}" failed` })
  return { type: 'child.failed', taskId, ...item, childRunId, error, rand: parent.random(), at }
}
