import { ArgumentError, type RunFilter, type RunInfo } from 'spindle'
import { describe, expect, it } from 'vitest'
import { controllable, def, testEngine } from '../support/engine-fixtures'

/** Every run `filter` lists, page after page, with the pages' sizes. */
async function pages(
  engine: ReturnType<typeof testEngine>['engine'],
  filter: RunFilter,
): Promise<{ ids: string[]; sizes: number[] }> {
  const ids: string[] = []
  const sizes: number[] = []
  let cursor: string | undefined
  do {
    const page = await engine.listRuns({ ...filter, ...(cursor !== undefined && { cursor }) })
    ids.push(...page.runs.map((r) => r.runId))
    sizes.push(page.runs.length)
    cursor = page.next
  } while (cursor !== undefined)
  return { ids, sizes }
}

describe('engine.listRuns', () => {
  it('takes one status as a string, or several as an array', async () => {
    const gate = controllable()
    const { engine } = testEngine({ actions: { gate: gate.handler } })
    await engine.register(def({ a: { action: 'gate' } }))
    const done = await engine.start('wf', {}, { runId: 'done' })
    await engine.idle()
    gate.calls[0]!.resolve()
    await engine.wait(done.runId)
    await engine.start('wf', {}, { runId: 'open' })

    expect((await engine.listRuns({ status: 'completed' })).runs.map((r) => r.runId)).toEqual(['done'])
    expect((await engine.listRuns({ status: ['running'] })).runs.map((r) => r.runId)).toEqual(['open'])
    await expect(engine.listRuns({ status: 'complete' as never })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      value: 'complete',
    })
  })

  it('pages with an opaque cursor: every run once, in a stable order, even when created at the same time', async () => {
    const { engine, clock } = testEngine()
    await engine.register(def({ a: { action: 'noop' } }))
    for (let i = 0; i < 7; i++) {
      await engine.start('wf', {}, { runId: `r${i}` })
      if (i % 3 === 2) clock.advance(10)
    }
    const first = await engine.listRuns({ limit: 3 })
    expect(first.runs.map((r) => r.runId)).toEqual(['r6', 'r5', 'r4'])
    expect(typeof first.next).toBe('string')
    expect(await pages(engine, { limit: 3 })).toEqual({
      ids: ['r6', 'r5', 'r4', 'r3', 'r2', 'r1', 'r0'],
      sizes: [3, 3, 1],
    })
    // The last page has no `next`; a page that ends exactly at the last run has none either.
    expect((await engine.listRuns({ limit: 7 })).next).toBeUndefined()
    expect((await engine.listRuns()).runs).toHaveLength(7)
  })

  it('filters by creation time (exclusive bounds) and keeps paging inside the filter', async () => {
    const { engine, clock } = testEngine()
    await engine.register(def({ a: { action: 'noop' } }))
    const t0 = clock.now()
    for (let i = 0; i < 5; i++) {
      await engine.start('wf', {}, { runId: `r${i}` })
      clock.advance(100)
    }
    const ids = (runs: RunInfo[]) => runs.map((r) => r.runId)
    expect(ids((await engine.listRuns({ createdAfter: t0 + 100 })).runs)).toEqual(['r4', 'r3', 'r2'])
    expect(ids((await engine.listRuns({ createdBefore: t0 + 200 })).runs)).toEqual(['r1', 'r0'])
    expect(await pages(engine, { createdAfter: t0, createdBefore: t0 + 400, limit: 2 })).toEqual({
      ids: ['r3', 'r2', 'r1'],
      sizes: [2, 1],
    })
  })

  it('reports startedAt, endedAt and the principal of each run', async () => {
    const gate = controllable()
    const { engine, clock } = testEngine({ actions: { gate: gate.handler } })
    await engine.register(def({ a: { action: 'gate' } }))
    const t0 = clock.now()
    const run = await engine.start('wf', {}, { runId: 'r1', principal: 'alice' })
    expect(run).toMatchObject({ startedAt: t0, principal: 'alice' })
    expect(run.endedAt).toBeUndefined()
    await engine.idle()
    clock.advance(50)
    gate.calls[0]!.resolve()
    await engine.wait('r1')
    const [listed] = (await engine.listRuns()).runs
    expect(listed).toMatchObject({ runId: 'r1', startedAt: t0, endedAt: t0 + 50, principal: 'alice' })
    expect(await engine.listRuns({ parentRunId: 'r1' })).toEqual({ runs: [] })
  })

  it('refuses a cursor it did not hand out and bad bounds with INVALID_ARGUMENT', async () => {
    const { engine } = testEngine()
    for (const filter of [
      { cursor: 'not-a-cursor' },
      { cursor: '' },
      { cursor: 42 },
      { createdAfter: 'yesterday' },
      { createdBefore: Number.NaN },
      { parentRunId: '' },
      { limit: 1.5 },
    ]) {
      const error = await engine.listRuns(filter as RunFilter).catch((e: unknown) => e)
      expect(error, JSON.stringify(filter)).toBeInstanceOf(ArgumentError)
      expect(error).toMatchObject({ code: 'INVALID_ARGUMENT', value: Object.values(filter)[0] })
    }
  })
})
