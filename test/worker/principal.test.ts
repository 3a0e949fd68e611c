import { ForbiddenError, type HistoryEntry, type WorkflowDefinition } from 'spindle'
import { connectEngine } from 'spindle/client'
import { afterEach, describe, expect, it } from 'vitest'
import { type EngineWorkerConfig, engineWorker, uniqueDb } from './engine-worker'

/** `first` completes, then `gate` waits for the signal `go`. */
const gated: WorkflowDefinition = {
  schemaVersion: '2.0',
  id: 'gated',
  version: '1.0.0',
  tasks: {
    first: { action: 'record' },
    gate: { action: 'wait-for-event', dependsOn: ['first'], params: { event: 'go' } },
  },
}

const stamped = (history: HistoryEntry[]) =>
  history.filter((e) => e.by !== undefined).map((e) => [e.type, e.by])

describe('principals through the worker', () => {
  const workers: Worker[] = []
  afterEach(() => {
    for (const worker of workers.splice(0)) worker.terminate()
  })

  function worker(config: Partial<EngineWorkerConfig> = {}): Worker {
    const made = engineWorker({ db: uniqueDb(), store: 'memory', ...config })
    workers.push(made)
    return made
  }

  it('makes every call of a connection as its principal: `by` in the journal, the run in its name', async () => {
    const served = worker()
    const ann = connectEngine(served, { principal: 'ann' })
    await ann.register(gated)
    const run = await ann.start('gated', {}, { runId: 'r1' })
    expect(run.principal).toBe('ann')
    await ann.pause('r1')
    const bob = ann.as('bob')
    await bob.resume('r1')
    await bob.signal('r1', 'go', 1)
    expect((await ann.wait('r1', { timeoutMs: 5000 })).status).toBe('completed')
    expect(stamped(await ann.history('r1'))).toEqual([
      ['workflow.started', 'ann'],
      ['workflow.paused', 'ann'],
      ['workflow.resumed', 'bob'],
      ['signal.received', 'bob'],
    ])
    await bob.close()
    await ann.close()
  })

  it('hands out one connection per principal: as(p) twice is the same engine, not a second channel', async () => {
    const served = worker()
    const page = connectEngine(served)
    const bob = page.as('bob')
    expect(page.as('bob')).toBe(bob)
    expect(bob.as('bob')).toBe(bob)
    expect(page.as('cy')).not.toBe(bob)
    await bob.register(gated)
    expect((await page.as('bob').start('gated', {}, { runId: 'r2' })).principal).toBe('bob')
  })

  it('refuses what authorize refuses with a ForbiddenError on the page, and changes nothing', async () => {
    const served = worker({ refused: ['bob:cancel', 'bob:start'] })
    const ann = connectEngine(served, { principal: 'ann' })
    await ann.register(gated)
    await ann.start('gated', {}, { runId: 'r1' })
    await ann.idle()
    const before = { history: await ann.history('r1'), runs: await ann.listRuns() }
    const bob = connectEngine(served, { principal: 'bob' })
    const refusal = bob.cancel('r1')
    await expect(refusal).rejects.toBeInstanceOf(ForbiddenError)
    await expect(refusal).rejects.toMatchObject({
      code: 'FORBIDDEN',
      value: { principal: 'bob', verb: 'cancel' },
    })
    await expect(bob.start('gated')).rejects.toBeInstanceOf(ForbiddenError)
    expect({ history: await ann.history('r1'), runs: await ann.listRuns() }).toEqual(before)
    await bob.close()
    await ann.close()
  })

  it('ignores a principal a page slips into a call as an extra argument: the connection’s stands', async () => {
    const served = worker({ refused: ['ann:cancel'] })
    const ann = connectEngine(served, { principal: 'ann' })
    await ann.register(gated)
    const start = ann.start as (...args: unknown[]) => ReturnType<typeof ann.start>
    const run = await start('gated', {}, { runId: 'r1' }, 'boss')
    expect(run.principal).toBe('ann')
    const cancel = ann.cancel as (...args: unknown[]) => ReturnType<typeof ann.cancel>
    await expect(cancel('r1', 'why', 'boss')).rejects.toMatchObject({ code: 'FORBIDDEN' })
    await expect(ann.start('gated', {}, { principal: 'boss' })).rejects.toBeInstanceOf(ForbiddenError)
    await ann.close()
  })

  it('refuses a principal that is not a non-empty string on the page, before any connection', () => {
    const served = worker()
    expect(() => connectEngine(served, { principal: '' })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    )
    expect(() => connectEngine(served, { principal: 7 as never })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    )
  })
})
