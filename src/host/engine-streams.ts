import {
  asapScheduler,
  auditTime,
  concat,
  defer,
  filter,
  finalize,
  from,
  map,
  type Observable,
  of,
  Subject,
  switchMap,
  takeWhile,
  tap,
} from 'rxjs'
import { alertFor } from '../core/monitor/alerts'
import { HealthTally } from '../core/monitor/health-tally'
import { HealthTracker } from '../core/monitor/health-tracker'
import { ProgressTracker } from '../core/monitor/progress-tracker'
import { EngineClosedError, NotFoundError } from '../errors'
import { isTerminalStatus, type RunExecutor } from '../runtime/run-executor'
import { taskNames } from '../runtime/run-view'
import type { Alert, Clock, Health, HealthLevel, Progress, RunView, WorkflowEvent } from '../types'
import { EndWaiters } from './end-waiters'

/** Finished runs kept in memory for views, streams and engine health. */
const RECENT = 50
/** Runs without events of their own whose health is brought up to date per burst, in turn. */
const REFRESH_PER_BURST = 2

interface StreamsSource {
  events: Subject<WorkflowEvent>
  alerts: Subject<Alert>
  now(): number
  live(): Iterable<RunExecutor>
  liveRun(runId: string): RunExecutor | undefined
  view(runId: string): Promise<RunView | undefined>
}

/**
 * The engine's derived streams: progress and health of a run or of the engine, alerts when a
 * health level worsens, and waiting for a run to end. All are pure functions of run state,
 * recomputed at most once per burst of events (events of one commit arrive together), and a
 * burst costs work on the tasks it changed, not on every task of every run: progress and health
 * are followed task by task, and engine health is a running tally of the runs' healths, each
 * brought up to date by the run's own events (and, for runs without events, a few per burst in
 * turn).
 */
export class EngineStreams {
  readonly #src: StreamsSource
  readonly #recent = new Map<string, RunExecutor>()
  readonly #levels = new Map<string | undefined, HealthLevel>()
  readonly #tally = new HealthTally()
  /** Per run in the tally: its health followed task by task. */
  readonly #healthTrackers = new Map<string, HealthTracker>()
  /** Whether the tally holds every live and recent run (false while nobody listens). */
  #tallied = false
  readonly #engineHealth = new Subject<Health>()
  #engineHealthListeners = 0
  readonly #dirty = new Set<string>()
  #flushQueued = false
  readonly #endWaiters = new EndWaiters()

  constructor(source: StreamsSource) {
    this.#src = source
  }

  /** A settled run: kept for a while so views and streams need not reload it. */
  remember(executor: RunExecutor): void {
    this.#recent.delete(executor.runId)
    this.#recent.set(executor.runId, executor)
    if (this.#recent.size > RECENT) {
      const oldest = this.#recent.keys().next().value!
      this.#recent.delete(oldest)
      this.#levels.delete(oldest)
      if (!this.#src.liveRun(oldest)) {
        this.#tally.delete(oldest)
        this.#healthTrackers.delete(oldest)
      }
    }
  }

  recent(runId: string): RunExecutor | undefined {
    return this.#recent.get(runId)
  }

  forget(runId: string): void {
    this.#recent.delete(runId)
  }

  /** Called for every published event: keeps health and alerts current when someone listens. */
  observe(event: WorkflowEvent): void {
    this.#endWaiters.observe(event)
    if (!this.#src.alerts.observed && this.#engineHealthListeners === 0) {
      // Nobody follows engine health: the tally goes stale and is taken again when needed.
      this.#tallied = false
      return
    }
    this.#healthTrackers.get(event.runId)?.note(event)
    this.#dirty.add(event.runId)
    if (this.#flushQueued) return
    this.#flushQueued = true
    queueMicrotask(() => this.#flush())
  }

  progress$(runId: string): Observable<Progress> {
    return defer(() => {
      let tracker: ProgressTracker | undefined
      return this.#follow(
        runId,
        (view) => view.progress,
        (executor, now) => {
          tracker ??= new ProgressTracker(taskNames(executor.wf))
          return tracker.progress(executor.state, now)
        },
        (event) => tracker?.note(event),
      )
    })
  }

  health$(runId?: string): Observable<Health> {
    if (runId !== undefined) {
      return defer(() => {
        let tracker: HealthTracker | undefined
        return this.#follow(
          runId,
          (view) => view.health,
          (executor, now) => {
            tracker ??= healthTrackerOf(executor)
            return tracker.health(executor.state, now)
          },
          (event) => tracker?.note(event),
        )
      })
    }
    return defer(() => {
      this.#engineHealthListeners += 1
      if (!this.#tallied) this.#takeStock(this.#src.now())
      return concat(of(this.#tally.health()), this.#engineHealth)
    }).pipe(
      finalize(() => {
        this.#engineHealthListeners -= 1
      }),
    )
  }

  waitForEnd(
    runId: string,
    timeoutMs: number | undefined,
    clock: Clock,
    timeoutError: (ms: number) => Error,
  ): Promise<RunView> {
    return new Promise((resolve, reject) => {
      let timer: unknown
      let done = false
      let stopWaiting: (() => void) | undefined
      const finish = (view: Promise<RunView | undefined>) => {
        if (done) return
        done = true
        stopWaiting?.()
        if (timer !== undefined) clock.clearTimeout(timer)
        view.then(
          (v) => (v ? resolve(v) : reject(new NotFoundError(`No run "${runId}".`, { value: runId }))),
          reject,
        )
      }
      if (this.#endWaiters.closed) {
        // A closed engine's run will not end in it.
        finish(Promise.reject(new EngineClosedError()))
        return
      }
      stopWaiting = this.#endWaiters.add(runId, {
        ended: () => finish(this.#src.view(runId)),
        closed: () => finish(Promise.reject(new EngineClosedError())),
      })
      const known = this.#find(runId)
      if (known) {
        // A live run: its status is at hand; build the full view only once, at the end.
        if (isTerminalStatus(known.state.status)) finish(this.#src.view(runId))
      } else {
        this.#src.view(runId).then((view) => {
          if (view && isTerminalStatus(view.status)) finish(Promise.resolve(view))
        }, reject)
      }
      if (timeoutMs !== undefined && !done) {
        timer = clock.setTimeout(() => {
          if (done) return
          done = true
          stopWaiting?.()
          reject(timeoutError(timeoutMs))
        }, timeoutMs)
      }
    })
  }

  close(): void {
    this.#endWaiters.close()
    this.#recent.clear()
    this.#engineHealth.complete()
  }

  #find(runId: string): RunExecutor | undefined {
    return this.#src.liveRun(runId) ?? this.#recent.get(runId)
  }

