import { EVENT_LOG_TTL_MS, eventKey, openEventWaits } from '../core/event-waits'
import type { RunEvent } from '../core/run-reducer'
import type { EventScope } from '../definition/event-expression'
import { checkWaitMatch, type WaitMatch } from '../definition/wait-match'
import {
  EngineClosedError,
  ExpressionError,
  InvalidStateError,
  NotFoundError,
  StaleExecutorError,
} from '../errors'
import type { EngineScope } from '../host/engine-scope'
import type { LiveRuns } from '../host/live-runs'
import { lockRunWhenFree } from '../host/locks'
import { reportUnhandledError } from '../runtime/report-unhandled-error'
import type { RunExecutor } from '../runtime/run-executor'
import type { EventLogRecord, Store } from '../store/store'
import type { LoggedEvent } from '../types'

/** What delivering emitted events to waiting runs needs of the engine. */
export interface EventWaitsContext {
  store: Store
  scope: EngineScope
  runs: LiveRuns
  now(): number
}

/** The message an engine posts for runs another engine holds: they have an event to look at. */
interface OfferMessage {
  runIds: string[]
}

/**
 * Emitted events for `wait-for-event` tasks with a `match`. `log` appends the event to the
 * store's log (kept 24 h), then offers it to every run whose record says it waits for the type
 * (`listEventWaiters`, an index written with the entries that open and end such waits).
 *
 * An offer to a run reads the log and ends each open wait with the oldest event of its type,
 * emitted within 24 h, that its `match` accepts and that no wait of the run took before: the
 * `task.completed` records the event's key, so it is taken once, and a replay gives the same
 * answer. The same offer runs when a wait begins and when a run is adopted (recovered, woken,
 * taken over), so an event never depends on which of emit and wait came first: if the wait's
 * record was not committed when the emit listed the waiters, the wait's own offer, which comes
 * after that commit, reads the event already logged.
 *
 * A run another engine holds is offered through a `BroadcastChannel` of the database: the
 * engine holding it runs the offer. An event stays `pending` in the log until every waiter was
 * offered it; the leader delivers pending events again (an engine that stopped midway).
 */
export class EventWaits {
  readonly #ctx: EventWaitsContext
  readonly #channel: BroadcastChannel | undefined
  readonly #matches = new Map<string, WaitMatch>()
  readonly #work = new Set<Promise<void>>()
  /** Runs held elsewhere that this engine offers the log again once their lock is free. */
  readonly #waitingFree = new Set<string>()
  /** Offers under way, per run. */
  readonly #offering = new Map<string, number>()
  #emitted: (() => void) | undefined

  constructor(ctx: EventWaitsContext) {
    this.#ctx = ctx
    if (typeof BroadcastChannel !== 'function') return
    const channel = new BroadcastChannel(`spindle:${ctx.store.name}:events`)
    channel.onmessage = (message: MessageEvent<OfferMessage>) => {
      // Also a run not in memory here: it may have left memory (passive) since the message was
      // sent, and then this engine loads it. Held by another engine, the offer here does nothing.
      for (const runId of message.data?.runIds ?? []) this.offerSoon(runId)
    }
    this.#channel = channel
    ctx.scope.signal.addEventListener('abort', () => channel.close(), { once: true })
  }

  /** Whether an offer is under way. */
  get busy(): boolean {
    return this.#work.size > 0
  }

