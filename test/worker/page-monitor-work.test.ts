import { Subject } from 'rxjs'
import type {
  Alert,
  EngineEvent,
  Health,
  Progress,
  RunInfo,
  RunSnapshot,
  WorkflowDefinition,
  WorkflowEvent,
} from 'spindle'
import { expect, it } from 'vitest'
import { clientCounters } from '../../worker/instrumentation'
import { PageMonitor } from '../../worker/page-monitor'
import { runState, taskState } from '../core/monitor/run-state'
import { controllable, def, testEngine } from '../support/engine-fixtures'

/** Lets the microtasks of one burst run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve()
}

it('alerts$ on the page: a burst of one run computes the health of a few runs, not of every run (D16)', async () => {
  const size = 20
  const definition: WorkflowDefinition = {
    schemaVersion: '2.0',
    id: 'wf',
    version: '1.0.0',
    tasks: Object.fromEntries(Array.from({ length: size }, (_, i) => [`t${i}`, { action: 'noop' }])),
  }
  const ids = Array.from({ length: 100 }, (_, i) => `r${i}`)
  const events$ = new Subject<WorkflowEvent>()
  const monitor = new PageMonitor({
    events$,
    runSnapshot: async (runId): Promise<RunSnapshot> => {
      const tasks = Object.fromEntries(Object.keys(definition.tasks).map((id) => [id, taskState()]))
      return { definition, state: runState(tasks, { runId }), seq: 0 }
    },
    listRuns: async ({ status }) => ({
      runs: status.includes('running') ? ids.map((runId) => ({ runId, status: 'running' }) as RunInfo) : [],
    }),
  })
  const alerts: Alert[] = []
  const subscription = monitor.alerts$.subscribe((alert) => alerts.push(alert))
  // Taking stock of the 100 runs at the start costs one health each.
  const start = clientCounters.runHealthsComputed
  await expect.poll(() => clientCounters.runHealthsComputed - start).toBeGreaterThanOrEqual(ids.length)
  await settle()
  const before = clientCounters.runHealthsComputed
  for (let i = 0; i < 20; i++) {
    events$.next({ runId: ids[i]!, seq: 1, at: 0, type: 'task.progress', taskId: 't0', fraction: 0.5 })
    await settle()
  }
  // Each burst: its own run, and at most two others brought up to date in turn.
  expect(clientCounters.runHealthsComputed - before).toBeLessThanOrEqual(20 * 3)
  expect(alerts).toEqual([])
  subscription.unsubscribe()
})

it('health$(runId) and progress$ on the page, followed task by task, end where the engine ends', async () => {
  const gate = controllable()
  let failures = 2
  const { engine, clock } = testEngine({
    actions: {
      gate: gate.handler,
      flaky: () => {
        if (failures-- > 0) throw new Error('not yet')
        return 'ok'
      },
    },
  })
  await engine.register(
    def(
      {
        a: { action: 'gate' },
        b: { action: 'gate' },
        c: { action: 'flaky', dependsOn: ['a'], retry: { maxAttempts: 3, initialDelayMs: 20, backoff: 1 } },
        d: { action: 'noop', dependsOn: ['b', 'c'] },
      },
      { concurrency: 1, expectedDurationMs: 100 },
    ),
  )
  const monitor = new PageMonitor({
    events$: engine.events$,
    runSnapshot: (runId) => engine.runSnapshot(runId),
    listRuns: (filter) => engine.listRuns(filter),
  })
  const run = await engine.start('wf')
  const health: Health[] = []
  const progress: Progress[] = []
  monitor.health$(run.runId).subscribe((h) => health.push(h))
  monitor.progress$(run.runId).subscribe((p) => progress.push(p))
  await engine.idle()
  clock.advance(40)
  gate.calls[0]!.resolve('a')
  await engine.idle()
  clock.advance(30)
  gate.calls[1]!.resolve('b')
  for (let i = 0; i < 3; i++) {
    await engine.idle()
    clock.advance(20)
  }
  const view = await engine.wait(run.runId)
  // The monitor hears of the end through its own channel, after the engine is idle.
  await expect.poll(() => health.at(-1)).toEqual(view.health)
  await expect.poll(() => progress.at(-1)).toEqual(view.progress)
  expect(view.health.parts.errors).toBeCloseTo(100 * (1 - 2 / 6))
})

it('schedule events on events$ count for no run: the page monitor neither tracks nor loads a run for them', async () => {
  const definition: WorkflowDefinition = {
    schemaVersion: '2.0',
    id: 'wf',
    version: '1.0.0',
    tasks: { t0: { action: 'noop' } },
  }
  const events$ = new Subject<EngineEvent>()
  const loaded: string[] = []
  const monitor = new PageMonitor({
    events$,
    runSnapshot: async (runId): Promise<RunSnapshot> => {
      loaded.push(runId)
      return { definition, state: runState({ t0: taskState() }, { runId }), seq: 0 }
    },
    listRuns: async ({ status }) => ({
      runs: status.includes('running') ? [{ runId: 'r1', status: 'running' } as RunInfo] : [],
    }),
  })
  const healths: Health[] = []
  const subscriptions = [
    monitor.alerts$.subscribe(() => undefined),
    monitor.health$('r1').subscribe((h) => healths.push(h)),
  ]
  await expect.poll(() => loaded.length).toBe(2)
  await settle()
  const runId = 'sched:s:3600000'
  events$.next({ type: 'schedule.fired', scheduleId: 's', scheduledAt: 3_600_000, runId, at: 3_600_000 })
  events$.next({
    type: 'schedule.missed',
    scheduleId: 's',
    scheduledAt: 0,
    runId: 'r1',
    at: 1,
    reason: 'paused',
  })
  await settle()
  expect(loaded).toEqual(['r1', 'r1'])
  const seen = healths.length
  events$.next({ runId: 'r1', seq: 1, at: 0, type: 'task.progress', taskId: 't0', fraction: 0.5 })
  await expect.poll(() => healths.length).toBeGreaterThan(seen)
  for (const subscription of subscriptions) subscription.unsubscribe()
})
