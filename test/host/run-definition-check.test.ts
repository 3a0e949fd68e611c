import { createEngine, type Engine, simulatedClock } from 'spindle'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { compileWorkflow } from '../../src/definition/compile'
import { definitionDigest } from '../../src/definition/definition-digest'
import { tryLockRun } from '../../src/host/locks'
import { checkRunDefinition } from '../../src/host/run-definition-check'
import { tempStores } from '../store/temp-database'
import { controllable, def, until } from '../support/engine-fixtures'

describe('checkRunDefinition', () => {
  const wf = compileWorkflow(def({ a: { action: 'noop' } }) as never)
  const record = (definitionDigest?: string) =>
    ({
      runId: 'r1',
      definitionId: 'wf',
      version: '1.0.0',
      ...(definitionDigest !== undefined && { definitionDigest }),
    }) as never

  it('passes the content the run started on, key order aside', () => {
    const reordered = compileWorkflow({
      tasks: { a: { action: 'noop' } },
      version: '1.0.0',
      id: 'wf',
      schemaVersion: '2.0',
    })
    expect(checkRunDefinition(record(definitionDigest(reordered.definition)), wf)).toBe(wf)
  })

  it('passes a run stored before digests were recorded', () => {
    expect(checkRunDefinition(record(), wf)).toBe(wf)
  })

  it('refuses other content under the run version with INVALID_STATE, naming both digests', () => {
    const other = compileWorkflow(def({ a: { action: 'noop', params: { x: 1 } } }) as never)
    const expected = definitionDigest(other.definition)
    expect(expected).toMatch(/^[0-9a-f]{16}$/)
    expect(() => checkRunDefinition(record(expected), wf)).toThrow(
      expect.objectContaining({
        code: 'INVALID_STATE',
        value: {
          runId: 'r1',
          definitionId: 'wf',
          version: '1.0.0',
          expected,
          found: definitionDigest(wf.definition),
        },
      }),
    )
  })
})

describe('a run whose definition content changed under its version in the store (D19b)', () => {
  const temp = tempStores()
  const engines: Engine[] = []
  const reported: unknown[] = []
  beforeEach(() => {
    vi.spyOn(globalThis, 'reportError').mockImplementation((error) => reported.push(error))
  })
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((e) => e.close()))
    vi.restoreAllMocks()
    reported.splice(0)
  })
  const open = (name: string, options: Parameters<typeof createEngine>[0] = {}) => {
    const engine = createEngine({
      store: temp.open(name),
      clock: simulatedClock(),
      random: () => 0.5,
      ...options,
    })
    engines.push(engine)
    return engine
  }

  it('is not recovered as a run of the other content: it stays as stored and every engine refuses it', async () => {
    const name = temp.open().name
    const slow = controllable()
    const first = open(name, { actions: { slow: slow.handler }, recover: false })
    await first.register(def({ b: { action: 'slow' } }))
    const run = await first.start('wf', {}, { runId: 'r1' })
    await until(() => slow.calls.length === 1)
    await first.close()

    // Someone rewrites the stored version behind the engine's back (the version stays the same).
    const store = temp.open(name)
    const stored = (await store.getDefinition('wf', '1.0.0'))!
    await store.deleteDefinition('wf', '1.0.0')
    await store.putDefinition({ ...stored, definition: def({ a: { action: 'noop' } }) as never })
    const before = { record: await store.getRun(run.runId), journal: await store.readJournal(run.runId) }

    const second = open(name, { actions: { slow: slow.handler } })
    await second.idle()
    const value = { runId: 'r1', definitionId: 'wf', version: '1.0.0' }
    const changed = { code: 'INVALID_STATE', value: expect.objectContaining(value) }
    expect(reported).toEqual([expect.objectContaining(changed)])
    expect((reported[0] as Error).message).toMatch(/other content/)
    await expect(second.getRun(run.runId)).rejects.toMatchObject(changed)
    await expect(second.pause(run.runId)).rejects.toMatchObject(changed)
    expect(slow.calls).toHaveLength(1)
    // The recovery claimed it (a new epoch) before it read the definition; nothing else changed.
    const after = await store.getRun(run.runId)
    expect(after).toEqual({ ...before.record, epoch: before.record!.epoch + 1, executor: after!.executor })
    expect(await store.readJournal(run.runId)).toEqual(before.journal)
    // Left unlocked, as stored: nothing holds it.
    const lock = await tryLockRun(name, run.runId)
    expect(lock).toBeDefined()
    await lock!.release()
  })
})
