import { Subject } from 'rxjs'
import { describe, expect, it } from 'vitest'
import { computeHealth } from '../../src/core/monitor/health'
import { computeProgress } from '../../src/core/monitor/progress'
import { EngineStreams } from '../../src/host/engine-streams'
import type { RunExecutor } from '../../src/runtime/run-executor'
import type { Alert, Health, Progress, RunState, RunView, TaskState, WorkflowEvent } from '../../src/types'
import { runState, taskState } from '../core/monitor/run-state'

/*
 * The work the derived streams do per burst of events, counted as task lookups in the runs'
 * task tables (not timed): it must grow with what changed, not with every task of every run.
 */

/** Counts every task looked up in the task tables of the runs made with `run()`. */
function workCounter() {
  let lookups = 0
  return {
    get lookups() {
      return lookups
    },
    reset() {
      lookups = 0
    },
    /** A fake live run of `size` tasks (t0 → t1 → … a chain), whose task lookups are counted. */
    run(runId: string, size: number, fields: Partial<RunState> = {}): RunExecutor {
      const tasks: Record<string, TaskState> = {}
      for (let i = 0; i < size; i++) tasks[`t${i}`] = taskState({ deps: i === 0 ? 0 : 1 })
      const state = runState(
        new Proxy(tasks, {
          get(target, key, receiver) {
            if (typeof key === 'string') lookups++
            return Reflect.get(target, key, receiver)
          },
        }),
        { runId, startedAt: 0, expectedDurationMs: 1000, ...fields },
      )
      const children = new Map(Object.keys(tasks).map((id, i) => [id, i + 1 < size ? [`t${i + 1}`] : []]))
      const wf = {
        tasks: new Map([...children].map(([id, next]) => [id, { id, name: undefined, children: next }])),
        order: Object.keys(tasks),
      }
      return { runId, state, wf } as unknown as RunExecutor
    },
  }
}

function streamsOf(runs: RunExecutor[], now: () => number) {
  const events = new Subject<WorkflowEvent>()
  const alerts = new Subject<Alert>()
  const byId = new Map(runs.map((run) => [run.runId, run]))
  const streams = new EngineStreams({
    events,
    alerts,
    now,
    live: () => byId.values(),
    liveRun: (runId) => byId.get(runId),
    view: async (runId) => {
      const run = byId.get(runId)
      if (!run) return undefined
      const { state } = run
      return {
        runId,
        status: state.status,
        progress: computeProgress(state, new Map(), now()),
        health: computeHealth(state, now()),
      } as unknown as RunView
    },
  })
  /** Publishes events of one commit, as the engine does: each one to `events$`, then observed. */
  const publish = (...batch: WorkflowEvent[]) => {
    for (const event of batch) {
      events.next(event)
      streams.observe(event)
    }
  }
  return { streams, alerts, publish }
}

/** Lets the microtasks of one burst run (RxJS's asap scheduler and the queued health checks). */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve()
}

let seq = 0
const event = (runId: string, type: string, fields: Record<string, unknown> = {}) =>
  ({ runId, seq: ++seq, at: 0, type, ...fields }) as WorkflowEvent