  #follow<T>(
    runId: string,
    first: (view: RunView) => T,
    next: (executor: RunExecutor, now: number) => T,
    note?: (event: WorkflowEvent) => void,
  ): Observable<T> {
    return defer(() => from(this.#src.view(runId))).pipe(
      switchMap((view) => {
        if (!view) throw new NotFoundError(`No run "${runId}".`, { value: runId })
        const initial = of({ value: first(view), end: isTerminalStatus(view.status) })
        if (isTerminalStatus(view.status)) return initial
        const updates = this.#src.events.pipe(
          filter((e) => e.runId === runId),
          tap((e) => note?.(e)),
          auditTime(0, asapScheduler),
          map(() => {
            const executor = this.#find(runId)
            return executor
              ? { value: next(executor, this.#src.now()), end: isTerminalStatus(executor.state.status) }
              : undefined
          }),
          filter((update) => update !== undefined),
        )
        return concat(initial, updates)
      }),
      takeWhile((update) => !update.end, true),
      map((update) => update.value),
    )
  }

  /** One burst: the runs with events, a few others in turn, then the engine. */
  #flush(): void {
    this.#flushQueued = false
    const now = this.#src.now()
    if (!this.#tallied) this.#takeStock(now)
    const alerting = this.#src.alerts.observed
    for (const runId of this.#dirty) {
      const health = this.#healthOf(runId, now)
      if (!health) {
        this.#tally.delete(runId)
        continue
      }
      this.#tally.set(runId, health)
      if (alerting) this.#check(runId, health)
    }
    this.#tally.refreshInTurn(REFRESH_PER_BURST, (runId) => this.#healthOf(runId, now), this.#dirty)
    this.#dirty.clear()
    const engine = this.#tally.health()
    if (alerting) this.#check(undefined, engine)
    if (this.#engineHealthListeners > 0) this.#engineHealth.next(engine)
  }

  /** Health of every live and recent run: once, when someone starts to listen. */
  #takeStock(now: number): void {
    this.#tally.clear()
    this.#healthTrackers.clear()
    const runIds = new Set([...this.#src.live()].map((executor) => executor.runId))
    for (const runId of this.#recent.keys()) runIds.add(runId)
    for (const runId of runIds) this.#tally.set(runId, this.#healthOf(runId, now)!)
    this.#tallied = true
  }

  /** A run's health now, through its tracker; undefined (and the tracker dropped) when it is gone. */
  #healthOf(runId: string, now: number): Health | undefined {
    const executor = this.#find(runId)
    if (!executor) {
      this.#healthTrackers.delete(runId)
      return undefined
    }
    let tracker = this.#healthTrackers.get(runId)
    if (!tracker) {
      tracker = healthTrackerOf(executor)
      this.#healthTrackers.set(runId, tracker)
    }
    return tracker.health(executor.state, now)
  }

  #check(runId: string | undefined, health: Health): void {
    const alert = alertFor(this.#levels.get(runId), health, this.#src.now())
    this.#levels.set(runId, health.level)
    if (alert) this.#src.alerts.next(runId === undefined ? alert : { ...alert, runId })
  }
}

function healthTrackerOf(executor: RunExecutor): HealthTracker {
  const { tasks } = executor.wf
  return new HealthTracker((taskId) => tasks.get(taskId)?.children ?? [])
}
