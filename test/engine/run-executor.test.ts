import { type Engine, memoryStore, StaleExecutorError, type Store } from 'spindle'
import { afterEach, describe, expect, it } from 'vitest'
import { runLockName } from '../../src/engine/locks'
import { faultyStore } from '../store/faulty-store'
import { controllable, def, flush, testEngine } from '../support/engine-fixtures'

/** A store whose commits wait while the gate is shut. */
function gatedStore(inner: Store) {
  let gate: Promise<void> | undefined
  let openGate = () => {}
  const faulty = faultyStore(inner)
  const store: Store = {
    ...faulty,
    async commit(batch) {
      await gate
      return faulty.commit(batch)
    },
  }
  return {
    store,
    shut() {
      gate = new Promise((resolve) => {
        openGate = resolve
      })
    },
    open() {
      gate = undefined
      openGate()
    },
  }
}

/** Polls until `check` passes (real time, a few ms per step: a stolen lock is reported across tasks). */
async function until(check: () => boolean, tries = 200): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (check()) return
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  throw new Error('condition not met in time')
}

describe('a stopped executor', () => {
  const engines: Engine[] = []
  let releaseStolen = () => {}
  afterEach(async () => {
    releaseStolen()
    await Promise.all(engines.splice(0).map((e) => e.close()))
  })

  it.each([
    ['pause', (e: Engine, runId: string) => e.pause(runId)],
    ['checkpoint', (e: Engine, runId: string) => e.checkpoint(runId)],
  ] as const)(
    '%s() whose entries were still queued when the lock was stolen rejects with STALE_EXECUTOR (S2, S9)',
    async (_, control) => {
      const gated = gatedStore(memoryStore())
      const slow = controllable()
      const { engine } = testEngine({ store: gated.store, actions: { slow: slow.handler } })
      engines.push(engine)
      await engine.register(def({ a: { action: 'slow' }, b: { action: 'slow' } }))
      const run = await engine.start('wf')
      await flush()
      expect(slow.calls).toHaveLength(2)
      // a's completion is being committed; the control call's entries wait for the next commit.
      gated.shut()
      slow.calls[0]!.resolve('a')
      await flush()
      const outcome = control(engine, run.runId).then(
        (value) => value,
        (error: unknown) => error,
      )
      await flush()
      const held = new Promise<void>((resolve) => {
        releaseStolen = resolve
      })
      navigator.locks.request(runLockName(gated.store.name, run.runId), { steal: true }, () => held)
      await until(() => slow.calls[1]!.ctx.signal.aborted)
      gated.open()
      expect(await outcome).toBeInstanceOf(StaleExecutorError)
    },
  )
})
