import { memoryStore, type SnapshotRecord, type Store } from 'spindle'
import { describe, expect, it } from 'vitest'
import { def, testEngine } from '../support/engine-fixtures'

const DAY = 24 * 60 * 60 * 1000

/** A run whose task `w` waits for signal `go` once `gate` (a delay of `gateMs`) is over. */
const waiting = (gateMs = 1000) =>
  def(
    {
      gate: { action: 'delay', params: { ms: gateMs } },
      w: { action: 'wait-for-event', dependsOn: ['gate'], params: { event: 'go' } },
    },
    { output: 'tasks.w.output' },
  )

describe('buffered signals (D17)', () => {
  it('keeps payloads out of the run state: the snapshot holds no payload of a buffered signal', async () => {
    const { engine, clock } = testEngine()
    await engine.register(waiting())
    await engine.start('wf', {}, { runId: 'r1' })
    await engine.idle()
    const marker = 'payload-'.padEnd(200, 'x')
    for (let i = 0; i < 50; i++) await engine.signal('r1', i % 2 ? 'go' : 'other', { marker, i })
    const state = JSON.stringify((await engine.runSnapshot('r1'))!.state)
    expect(state).not.toContain(marker)
    expect(state.length).toBeLessThan(6_000)
    clock.advance(1000)
    expect((await engine.wait('r1')).output).toEqual({ marker, i: 1 })
  })

  it('buffers at most 1,000 per run: beyond that the oldest is dropped and the drop journaled', async () => {
    const { engine, clock } = testEngine()
    await engine.register(waiting())
    await engine.start('wf', {}, { runId: 'r1' })
    await engine.idle()
    await engine.signal('r1', 'other', 'first')
    for (let i = 1; i <= 1000; i++) await engine.signal('r1', 'go', i)
    const history = await engine.history('r1')
    const dropped = history.filter((e) => e.type === 'signal.dropped')
    expect(dropped).toEqual([
      expect.objectContaining({
        name: 'other',
        reason: 'limit',
        signalSeq: history.find((e) => e.type === 'signal.received')!.seq,
      }),
    ])
    clock.advance(1000)
    expect((await engine.wait('r1')).output).toBe(1)
  })

  it('drops a buffered signal older than 24 h instead of delivering it (injected clock)', async () => {
    const { engine, clock } = testEngine()
    await engine.register(waiting(DAY))
    await engine.start('wf', {}, { runId: 'r1' })
    await engine.idle()
    await engine.signal('r1', 'go', 'stale')
    clock.advance(1)
    await engine.signal('r1', 'go', 'fresh')
    // The task waits from START + DAY on: 'stale' is 24 h old then, 'fresh' 1 ms younger.
    clock.advance(DAY - 1)
    const view = await engine.wait('r1')
    expect(view.output).toBe('fresh')
    const dropped = (await engine.history('r1')).filter((e) => e.type === 'signal.dropped')
    expect(dropped).toEqual([expect.objectContaining({ name: 'go', reason: 'expired' })])
  })

  it('delivers a signal buffered before the latest snapshot after a reload', async () => {
    const store = memoryStore()
    const first = testEngine({ store, snapshotEvery: 1 })
    await first.engine.register(waiting(60_000))
    await first.engine.start('wf', {}, { runId: 'r1' })
    await first.engine.idle()
    await first.engine.signal('r1', 'go', { kept: true })
    for (let i = 0; i < 10; i++) await first.engine.signal('r1', 'noise', i)
    await first.engine.close()

    const second = testEngine({ store, snapshotEvery: 1, recover: true })
    await second.engine.idle()
    second.clock.advance(60_000)
    expect((await second.engine.wait('r1')).output).toEqual({ kept: true })
    await second.engine.close()
  })

  it('reads a snapshot of an older version that kept the payloads in the run state', async () => {
    const inner = memoryStore()
    // Only the second engine reads as an older version wrote: the first one may load the run
    // again while it waits (it leaves memory in between), and must read what it wrote.
    let olderVersion = false
    // Older versions wrote `signals: { name: [payload, …] }` and no count into every snapshot.
    const legacy = (record: SnapshotRecord | undefined) => {
      const context = (record?.snapshot as { context?: Record<string, unknown> } | undefined)?.context
      if (olderVersion && context && Object.keys(context.signals as object).length > 0) {
        context.signals = { go: ['from-old-snapshot'] }
        delete context.bufferedSignals
      }
      return record
    }
    const store = new Proxy(inner, {
      get: (target, key) => {
        if (key === 'latestSnapshot')
          return async (runId: string, maxSeq?: number) => legacy(await target.latestSnapshot(runId, maxSeq))
        if (key === 'readRestorePoints')
          return async (runIds: string[]) =>
            (await target.readRestorePoints(runIds)).map((p) => ({ ...p, snapshot: legacy(p.snapshot) }))
        const value = Reflect.get(target, key)
        return typeof value === 'function' ? value.bind(target) : value
      },
    }) as Store
    const first = testEngine({ store, snapshotEvery: 1 })
    await first.engine.register(waiting(60_000))
    await first.engine.start('wf', {}, { runId: 'r1' })
    await first.engine.idle()
    await first.engine.signal('r1', 'go', 'ignored: the snapshot is rewritten')
    for (let i = 0; i < 10; i++) await first.engine.signal('r1', 'noise', i)
    await first.engine.close()

    olderVersion = true
    const second = testEngine({ store, snapshotEvery: 1, recover: true })
    await second.engine.idle()
    second.clock.advance(60_000)
    expect((await second.engine.wait('r1')).output).toBe('from-old-snapshot')
    await second.engine.close()
  })
})
