import { filter } from 'rxjs'
import { type Alert, isRunEvent, memoryStore, StorageError, type Store, type WorkflowEvent } from 'spindle'
import { describe, expect, it } from 'vitest'
import { DISK_FULL_RETRY_MS } from '../../src/host/disk-full'
import { type Fault, faultyStore } from '../store/faulty-store'
import { tempStores } from '../store/temp-database'
import { controllable, def, testEngines, until } from '../support/engine-fixtures'

/** What a browser throws when a write would go past the site's storage quota. */
const quotaExceeded = () => new DOMException('The quota has been exceeded.', 'QuotaExceededError')

/** a (held open by the test) → b; a second definition `other` for new runs. */
async function setUp(open: ReturnType<typeof testEngines>, inner: Store = memoryStore()) {
  const store = faultyStore(inner, [])
  const slow = controllable()
  const { engine, clock } = open({ store, actions: { slow: slow.handler } })
  await engine.register(def({ a: { action: 'slow' }, b: { action: 'noop', dependsOn: ['a'] } }))
  await engine.register({ ...def({ x: { action: 'noop' } }), id: 'other' })
  const events: WorkflowEvent[] = []
  const alerts: Alert[] = []
  engine.events$.pipe(filter(isRunEvent)).subscribe((e) => events.push(e))
  engine.alerts$.subscribe((a) => alerts.push(a))
  const run = await engine.start('wf')
  await engine.idle()
  const quota = (fault: Omit<Fault, 'error'>) => store.inject({ ...fault, error: quotaExceeded } as Fault)
  return { engine, clock, store, inner, slow, events, alerts, run, quota }
}

const quotaPause = {
  status: 'paused',
  pauseReason: { code: 'STORAGE_FAILED', reason: 'quota', message: expect.stringMatching(/quota/i) },
}

