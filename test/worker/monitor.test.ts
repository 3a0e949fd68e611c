import { filter, firstValueFrom, toArray } from 'rxjs'
import {
  type Alert,
  createEngine,
  type Engine,
  type Health,
  isRunEvent,
  memoryStore,
  NotFoundError,
  type Progress,
  type RunSnapshot,
  type WorkflowDefinition,
  type WorkflowEvent,
} from 'spindle'
import { describe, expect, it } from 'vitest'
import { workerStats } from '../../worker/instrumentation'
import { RunTracker } from '../../worker/run-tracker'
import { connectedWorkers } from './engine-worker'

const connect = connectedWorkers()

/**
 * `first` completes, `gate` waits for the signal `go`; then three tasks fail and the run continues
 * past them: 2 of 5 tasks succeed, 3 of 5 attempts fail, so health falls to `warning`.
 */
const gated: WorkflowDefinition = {
  schemaVersion: '2.0',
  id: 'gated',
  version: '1.0.0',
  defaults: { retry: { maxAttempts: 1 } },
  tasks: {
    first: { action: 'record' },
    gate: { action: 'wait-for-event', dependsOn: ['first'], params: { event: 'go' } },
    x: { action: 'fail', dependsOn: ['gate'], params: { message: 'x' }, onError: 'continue' },
    y: { action: 'fail', dependsOn: ['gate'], params: { message: 'y' }, onError: 'continue' },
    z: { action: 'fail', dependsOn: ['gate'], params: { message: 'z' }, onError: 'continue' },
  },
}

/** Starts a gated run and resolves once its gate waits and the page has seen that. */
async function startGated(engine: Engine): Promise<string> {
  await engine.register(gated)
  const waiting = firstValueFrom(
    engine.events$.pipe(
      filter(isRunEvent),
      filter((e) => e.type === 'task.waiting'),
    ),
  )
  await workerStats(engine)
  const run = await engine.start('gated')
  await waiting
  return run.runId
}

/** Progress without the running tasks' durations, which depend on when they are computed. */
const settled = (p: Progress) => ({ ...p, tasks: p.tasks.map(({ durationMs: _, ...t }) => t) })

