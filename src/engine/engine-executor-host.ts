import type { Subject } from 'rxjs'
import type { Capabilities } from '../actions/builtin-context'
import type { ChildLinks } from '../host/child-links'
import type { EngineStreams } from '../host/engine-streams'
import type { LiveRuns } from '../host/live-runs'
import type { ActionLimiter } from '../runtime/action-limiter'
import type { ChildStart, ChildStarter } from '../runtime/child-start'
import type { JournalWriter } from '../runtime/journal'
import type { MachineRunner } from '../runtime/machine-runner'
import type { ResultCache } from '../runtime/result-cache'
import type { ExecutorHost, RunExecutor } from '../runtime/run-executor'
import type { RunInspector } from '../runtime/run-inspector'
import type { RunnableAction } from '../runtime/task-runner'
import type { Clock, WorkflowEvent } from '../types'
import type { EventWaits } from './event-waits'

/** What an engine lends its runs' executors. */
export interface EngineExecutorHostParts {
  readonly journal: JournalWriter
  readonly snapshotEvery: number
  readonly machines: MachineRunner
  readonly clock: Clock
  readonly random: () => number
  readonly actions: ReadonlyMap<string, RunnableAction>
  readonly inspect: RunInspector | undefined
  readonly events: Subject<WorkflowEvent>
  readonly streams: EngineStreams
  readonly capabilities: Capabilities
  readonly limiter: ActionLimiter | undefined
  readonly resultCache?: ResultCache
}

/**
 * The engine's side of every executor it makes: its clock, random source and actions, and where
 * a run's records go once committed (the events stream, the engine's streams, the live runs).
 */
export class EngineExecutorHost implements ExecutorHost {
  readonly journal: JournalWriter
  readonly snapshotEvery: number
  readonly machines: MachineRunner
  readonly inspect: RunInspector | undefined
  readonly capabilities: Capabilities
  readonly limiter: ActionLimiter | undefined
  readonly resultCache: ResultCache | undefined
  readonly #clock: Clock
  readonly #random: () => number
  readonly #actions: ReadonlyMap<string, RunnableAction>
  readonly #events: Subject<WorkflowEvent>
  readonly #streams: EngineStreams
  #runs: LiveRuns | undefined
  #children: ChildLinks | undefined
  #starter: ChildStarter | undefined
  #eventWaits: Pick<EventWaits, 'offerSoon'> | undefined

  constructor(parts: EngineExecutorHostParts) {
    this.journal = parts.journal
    this.snapshotEvery = parts.snapshotEvery
    this.machines = parts.machines
    this.inspect = parts.inspect
    this.capabilities = parts.capabilities
    this.limiter = parts.limiter
    this.resultCache = parts.resultCache
    this.#clock = parts.clock
    this.#random = parts.random
    this.#actions = parts.actions
    this.#events = parts.events
    this.#streams = parts.streams
  }

  /** The live runs are made with this host, so they join it afterwards (before any run exists). */
  attach(runs: LiveRuns): void {
    this.#runs = runs
  }

  /** Child runs join the same way: how they start, and how their ends reach their parents. */
  attachChildren(children: ChildLinks, starter: ChildStarter): void {
    this.#children = children
    this.#starter = starter
  }

  /** Runs that begin waiting for an emitted event are offered the event log. */
  attachEventWaits(eventWaits: Pick<EventWaits, 'offerSoon'>): void {
    this.#eventWaits = eventWaits
  }

  readonly startChild = (start: ChildStart) => this.#starter!(start)

  now(): number {
    return this.#clock.now()
  }
  random(): number {
    return this.#random()
  }
  setTimeout(callback: () => void, ms: number): unknown {
    return this.#clock.setTimeout(callback, ms)
  }
  clearTimeout(handle: unknown): void {
    this.#clock.clearTimeout(handle)
  }
  action(name: string): RunnableAction {
    return this.#actions.get(name)!
  }
  publish(event: WorkflowEvent, run: RunExecutor): void {
    // Subject.next costs a closure per event even with no one to hear it.
    if (this.#events.observed) this.#events.next(event)
    this.#streams.observe(event)
    // Before the live runs see it: the offer keeps a run that only waits now from leaving memory first.
    if (event.type === 'task.waiting' && event.wait?.kind === 'signal' && event.wait.match !== undefined)
      this.#eventWaits?.offerSoon(event.runId)
    this.#runs!.observe(event)
    this.#children?.observe(event, run)
  }
  settled(executor: RunExecutor): void {
    this.#runs!.settled(executor)
  }
  broken(executor: RunExecutor, error: unknown): void {
    this.#runs!.broken(executor, error)
  }
}