describe('a full disk', () => {
  const open = testEngines()
  const temp = tempStores()

  for (const [name, inner] of [
    ['memory', () => memoryStore()],
    ['IndexedDB', () => temp.open()],
  ] as const) {
    it(`pauses a run whose completion cannot be written, refuses new runs, alerts, and resumes once space is back (${name})`, async () => {
      const { engine, store, inner: stored, slow, events, alerts, run, quota } = await setUp(open, inner())
      quota({ method: 'commit', entryType: 'task.completed' })
      slow.calls[0]!.resolve('out-1')
      await until(async () => (await engine.getRun(run.runId))?.status === 'paused')
      await engine.idle()
      expect(await engine.getRun(run.runId)).toMatchObject({
        ...quotaPause,
        tasks: { a: { status: 'running' } },
      })
      expect(events.find((e) => e.type === 'workflow.paused')).toMatchObject({
        error: { code: 'STORAGE_FAILED', reason: 'quota' },
      })
      expect(events.some((e) => e.type === 'task.completed')).toBe(false)
      expect((await stored.readJournal(run.runId)).some((e) => e.type === 'task.completed')).toBe(false)
      expect(alerts).toEqual([
        expect.objectContaining({ kind: 'storage', reason: 'quota', level: 'critical', previous: 'healthy' }),
      ])

      // New runs are refused while the disk is known full, and nothing is written.
      const commits = store.calls('commit')
      const before = (await stored.listRuns({})).length
      const refused = await engine.start('other').catch((error: unknown) => error)
      expect(refused).toBeInstanceOf(StorageError)
      expect(refused).toMatchObject({ code: 'STORAGE_FAILED', reason: 'quota' })
      expect(store.calls('commit')).toBe(commits)
      expect((await stored.listRuns({})).length).toBe(before)

      // Space is back: resume writes (the probe), the refusal lifts, the action runs again with
      // the same idempotency key (its first result was never written).
      await engine.resume(run.runId)
      await engine.idle()
      expect(alerts.at(-1)).toMatchObject({ kind: 'storage', reason: 'quota', level: 'healthy' })
      expect(slow.calls).toHaveLength(2)
      expect(slow.calls[1]!.ctx.idempotencyKey).toBe(slow.calls[0]!.ctx.idempotencyKey)
      slow.calls[1]!.resolve('out-2')
      expect((await engine.wait(run.runId)).status).toBe('completed')
      const other = await engine.start('other')
      expect((await engine.wait(other.runId)).status).toBe('completed')
    })
  }

  it('refuses a start whose first write hits the quota, writes nothing, and tries again after a while', async () => {
    const { engine, clock, store, inner, run, slow, quota } = await setUp(open)
    quota({ method: 'commit', entryType: 'workflow.started' })
    const first = await engine.start('other').catch((error: unknown) => error)
    expect(first).toMatchObject({ name: 'StorageError', code: 'STORAGE_FAILED', reason: 'quota' })
    expect((await inner.listRuns({})).map((r) => r.runId)).toEqual([run.runId])
    const commits = store.calls('commit')
    await expect(engine.start('other')).rejects.toMatchObject({ reason: 'quota' })
    expect(store.calls('commit')).toBe(commits)
    // The running run is not touched by a refused start.
    expect((await engine.getRun(run.runId))!.status).toBe('running')
    clock.advance(DISK_FULL_RETRY_MS)
    const later = await engine.start('other')
    expect((await engine.wait(later.runId)).status).toBe('completed')
    slow.calls[0]!.resolve('done')
    expect((await engine.wait(run.runId)).status).toBe('completed')
  })

  it('refuses emitted events while the disk is full', async () => {
    const { engine, store, inner, quota } = await setUp(open)
    await engine.route({ event: 'order.paid', workflow: 'other' })
    quota({ method: 'commit', entryType: 'workflow.started' })
    await expect(engine.start('other')).rejects.toMatchObject({ reason: 'quota' })
    const commits = store.calls('commit')
    await expect(engine.emit({ type: 'order.paid', data: {} })).rejects.toMatchObject({
      code: 'STORAGE_FAILED',
      reason: 'quota',
    })
    expect(store.calls('commit')).toBe(commits)
    expect(await inner.listRuns({})).toHaveLength(1)
  })

  it('pauses a run whose checkpoint cannot be written; the checkpoint call is refused typed', async () => {
    const { engine, run, slow, quota } = await setUp(open)
    quota({ method: 'commit', entryType: 'checkpoint.saved' })
    await expect(engine.checkpoint(run.runId, 'before b')).rejects.toMatchObject({ reason: 'quota' })
    await engine.idle()
    expect(await engine.getRun(run.runId)).toMatchObject(quotaPause)
    expect((await engine.checkpoints(run.runId)).map((c) => c.reason)).not.toContain('before b')
    await engine.resume(run.runId)
    await engine.idle()
    slow.calls.at(-1)!.resolve('out')
    expect((await engine.wait(run.runId)).status).toBe('completed')
  })

  it('pauses a run whose approval decision cannot be written; the decision is refused and can be made again', async () => {
    const store = faultyStore(memoryStore(), [])
    const { engine } = open({ store })
    await engine.register(
      def({ ok: { action: 'approval', params: { title: 'Ship?', levels: [{ approvers: ['alice'] }] } } }),
    )
    const run = await engine.start('wf')
    await engine.idle()
    store.inject({ method: 'commit', entryType: 'approval.voted', error: quotaExceeded } as Fault)
    await expect(engine.approve(run.runId, 'ok', { by: 'alice' })).rejects.toMatchObject({ reason: 'quota' })
    await engine.idle()
    expect(await engine.getRun(run.runId)).toMatchObject({
      ...quotaPause,
      tasks: { ok: { status: 'waiting' } },
    })
    await engine.resume(run.runId)
    await engine.approve(run.runId, 'ok', { by: 'alice' })
    expect((await engine.wait(run.runId)).status).toBe('completed')
  })
})
