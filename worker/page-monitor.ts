import { defer, filter, map, merge, Observable, share, shareReplay, takeWhile } from 'rxjs'
import { alertFor } from '../src/core/monitor/alerts'
import { HealthTally } from '../src/core/monitor/health-tally'
import { HealthTracker } from '../src/core/monitor/health-tracker'
import { ProgressTracker } from '../src/core/monitor/progress-tracker'
import { isQuotaPause, StorageAlerts } from '../src/core/monitor/storage-alerts'
import type { RunSnapshot } from '../src/core/run-replica'
import { NotFoundError } from '../src/errors'
import {
  type Alert,
  type EngineEvent,
  type Health,
  type HealthLevel,
  isRunEvent,
  type Progress,
  type RunInfo,
  type RunPage,
  type RunStatus,
  type WorkflowEvent,
} from '../src/types'
import { clientCounters } from './client-counters'
import { RunTracker, type TrackedRun } from './run-tracker'

/** What the page monitor asks of the worker. */
export interface MonitorSource {
  /** The engine's `events$`: schedule events among them count for no run. */
  events$: Observable<EngineEvent>
  runSnapshot(runId: string): Promise<RunSnapshot | undefined>
  listRuns(filter: { status: RunStatus[]; limit?: number; cursor?: string }): Promise<RunPage>
}

/** Finished runs that count towards the engine's health, as in the engine itself. */
const RECENT = 50
const ACTIVE: RunStatus[] = ['queued', 'running', 'paused']
const FINISHED: RunStatus[] = ['completed', 'failed', 'cancelled']
/** Runs without events of their own whose health is brought up to date per burst, in turn. */
const REFRESH_PER_BURST = 2

/** What the engine follower emits after a burst of events. */
interface EngineBurst {
  engine: Health
  /** Health of the runs the burst changed. */
  runs: Map<string, Health>
  at: number
}

const isTerminal = (status: RunStatus) =>
  status === 'completed' || status === 'failed' || status === 'cancelled'

/**
 * `progress$`, `health$` and `alerts$` of an engine in a worker, computed on the page by the
 * same pure functions the engine uses, from page-side replicas of its runs kept current by the
 * one shared `events$` subscription. Time-dependent parts use the page's clock.
 */
export class PageMonitor {
  readonly #source: MonitorSource
  /** After each burst of events: engine health and the health of the runs it changed; one for all subscribers. */
  readonly #engine$: Observable<EngineBurst>
  readonly alerts$: Observable<Alert>

