import { ArgumentError, createEngine, indexedDbStore, memoryStore } from 'spindle'
import { describe, expect, it } from 'vitest'
import { def, testEngine } from '../support/engine-fixtures'

/** The typed error a call rejected with (or threw). */
async function refusal(call: () => unknown): Promise<unknown> {
  try {
    await call()
  } catch (error) {
    return error
  }
  throw new Error('the call was not refused')
}

describe('options that would do nothing are refused, not ignored', () => {
  it('start: unknown options and options that are not an object start nothing', async () => {
    const { engine, store } = testEngine()
    await engine.register(def({ a: { action: 'noop' } }))
    const cases: [unknown, unknown][] = [
      [{ unknown: 1 }, 'unknown'],
      [{ runId: 'r1', priority: 'high' }, 'priority'],
      ['r1', 'r1'],
      [42, 42],
      [['r1'], ['r1']],
      [null, null],
      [{ principal: '' }, ''],
      [{ principal: 7 }, 7],
      [{ timeoutMs: -1 }, -1],
      [{ timeoutMs: '5s' }, '5s'],
      [{ timeoutMs: Number.POSITIVE_INFINITY }, Number.POSITIVE_INFINITY],
      [{ version: 2 }, 2],
    ]
    for (const [options, value] of cases) {
      const error = await refusal(() => engine.start('wf', {}, options as never))
      expect(error, JSON.stringify(options)).toBeInstanceOf(ArgumentError)
      expect(error).toMatchObject({ code: 'INVALID_ARGUMENT', value })
    }
    expect(await store.listRuns()).toEqual([])
    const run = await engine.start('wf', {}, { runId: 'r1', principal: 'alice', timeoutMs: 60_000 })
    expect(run).toMatchObject({ runId: 'r1', principal: 'alice' })
  })

  it('names the unknown option and the known ones in the message', async () => {
    const { engine } = testEngine()
    await engine.register(def({ a: { action: 'noop' } }))
    const error = await refusal(() => engine.start('wf', {}, { runid: 'r1' } as never))
    expect((error as Error).message).toMatch(/"runid".*version, runId, principal, timeoutMs/)
  })

  it('wait and listRuns: unknown fields and non-objects are refused', async () => {
    const { engine } = testEngine()
    await engine.register(def({ a: { action: 'noop' } }))
    const run = await engine.start('wf')
    for (const options of [{ timeout: 10 }, 'soon', 10]) {
      const error = await refusal(() => engine.wait(run.runId, options as never))
      expect(error, JSON.stringify(options)).toMatchObject({ code: 'INVALID_ARGUMENT' })
    }
    for (const filter of [{ statuses: ['running'] }, { definition: 'wf' }, 'running', ['running']]) {
      const error = await refusal(() => engine.listRuns(filter as never))
      expect(error, JSON.stringify(filter)).toMatchObject({ code: 'INVALID_ARGUMENT' })
    }
  })

  it('createEngine, memoryStore and indexedDbStore: unknown options are refused', async () => {
    const cases: (() => unknown)[] = [
      () => createEngine({ recover: false, maxConcurentRuns: 2 } as never),
      () => createEngine('fast' as never),
      () => memoryStore({ nmae: 'x' } as never),
      () => indexedDbStore({ name: 'x', durabilty: 'relaxed' } as never),
      () => indexedDbStore(['x'] as never),
    ]
    for (const call of cases) {
      const error = await refusal(call)
      expect(error, call.toString()).toBeInstanceOf(ArgumentError)
      expect(error).toMatchObject({ code: 'INVALID_ARGUMENT' })
    }
  })
})
