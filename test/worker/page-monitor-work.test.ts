import { Subject } from 'rxjs'
import type { Alert, RunInfo, RunSnapshot, WorkflowDefinition, WorkflowEvent } from 'spindle'
import { expect, it } from 'vitest'
import { clientCounters } from '../../worker/instrumentation'
import { PageMonitor } from '../../worker/page-monitor'
import { runState, taskState } from '../monitor/run-state'

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