describe('work per burst of the derived streams', () => {
  it('alerts$: an event of one run costs work on that run, not on every task of every live run (D16)', async () => {
    const work = workCounter()
    const runs = Array.from({ length: 200 }, (_, i) => work.run(`r${i}`, 100))
    const { alerts, publish } = streamsOf(runs, () => 500)
    const seen: Alert[] = []
    alerts.subscribe((alert) => seen.push(alert))
    // The first burst may take stock of every run once.
    publish(event('r0', 'task.started', { taskId: 't0', attempt: 1 }))
    await settle()
    work.reset()
    for (let i = 1; i < 50; i++) {
      const run = runs[i]!
      run.state.tasks.t0!.status = 'running'
      run.state.tasks.t0!.attempts = 1
      publish(event(run.runId, 'task.started', { taskId: 't0', attempt: 1 }))
      await settle()
    }
    // 49 bursts; each may look at its own run and a few others (100 tasks each), never at all
    // 20,000 tasks.
    expect(work.lookups).toBeLessThanOrEqual(49 * 4 * 100)
  })

  it('alerts$ still sees runs worsen, and the engine with them', async () => {
    const work = workCounter()
    const runs = Array.from({ length: 3 }, (_, i) => work.run(`r${i}`, 4))
    let now = 500
    const { alerts, publish } = streamsOf(runs, () => now)
    const seen: Alert[] = []
    alerts.subscribe((alert) => seen.push(alert))
    publish(...runs.map((run) => event(run.runId, 'workflow.started')))
    await settle()
    expect(seen).toEqual([])
    // Past three times the expected duration, with every attempt failed: critical.
    now = 3000
    for (const run of runs) Object.assign(run.state.tasks.t0!, { attempts: 2, failedAttempts: 2 })
    publish(...runs.map((run) => event(run.runId, 'task.failed', { taskId: 't0', attempt: 2 })))
    await settle()
    expect(seen.map((a) => `${a.runId ?? 'engine'} ${a.level}`).sort()).toEqual([
      'engine critical',
      'r0 critical',
      'r1 critical',
      'r2 critical',
    ])
  })

  it('progress$: following a 10,000-task chain costs work per changed task, not per task (S7)', async () => {
    const work = workCounter()
    const run = work.run('big', 10_000)
    const { streams, publish } = streamsOf([run], () => 0)
    const values: Progress[] = []
    streams.progress$('big').subscribe((p) => values.push(p))
    await settle()
    work.reset()
    const tasks = run.state.tasks
    const steps = 1000
    for (let i = 0; i < steps; i++) {
      const id = `t${i}`
      tasks[id]!.status = 'running'
      tasks[id]!.attempts = 1
      tasks[id]!.startedAt = 0
      publish(event('big', 'task.started', { taskId: id, attempt: 1 }))
      await settle()
      tasks[id]!.status = 'completed'
      run.state.remaining -= 1
      publish(event('big', 'task.completed', { taskId: id, attempt: 1 }))
      await settle()
    }
    expect(values).toHaveLength(1 + 2 * steps)
    // A few lookups per changed task; recomputing the whole list would cost 10,000 per update.
    expect(work.lookups).toBeLessThanOrEqual(2 * steps * 8)
    const expected = computeProgress(run.state, new Map(), 0)
    expect(values.at(-1)).toEqual(expected)
    expect(values.at(-1)).toMatchObject({ completed: steps, total: 10_000, percent: 10 })
    // Values already emitted are not changed by later updates.
    expect(values[1]!.tasks[0]).toEqual({ id: 't0', status: 'running', attempts: 1, durationMs: 0 })
    expect(values[1]!.completed).toBe(0)
  })
  it('alerts$ and health$(runId): following a 10,000-task chain costs work per changed task, not per task', async () => {
    const work = workCounter()
    const run = work.run('big', 10_000)
    let now = 0
    const { streams, alerts, publish } = streamsOf([run], () => now)
    const seen: Alert[] = []
    alerts.subscribe((alert) => seen.push(alert))
    const values: Health[] = []
    streams.health$('big').subscribe((h) => values.push(h))
    publish(event('big', 'workflow.started'))
    await settle()
    work.reset()
    const tasks = run.state.tasks
    const steps = 1000
    for (let i = 0; i < steps; i++) {
      const id = `t${i}`
      now += 10
      Object.assign(tasks[id]!, { status: 'running', attempts: 1, startedAt: now, readyAt: undefined })
      publish(event('big', 'task.started', { taskId: id, attempt: 1 }))
      await settle()
      now += 10
      Object.assign(tasks[id]!, { status: 'completed', runMs: 10, endedAt: now })
      // Its dependent becomes ready: its wait for a slot starts now.
      if (i + 1 < 10_000) tasks[`t${i + 1}`]!.readyAt = now
      run.state.remaining -= 1
      publish(event('big', 'task.completed', { taskId: id, attempt: 1 }))
      await settle()
    }
    expect(values).toHaveLength(1 + 2 * steps)
    // Two followers (alerts and health$), a few lookups per changed task each.
    expect(work.lookups).toBeLessThanOrEqual(2 * steps * 2 * 8)
    now += 5
    const expected = computeHealth(run.state, now)
    publish(event('big', 'task.log', { taskId: `t${steps}`, message: '' }))
    await settle()
    expect(values.at(-1)).toEqual(expected)
    expect(expected.parts.efficiency).toBeLessThan(100)
  })
})
