import { memoryStore } from 'spindle'
import { describe, expect, it, vi } from 'vitest'
import { gatedStore } from '../store/gated-store'
import { def, testEngines, until } from '../support/engine-fixtures'

const HOUR = 3_600_000

describe('schedules and close()', () => {
  const testEngine = testEngines()

  it('close() while a fire is starting its run: the start stops, nothing is reported, the occurrence stays due', async () => {
    const store = gatedStore(memoryStore())
    const { engine, clock } = testEngine({ store })
    await engine.register(def({ a: { action: 'noop' } }))
    const t0 = clock.now()
    await engine.schedule({ id: 's', workflow: 'wf', everyMs: HOUR })
    const runId = `sched:s:${t0 + HOUR}`
    const gate = store.hold('getRun', (id) => id === runId, 'after')
    const reported: unknown[] = []
    const spy = vi.spyOn(globalThis, 'reportError').mockImplementation((error) => reported.push(error))
    try {
      clock.advance(HOUR)
      await gate.reached
      const closing = engine.close()
      gate.open()
      await closing
      expect(reported).toEqual([])
      expect(await store.getRun(runId)).toBeUndefined()
      expect((await store.getSchedule('s'))?.handledUpTo).toBeUndefined()
    } finally {
      spy.mockRestore()
    }
    // The next engine on the store fires it (it is still within a minute of its time).
    const next = testEngine({ store, clock })
    await until(async () => (await store.getRun(runId)) !== undefined)
    await next.engine.idle()
    expect((await next.engine.listSchedules())[0]?.recent).toEqual([
      { scheduledAt: t0 + HOUR, runId, outcome: 'started' },
    ])
  })
})
