import { filter, map, Observable, share, shareReplay, takeWhile } from 'rxjs'
import type { RunSnapshot } from '../src/core/run-replica'
import { NotFoundError } from '../src/errors'
import { alertFor } from '../src/core/monitor/alerts'
import { aggregateHealth, computeHealth } from '../src/core/monitor/health'
import { computeProgress } from '../src/core/monitor/progress'
import type { Alert, Health, HealthLevel, Progress, RunInfo, RunStatus, WorkflowEvent } from '../src/types'
import { RunTracker, type TrackedRun } from './run-tracker'

/** What the page monitor asks of the worker. */
export interface MonitorSource {
  events$: Observable<WorkflowEvent>
  runSnapshot(runId: string): Promise<RunSnapshot | undefined>
  listRuns(filter: { status: RunStatus[]; limit?: number }): Promise<RunInfo[]>
}

/** Finished runs that count towards the engine's health, as in the engine itself. */
const RECENT = 50
const ACTIVE: RunStatus[] = ['queued', 'running', 'paused']
const FINISHED: RunStatus[] = ['completed', 'failed', 'cancelled']

const isTerminal = (status: RunStatus) =>
  status === 'completed' || status === 'failed' || status === 'cancelled'

/**
 * `progress$`, `health$` and `alerts$` of an engine in a worker, computed on the page by the
 * same pure functions the engine uses, from page-side replicas of its runs kept current by the
 * one shared `events$` subscription. Time-dependent parts use the page's clock.
 */
export class PageMonitor {
  readonly #source: MonitorSource
  /** Every run's state after each burst of events, for engine health and alerts; one for all subscribers. */
  readonly #engine$: Observable<{ runs: TrackedRun[]; changed: Set<string> }>
  readonly alerts$: Observable<Alert>

  constructor(source: MonitorSource) {
    this.#source = source
    // A late subscriber gets the latest value at once: health$() emits its current value first.
    this.#engine$ = this.#followEngine().pipe(shareReplay({ bufferSize: 1, refCount: true }))
    this.alerts$ = this.#alerts().pipe(share())
  }

  progress$(runId: string): Observable<Progress> {
    return this.#followRun(runId).pipe(map((run) => computeProgress(run.state, run.names, Date.now())))
  }

  health$(runId?: string): Observable<Health> {
    if (runId !== undefined)
      return this.#followRun(runId).pipe(map((run) => computeHealth(run.state, Date.now())))
    return this.#engine$.pipe(map(({ runs }) => engineHealth(runs, Date.now())))
  }

  /** One run: its state first (from a snapshot), then after each burst of its events; completes at its end. */
  #followRun(runId: string): Observable<TrackedRun> {
    return new Observable<TrackedRun>((subscriber) => {
      let dirty = false
      const emit = () => {
        dirty = false
        if (tracker.ready) subscriber.next(tracker)
      }
      const tracker = new RunTracker(
        runId,
        (id) => this.#source.runSnapshot(id),
        () => emit(),
        (error) => subscriber.error(error ?? new NotFoundError(`No run "${runId}".`, { value: runId })),
      )
      const subscription = this.#source.events$.pipe(filter((e) => e.runId === runId)).subscribe({
        next: (event) => {
          if (tracker.push(event) && !dirty) {
            dirty = true
            // Events of one commit arrive in one batch: compute once for all of them.
            queueMicrotask(emit)
          }
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      })
      tracker.load()
      return () => {
        tracker.close()
        subscription.unsubscribe()
      }
    }).pipe(takeWhile((run) => !isTerminal(run.state.status), true))
  }

  /** Active runs and the most recent finished ones, kept current; emits after each burst. */
  #followEngine(): Observable<{ runs: TrackedRun[]; changed: Set<string> }> {
    return new Observable((subscriber) => {
      const trackers = new Map<string, RunTracker>()
      /** Runs listed at the start whose first snapshot has not arrived: the first value waits for them. */
      let waiting: Set<string> | undefined
      let changed = new Set<string>()
      let scheduled = false
      const emit = () => {
        scheduled = false
        if (waiting === undefined || waiting.size > 0) return
        forgetOldest(trackers, RECENT)
        subscriber.next({ runs: [...trackers.values()].filter((t) => t.ready), changed })
        changed = new Set()
      }
      const touched = (runId: string) => {
        changed.add(runId)
        waiting?.delete(runId)
        if (!scheduled) {
          scheduled = true
          queueMicrotask(emit)
        }
      }
      const track = (runId: string) => {
        const tracker = new RunTracker(
          runId,
          (id) => this.#source.runSnapshot(id),
          () => touched(runId),
          () => {
            // A run deleted or unreadable no longer counts towards the engine's health.
            trackers.get(runId)?.close()
            trackers.delete(runId)
            touched(runId)
          },
        )
        trackers.set(runId, tracker)
        tracker.load()
        return tracker
      }
      const subscription = this.#source.events$.subscribe({
        next: (event) => {
          const tracker = trackers.get(event.runId) ?? track(event.runId)
          if (tracker.push(event)) touched(event.runId)
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      })
      Promise.all([
        this.#source.listRuns({ status: ACTIVE }),
        this.#source.listRuns({ status: FINISHED, limit: RECENT }),
      ]).then(
        ([active, finished]) => {
          for (const run of [...finished, ...active]) if (!trackers.has(run.runId)) track(run.runId)
          waiting = new Set([...trackers.values()].filter((t) => !t.ready).map((t) => t.runId))
          scheduled = true
          queueMicrotask(emit)
        },
        (error: unknown) => subscriber.error(error),
      )
      return () => {
        subscription.unsubscribe()
        for (const tracker of trackers.values()) tracker.close()
      }
    })
  }

  /** Raises an alert when a run's health level, or the engine's, gets worse. */
  #alerts(): Observable<Alert> {
    return new Observable<Alert>((subscriber) => {
      const levels = new Map<string | undefined, HealthLevel>()
      const check = (key: string | undefined, health: Health, at: number) => {
        const alert = alertFor(levels.get(key), health, at)
        levels.set(key, health.level)
        if (alert) subscriber.next(key === undefined ? alert : { ...alert, runId: key })
      }
      return this.#engine$.subscribe({
        next: ({ runs, changed }) => {
          const now = Date.now()
          for (const run of runs)
            if (changed.has(run.state.runId)) check(run.state.runId, computeHealth(run.state, now), now)
          check(undefined, engineHealth(runs, now), now)
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      })
    })
  }
}

function engineHealth(runs: readonly TrackedRun[], now: number): Health {
  return aggregateHealth(runs.map((run) => computeHealth(run.state, now)))
}

/** Drops the finished runs beyond the `keep` most recently finished. */
function forgetOldest(trackers: Map<string, RunTracker>, keep: number): void {
  const finished = [...trackers.values()].filter((t) => t.ready && isTerminal(t.state.status))
  if (finished.length <= keep) return
  finished.sort((a, b) => (a.state.endedAt ?? a.state.updatedAt) - (b.state.endedAt ?? b.state.updatedAt))
  for (const tracker of finished.slice(0, finished.length - keep)) {
    tracker.close()
    trackers.delete(tracker.runId)
  }
}