  /** Resolves once no offer is under way. */
  async settled(): Promise<void> {
    while (this.#work.size > 0) await Promise.all(this.#work)
  }

  /**
   * Appends `event` (emitted now; its id is made when it has none) to the log; a failure logged
   * nothing. An id logged already for the type is the same event: it is not logged again, and
   * `offerLogged` makes the offers again (no run takes it twice), which finishes a delivery an
   * earlier emit of it could not.
   */
  async log(event: EventScope): Promise<EventLogRecord> {
    const { scope, store, now } = this.#ctx
    const id = event.id ?? `event-${crypto.randomUUID()}`
    const record: EventLogRecord = {
      key: eventKey(event.type, id),
      type: event.type,
      id,
      data: event.data,
      at: now(),
    }
    await scope.run(() => store.appendEvent(record))
    return record
  }

  /** Offers a logged event to the runs waiting for its type (`deliver`); a failure leaves it pending. */
  async offerLogged(record: EventLogRecord): Promise<void> {
    try {
      await this.deliver(record)
    } finally {
      this.#emitted?.()
    }
  }

  /** `listener` is called after each event this engine logged was delivered (the leader's sweep). */
  afterEmit(listener: () => void): void {
    this.#emitted = listener
  }

  /**
   * Offers the logged event to every run waiting for its type, then marks it delivered. A
   * failure of one run's offer does not keep the others from theirs; it is thrown afterwards,
   * and the event stays pending, for the leader to deliver again.
   */
  async deliver(record: EventLogRecord): Promise<void> {
    const { scope, store } = this.#ctx
    const runIds = await scope.run(() => store.listEventWaiters(record.type))
    const elsewhere: string[] = []
    let failure: unknown
    for (const runId of runIds) {
      try {
        if ((await this.track(this.#offer(runId))) === 'elsewhere') elsewhere.push(runId)
      } catch (error) {
        failure ??= error
      }
    }
    if (elsewhere.length > 0) this.#channel?.postMessage({ runIds: elsewhere } satisfies OfferMessage)
    for (const runId of elsewhere) this.#offerWhenFree(runId)
    if (failure !== undefined) throw failure
    await scope.run(() => store.settleEvent(record.key))
  }

  /** A run began waiting for an emitted event, or was adopted with such a wait: it is offered the log. */
  adopted(executor: RunExecutor): void {
    // An offer loaded it: that offer reads the log once it has the run.
    if (this.#offering.has(executor.runId)) return
    if (openEventWaits(executor.state, executor.wf).length === 0) return
    // After the load that adopted it has settled: the call that loaded the run takes it first
    // (an offer that ended before would let the run leave memory under that call).
    this.track(nextTask().then(() => this.offerSoon(executor.runId)))
  }

  /** Offers the log to the run, in the background; the engine's `idle()` waits for it. */
  offerSoon(runId: string): void {
    this.track(this.#offer(runId)).catch((error: unknown) => {
      // Closing, or the run went to another engine: that one offers the log when it adopts the run.
      if (error instanceof EngineClosedError || error instanceof StaleExecutorError) return
      reportUnhandledError(error)
    })
  }

  /**
   * A run another engine held when it was offered an event: that engine was told, but may stop
   * before it reads the log (a closing tab), and the run may go passive meanwhile, where nobody
   * looks. Once its lock is free, this engine offers it the log once more (no run takes an event
   * twice); held again by then, it waits again. Not part of `idle()`: it waits on another engine.
   */
  #offerWhenFree(runId: string): void {
    const { scope, store } = this.#ctx
    if (this.#waitingFree.has(runId) || scope.closed) return
    this.#waitingFree.add(runId)
    const offer = async () => {
      for (;;) {
        const lock = await lockRunWhenFree(store.name, runId, scope.signal)
        await lock.release()
        if ((await this.#offer(runId)) !== 'elsewhere') return
      }
    }
    offer().then(
      () => this.#waitingFree.delete(runId),
      (error: unknown) => {
        this.#waitingFree.delete(runId)
        // The engine closed while it waited, or the run went to another engine (which adopts it).
        if (scope.closed || error instanceof StaleExecutorError) return
        reportUnhandledError(error)
      },
    )
  }

  /** Keeps `work` (an offer, a delivery) for `settled()` and the engine's `idle()`. */
  track<T>(work: Promise<T>): Promise<T> {
    const settled = work.then(
      () => undefined,
      () => undefined,
    )
    this.#work.add(settled)
    settled.then(() => this.#work.delete(settled))
    return work
  }

  /** The offer to one run; `'elsewhere'` when another engine holds it. */
  async #offer(runId: string): Promise<'elsewhere' | undefined> {
    this.#offering.set(runId, (this.#offering.get(runId) ?? 0) + 1)
    try {
      return await this.#offerNow(runId)
    } finally {
      const left = this.#offering.get(runId)! - 1
      if (left > 0) this.#offering.set(runId, left)
      else this.#offering.delete(runId)
    }
  }

  async #offerNow(runId: string): Promise<'elsewhere' | undefined> {
    const { scope, runs } = this.#ctx
    let executor: RunExecutor
    try {
      executor = await scope.run(() => runs.executing(runId))
    } catch (error) {
      // Held by another engine, or being rolled back (its replay adopts it again, with an offer).
      if (error instanceof InvalidStateError && error.value === runId) return 'elsewhere'
      // Deleted since it was listed: nothing waits any more.
      if (error instanceof NotFoundError) return undefined
      throw error
    }
    try {
      await scope.run(() => this.#take(executor))
    } finally {
      await runs.releaseIfEnded(executor)
    }
    return undefined
  }

  /** Ends each open wait of the run with the oldest logged event it takes (see the class). */
  async #take(executor: RunExecutor): Promise<void> {
    const { scope, store, now } = this.#ctx
    const waits = openEventWaits(executor.state, executor.wf)
    if (waits.length === 0) return
    // Events emitted within the last 24 h: one exactly 24 h old is out, as the sweep sees it.
    const since = now() - EVENT_LOG_TTL_MS + 1
    const logs = new Map<string, EventLogRecord[]>()
    const taken = new Set<string>()
    const { runId, definitionId, input } = executor.record
    const run = { runId, definitionId, input }
    for (const wait of waits) {
      let log = logs.get(wait.type)
      if (!log) {
        log = await store.listEvents(wait.type, since)
        scope.check()
        logs.set(wait.type, log)
      }
      const match = this.#compiled(wait.match)
      for (const { key, type, data, id, at } of log) {
        if (taken.has(key) || executor.state.consumedEvents?.[key] !== undefined) continue
        const event: LoggedEvent = { type, data, id, at }
        if (!matches(match, event, run)) continue
        taken.add(key)
        const completed: RunEvent = {
          type: 'task.completed',
          taskId: wait.taskId,
          attempt: wait.attempt,
          output: event,
          emitted: key,
          at: now(),
        }
        // The run may have moved on while the log was read (a signal ended the wait, another offer).
        if (executor.can(completed)) await executor.send(completed)
        break
      }
    }
  }

  #compiled(source: string): WaitMatch {
    let match = this.#matches.get(source)
    if (!match) {
      const compiled = checkWaitMatch(source)
      // Checked when the workflow was registered: a failure here is a defect, not the caller's.
      if (typeof compiled === 'string')
        throw new ExpressionError(source, `match ${JSON.stringify(source)}: ${compiled}`)
      match = compiled
      this.#matches.set(source, match)
    }
    return match
  }
}

/**
 * Whether `match` accepts the event. One that fails on it (e.g. reads a field the event lacks)
 * does not: the failure is reported, and the wait goes on for another event.
 */
function matches(match: WaitMatch, event: LoggedEvent, run: Parameters<WaitMatch['evaluate']>[1]): boolean {
  try {
    return match.evaluate(event, run) === true
  } catch (error) {
    reportUnhandledError(error)
    return false
  }
}

/** The next turn of the event loop: every promise chain settled now has run by then. */
function nextTask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0))
}
