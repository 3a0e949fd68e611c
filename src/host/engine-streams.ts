import {
  asapScheduler,
  auditTime,
  concat,
  defer,
  filter,
  from,
  map,
  type Observable,
  of,
  type Subject,
  switchMap,
  takeWhile,
} from 'rxjs'
import { NotFoundError } from '../errors'
import { alertFor } from '../core/monitor/alerts'
import { aggregateHealth, computeHealth } from '../core/monitor/health'
import { computeProgress } from '../core/monitor/progress'
import type { Alert, Clock, Health, HealthLevel, Progress, RunView, WorkflowEvent } from '../types'
import { isTerminalStatus, type RunExecutor } from '../runtime/run-executor'
import { taskNames } from '../runtime/run-view'

/** Finished runs kept in memory for views, streams and engine health. */
const RECENT = 50

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
 * recomputed at most once per burst of events (events of one commit arrive together).
 */
export class EngineStreams {
  readonly #src: StreamsSource
  readonly #recent = new Map<string, RunExecutor>()
  readonly #levels = new Map<string | undefined, HealthLevel>()
  #alertQueued = new Set<string>()

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
    }
  }

  recent(runId: string): RunExecutor | undefined {
    return this.#recent.get(runId)
  }

  forget(runId: string): void {
    this.#recent.delete(runId)
  }

  /** Called for every published event: checks health levels when someone listens for alerts. */
  observe(event: WorkflowEvent): void {
    if (!this.#src.alerts.observed || this.#alertQueued.has(event.runId)) return
    this.#alertQueued.add(event.runId)
    queueMicrotask(() => {
      this.#alertQueued.delete(event.runId)
      const executor = this.#find(event.runId)
      if (executor) this.#check(event.runId, computeHealth(executor.state, this.#src.now()))
      this.#check(undefined, this.#engineHealth())
    })
  }

  progress$(runId: string): Observable<Progress> {
    return this.#follow(
      runId,
      (view) => view.progress,
      (executor, now) => computeProgress(executor.state, taskNames(executor.wf), now),
    )
  }

  health$(runId?: string): Observable<Health> {
    if (runId !== undefined) {
      return this.#follow(
        runId,
        (view) => view.health,
        (executor, now) => computeHealth(executor.state, now),
      )
    }
    return concat(
      defer(() => of(this.#engineHealth())),
      this.#src.events.pipe(
        auditTime(0, asapScheduler),
        map(() => this.#engineHealth()),
      ),
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
      const finish = (view: Promise<RunView | undefined>) => {
        if (done) return
        done = true
        subscription.unsubscribe()
        if (timer !== undefined) clock.clearTimeout(timer)
        view.then(
          (v) => (v ? resolve(v) : reject(new NotFoundError(`No run "${runId}".`, { value: runId }))),
          reject,
        )
      }
      const subscription = this.#src.events
        .pipe(filter((e) => e.runId === runId && isEnd(e)))
        .subscribe(() => finish(this.#src.view(runId)))
      const known = this.#find(runId)
      if (known) {
        // A live run: its status is at hand; build the full view only once, at the end.
        if (isTerminalStatus(known.state.status)) finish(this.#src.view(runId))
      } else {
        this.#src.view(runId).then((view) => {
          if (view && isTerminalStatus(view.status)) finish(Promise.resolve(view))
        }, reject)
      }
      if (timeoutMs !== undefined) {
        timer = clock.setTimeout(() => {
          if (done) return
          done = true
          subscription.unsubscribe()
          reject(timeoutError(timeoutMs))
        }, timeoutMs)
      }
    })
  }

  close(): void {
    this.#recent.clear()
  }

  #find(runId: string): RunExecutor | undefined {
    return this.#src.liveRun(runId) ?? this.#recent.get(runId)
  }

  #follow<T>(
    runId: string,
    first: (view: RunView) => T,
    next: (executor: RunExecutor, now: number) => T,
  ): Observable<T> {
    return defer(() => from(this.#src.view(runId))).pipe(
      switchMap((view) => {
        if (!view) throw new NotFoundError(`No run "${runId}".`, { value: runId })
        const initial = of({ value: first(view), end: isTerminalStatus(view.status) })
        if (isTerminalStatus(view.status)) return initial
        const updates = this.#src.events.pipe(
          filter((e) => e.runId === runId),
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

  #engineHealth(): Health {
    const now = this.#src.now()
    const healths: Health[] = []
    for (const executor of this.#src.live()) healths.push(computeHealth(executor.state, now))
    for (const executor of this.#recent.values()) healths.push(computeHealth(executor.state, now))
    return aggregateHealth(healths)
  }

  #check(runId: string | undefined, health: Health): void {
    const alert = alertFor(this.#levels.get(runId), health, this.#src.now())
    this.#levels.set(runId, health.level)
    if (alert) this.#src.alerts.next(runId === undefined ? alert : { ...alert, runId })
  }
}

function isEnd(event: WorkflowEvent): boolean {
  return (
    event.type === 'workflow.completed' ||
    event.type === 'workflow.failed' ||
    event.type === 'workflow.cancelled'
  )
}
