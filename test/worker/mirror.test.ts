import { filter, firstValueFrom, take, takeWhile, toArray } from 'rxjs'
import { isRunEvent, type Progress, type WorkflowEvent } from 'spindle'
import { connectEngine } from 'spindle/client'
import { afterEach, describe, expect, it } from 'vitest'
import { workerStats } from '../../worker/instrumentation'
import { broadcastChannelName } from '../../worker/protocol'
import { deleteDatabase, engineWorker, uniqueDb } from './engine-worker'
import { fakeEngineWorker } from './fake-worker'

const workers: Worker[] = []
function worker(storeName: string): Worker {
  const created = fakeEngineWorker(storeName)
  workers.push(created)
  return created
}

afterEach(() => {
  for (const created of workers.splice(0)) created.terminate()
})

const key = (e: WorkflowEvent) => `${e.runId}:${e.seq}`

describe('BroadcastChannel mirroring', () => {
  it('a page connected to one worker sees the runs another worker on the same database executes', async () => {
    const db = `mirror-${crypto.randomUUID()}`
    const tabA = connectEngine(worker(db))
    const tabB = connectEngine(worker(db))
    const other = connectEngine(worker(`${db}-other`))
    const seenByOther: WorkflowEvent[] = []
    other.events$.pipe(filter(isRunEvent)).subscribe((e) => seenByOther.push(e))
    const inA = firstValueFrom(tabA.events$.pipe(filter(isRunEvent), toArray()))
    const inB = firstValueFrom(tabB.events$.pipe(filter(isRunEvent), take(1200), toArray()))
    await Promise.all([workerStats(tabA), workerStats(tabB), workerStats(other)])

    await tabA.signal('run-a', 'publish', { count: 1200, perTask: 400 })
    const events = await inB
    expect(events.map(key)).toEqual(Array.from({ length: 1200 }, (_, i) => `run-a:${i + 1}`))
    expect((await workerStats(tabB)).eventsMirroredIn).toBe(1200)
    // Worker A hears nothing back from its own posts; a worker on another database hears nothing.
    expect((await workerStats(tabA)).eventsMirroredIn).toBe(0)
    expect(seenByOther).toHaveLength(0)
    await tabA.close()
    expect((await inA).map(key)).toEqual(events.map(key))
    // Closed before their workers are terminated: a subscriber of a terminated worker gets an error.
    await Promise.all([tabB.close(), other.close()])
  })

  it('drops events already seen, by (runId, seq)', async () => {
    const db = `mirror-${crypto.randomUUID()}`
    const tab = connectEngine(worker(db))
    const received = firstValueFrom(
      tab.events$.pipe(
        filter(isRunEvent),
        filter((e) => e.runId === 'r9'),
        take(4),
        toArray(),
      ),
    )
    await workerStats(tab)
    const channel = new BroadcastChannel(broadcastChannelName(db))
    const event = (seq: number): WorkflowEvent => ({
      type: 'task.started',
      runId: 'r9',
      seq,
      at: seq,
      taskId: 'a',
      attempt: 1,
    })
    channel.postMessage({ type: 'spindle.events', events: [event(1), event(2)] })
    channel.postMessage({ type: 'spindle.events', events: [event(1), event(2), event(3)] })
    channel.postMessage({ type: 'not-spindle' })
    channel.postMessage({ type: 'spindle.events', events: [event(3), event(4)] })
    expect((await received).map(key)).toEqual(['r9:1', 'r9:2', 'r9:3', 'r9:4'])
    expect((await workerStats(tab)).eventsMirroredIn).toBe(4)
    channel.close()
  })

  it('two real engines on one IndexedDB database: each page sees the runs of the other tab', async () => {
    const db = uniqueDb('mirror')
    const tabA = engineWorker({ db, store: 'idb' })
    const tabB = engineWorker({ db, store: 'idb' })
    try {
      const a = connectEngine(tabA)
      const b = connectEngine(tabB)
      await a.register({
        schemaVersion: '2.0',
        id: 'two',
        version: '1.0.0',
        tasks: { x: { action: 'record' }, y: { action: 'record', dependsOn: ['x'] } },
      })
      const inB = firstValueFrom(
        b.events$.pipe(
          filter(isRunEvent),
          takeWhile((e) => e.type !== 'workflow.completed', true),
          toArray(),
        ),
      )
      await workerStats(b)
      const run = await a.start('two')
      await a.wait(run.runId)
      const seen = await inB
      expect(seen.every((e) => e.runId === run.runId)).toBe(true)
      expect(seen.map((e) => e.seq)).toEqual(seen.map((_, i) => i + 1))
      expect(seen.map((e) => e.type)).toEqual(
        expect.arrayContaining(['workflow.started', 'task.completed', 'workflow.completed']),
      )
      expect(seen).toEqual(await a.history(run.runId))
      // The run is in the shared database, so the other tab's engine can read it too.
      await expect(b.getRun(run.runId)).resolves.toMatchObject({ status: 'completed' })
      await Promise.all([a.close(), b.close()])
    } finally {
      tabA.terminate()
      tabB.terminate()
      await deleteDatabase(db)
    }
  })

  it('the other tab sees a rollback: the event, and the progress it follows is rebuilt', async () => {
    const db = uniqueDb('mirror')
    const tabA = engineWorker({ db, store: 'idb' })
    const tabB = engineWorker({ db, store: 'idb' })
    try {
      const a = connectEngine(tabA)
      const b = connectEngine(tabB)
      await a.register({
        schemaVersion: '2.0',
        id: 'held',
        version: '1.0.0',
        tasks: {
          x: { action: 'record' },
          y: { action: 'delay', dependsOn: ['x'], params: { ms: 3_600_000 } },
        },
      })
      const run = await a.start('held')
      await expect.poll(async () => (await a.getRun(run.runId))?.tasks.y?.status).toBe('waiting')
      let progress: Progress | undefined
      const following = b.progress$(run.runId).subscribe((p) => {
        progress = p
      })
      await expect.poll(() => progress?.completed).toBe(1)
      const rolledBack = firstValueFrom(
        b.events$.pipe(
          filter(isRunEvent),
          filter((e) => e.type === 'workflow.rolled-back'),
        ),
      )
      await a.rollback(run.runId, `${run.runId}:0`)
      const event = await rolledBack
      expect(event).toMatchObject({ runId: run.runId, checkpointId: `${run.runId}:0` })
      expect(event.seq).toBe((await a.history(run.runId)).at(-1)!.seq)
      await expect.poll(() => progress && [progress.status, progress.completed]).toEqual(['paused', 0])
      following.unsubscribe()
      await Promise.all([a.close(), b.close()])
    } finally {
      tabA.terminate()
      tabB.terminate()
      await deleteDatabase(db)
    }
  })
})