describe('progress$ and health$ on the page', () => {
  it('emit the current value first, then follow the run to its end, on the shared event subscription', async () => {
    const engine = connect()
    const runId = await startGated(engine)
    const progress: Progress[] = []
    const health: Health[] = []
    const progressDone = new Promise<void>((resolve, reject) =>
      engine.progress$(runId).subscribe({ next: (p) => progress.push(p), complete: resolve, error: reject }),
    )
    const healthDone = new Promise<void>((resolve, reject) =>
      engine.health$(runId).subscribe({ next: (h) => health.push(h), complete: resolve, error: reject }),
    )
    await expect.poll(() => progress.length).toBeGreaterThan(0)
    expect(progress[0]).toMatchObject({ runId, status: 'running', completed: 1, total: 5, percent: 20 })
    expect(settled(progress[0]!)).toEqual(settled((await engine.getRun(runId))!.progress))
    expect((await workerStats(engine)).subscriptions).toBe(1)

    await engine.signal(runId, 'go', 'open')
    const view = await engine.wait(runId, { timeoutMs: 5000 })
    await Promise.all([progressDone, healthDone])
    expect(progress.at(-1)).toEqual(view.progress)
    expect(progress.at(-1)).toMatchObject({ status: 'completed', completed: 5, percent: 100 })
    expect(health[0]).toMatchObject({ runId, level: 'healthy' })
    expect(health.at(-1)).toEqual(view.health)
    expect(health.at(-1)).toMatchObject({ level: 'warning', parts: { success: 40, errors: 40 } })
    // Both completed: the worker subscription went with them.
    expect((await workerStats(engine)).subscriptions).toBe(0)
  })

  it('emits once and completes for a finished run; errors with NotFoundError for an unknown one', async () => {
    const engine = connect()
    await engine.register(gated)
    const runId = await startGated(engine)
    await engine.cancel(runId)
    const values = await firstValueFrom(engine.progress$(runId).pipe(toArray()))
    expect(values).toEqual([expect.objectContaining({ runId, status: 'cancelled' })])
    await expect(firstValueFrom(engine.health$('no-such-run'))).rejects.toBeInstanceOf(NotFoundError)
    await expect(firstValueFrom(engine.progress$(''))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
  })

  it('health$() aggregates the engine’s runs and alerts$ reports levels that worsen', async () => {
    const engine = connect()
    await engine.register(gated)
    const alerts: Alert[] = []
    engine.alerts$.subscribe((a) => alerts.push(a))
    const engineHealth: Health[] = []
    engine.health$().subscribe((h) => engineHealth.push(h))
    await expect.poll(() => engineHealth.length).toBeGreaterThan(0)
    expect(engineHealth[0]).toMatchObject({ score: 100, level: 'healthy' })

    const runId = await startGated(engine)
    // One more round trip: the alert tracker's snapshot of the run has arrived.
    await engine.listRuns()
    await engine.signal(runId, 'go')
    const view = await engine.wait(runId, { timeoutMs: 5000 })
    await expect.poll(() => alerts.length).toBe(2)
    expect(alerts).toEqual([
      expect.objectContaining({ runId, level: 'warning', previous: 'healthy', score: view.health.score }),
      expect.objectContaining({ level: 'warning', previous: 'healthy', score: view.health.score }),
    ])
    expect(alerts[1]!.runId).toBeUndefined()
    await expect.poll(() => engineHealth.at(-1)).toMatchObject({ level: 'warning', score: view.health.score })
    // A subscriber that comes later gets the current value at once.
    await expect(firstValueFrom(engine.health$())).resolves.toEqual(engineHealth.at(-1))
  })
})

describe('RunTracker', () => {
  it('fetches a new snapshot when an event is missing, and keeps events that arrive meanwhile', async () => {
    const local = createEngine({ store: memoryStore(), recover: false })
    await local.register({
      schemaVersion: '2.0',
      id: 'local',
      version: '1.0.0',
      tasks: {
        a: { action: 'noop' },
        gate: { action: 'wait-for-event', dependsOn: ['a'], params: { event: 'go' } },
        b: { action: 'noop', dependsOn: ['gate'] },
        c: { action: 'noop', dependsOn: ['b'] },
      },
    })
    const events: WorkflowEvent[] = []
    local.events$.pipe(filter(isRunEvent)).subscribe((e) => events.push(e))
    const run = await local.start('local')
    await expect.poll(async () => (await local.getRun(run.runId))?.tasks.gate?.status).toBe('waiting')
    const early = (await local.runSnapshot(run.runId))!
    await local.signal(run.runId, 'go', 1)
    await local.wait(run.runId)
    const late = (await local.runSnapshot(run.runId))!

    const requests: number[] = []
    const answers = [early, late]
    let changes = 0
    const tracker = new RunTracker(
      run.runId,
      async () => {
        requests.push(requests.length)
        return answers.shift() as RunSnapshot
      },
      () => changes++,
      (error) => {
        throw error
      },
    )
    const after = events.filter((e) => e.seq > early.seq)
    expect(after.length).toBeGreaterThan(2)
    tracker.load()
    expect(tracker.push(after[0]!)).toBe(false) // kept while the snapshot is on its way
    await expect.poll(() => changes).toBe(1)
    expect(tracker.state.seq).toBeGreaterThanOrEqual(after[0]!.seq)
    // Skip an event: the tracker notices the gap and fetches the late snapshot.
    const beyond = after.find((e) => e.seq > tracker.state.seq + 1)
    expect(beyond).toBeDefined()
    expect(tracker.push(beyond!)).toBe(false)
    await expect.poll(() => changes).toBe(2)
    expect(requests).toHaveLength(2)
    expect(tracker.state).toEqual(late.state)
    expect(tracker.push(after.at(-1)!)).toBe(true) // already reflected: ignored
    await local.close()
  })
})