  constructor(source: MonitorSource) {
    this.#source = source
    // A late subscriber gets the latest value at once: health$() emits its current value first.
    this.#engine$ = this.#followEngine().pipe(shareReplay({ bufferSize: 1, refCount: true }))
    this.alerts$ = merge(this.#alerts(), this.#storageAlerts()).pipe(share())
  }

  progress$(runId: string): Observable<Progress> {
    return defer(() => {
      // Follows the run task by task: recomputing every row per burst makes a long run O(n²).
      let progress: ProgressTracker | undefined
      return this.#followRun(runId, {
        applied: (event) => progress?.note(event),
        reloaded: () => progress?.invalidate(),
      }).pipe(
        map((run) => {
          progress ??= new ProgressTracker(run.names)
          return progress.progress(run.state, Date.now())
        }),
      )
    })
  }

  health$(runId?: string): Observable<Health> {
    if (runId !== undefined) {
      return defer(() => {
        let health: HealthTracker | undefined
        return this.#followRun(runId, {
          applied: (event) => health?.note(event),
          reloaded: () => health?.invalidate(),
        }).pipe(
          map((run) => {
            health ??= new HealthTracker((taskId) => run.children(taskId))
            return health.health(run.state, Date.now())
          }),
        )
      })
    }
    return this.#engine$.pipe(map(({ engine }) => engine))
  }

  /**
   * One run: its state first (from a snapshot), then after each burst of its events; completes at
   * its end. `changes` hears of each event applied, and of each snapshot loaded (the first, or
   * again after a gap).
   */
  #followRun(
    runId: string,
    changes?: { applied(event: WorkflowEvent): void; reloaded(): void },
  ): Observable<TrackedRun> {
    return new Observable<TrackedRun>((subscriber) => {
      let dirty = false
      const emit = () => {
        dirty = false
        if (tracker.ready) subscriber.next(tracker)
      }
      const tracker = new RunTracker(
        runId,
        (id) => this.#source.runSnapshot(id),
        () => {
          changes?.reloaded()
          emit()
        },
        (error) => subscriber.error(error ?? new NotFoundError(`No run "${runId}".`, { value: runId })),
      )
      const subscription = this.#source.events$
        .pipe(filter((e): e is WorkflowEvent => isRunEvent(e) && e.runId === runId))
        .subscribe({
          next: (event) => {
            if (!tracker.push(event)) return
            changes?.applied(event)
            if (!dirty) {
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

  /**
   * Active runs and the most recent finished ones, kept current; emits after each burst. A burst
   * costs work on the runs it changed (and a few others in turn), not on every run: engine health
   * is a running tally of the runs' healths.
   */
  #followEngine(): Observable<EngineBurst> {
    return new Observable((subscriber) => {
      const trackers = new Map<string, RunTracker>()
      const tally = new HealthTally()
      /** Each tallied run's health, followed task by task. */
      const healths = new Map<string, HealthTracker>()
      /** Runs listed at the start whose first snapshot has not arrived: the first value waits for them. */
      let waiting: Set<string> | undefined
      let changed = new Set<string>()
      let scheduled = false
      const emit = () => {
        scheduled = false
        if (waiting === undefined || waiting.size > 0) return
        for (const runId of forgetOldest(trackers, RECENT)) {
          tally.delete(runId)
          healths.delete(runId)
        }
        const now = Date.now()
        const healthNow = (runId: string) => {
          const tracker = trackers.get(runId)
          if (!tracker?.ready) {
            healths.delete(runId)
            return undefined
          }
          clientCounters.runHealthsComputed += 1
          let health = healths.get(runId)
          if (!health) {
            health = new HealthTracker((taskId) => tracker.children(taskId))
            healths.set(runId, health)
          }
          return health.health(tracker.state, now)
        }
        const runs = new Map<string, Health>()
        for (const runId of changed) {
          const health = healthNow(runId)
          if (health) {
            tally.set(runId, health)
            runs.set(runId, health)
          } else tally.delete(runId)
        }
        tally.refreshInTurn(REFRESH_PER_BURST, healthNow, changed)
        subscriber.next({ engine: tally.health(), runs, at: now })
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
      const subscription = this.#source.events$.pipe(filter(isRunEvent)).subscribe({
        next: (event) => {
          const tracker = trackers.get(event.runId) ?? track(event.runId)
          if (!tracker.push(event)) return
          healths.get(event.runId)?.note(event)
          touched(event.runId)
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      })
      Promise.all([
        everyRun(this.#source, ACTIVE),
        this.#source.listRuns({ status: FINISHED, limit: RECENT }).then((page) => page.runs),
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

  /**
   * The worker engine's storage alerts, from what it publishes: a run paused for quota, then a
   * resume or a start that committed. A start the engine refused publishes nothing.
   */
  #storageAlerts(): Observable<Alert> {
    return defer(() => {
      const watch = new StorageAlerts()
      return this.#source.events$.pipe(
        map((event) =>
          isQuotaPause(event) ? watch.quotaFailed(event.at) : watch.written([event], event.at),
        ),
        filter((alert): alert is Alert => alert !== undefined),
      )
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
        next: ({ engine, runs, at }) => {
          for (const [runId, health] of runs) check(runId, health, at)
          check(undefined, engine, at)
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      })
    })
  }
}

/** Every run with one of `status`, page after page. */
async function everyRun(source: MonitorSource, status: RunStatus[]): Promise<RunInfo[]> {
  const runs: RunInfo[] = []
  let cursor: string | undefined
  do {
    const page = await source.listRuns({ status, ...(cursor !== undefined && { cursor }) })
    runs.push(...page.runs)
    cursor = page.next
  } while (cursor !== undefined)
  return runs
}

/** Drops the finished runs beyond the `keep` most recently finished; returns their ids. */
function forgetOldest(trackers: Map<string, RunTracker>, keep: number): string[] {
  const finished = [...trackers.values()].filter((t) => t.ready && isTerminal(t.state.status))
  if (finished.length <= keep) return []
  finished.sort((a, b) => (a.state.endedAt ?? a.state.updatedAt) - (b.state.endedAt ?? b.state.updatedAt))
  const dropped = finished.slice(0, finished.length - keep)
  for (const tracker of dropped) {
    tracker.close()
    trackers.delete(tracker.runId)
  }
  return dropped.map((tracker) => tracker.runId)
}
