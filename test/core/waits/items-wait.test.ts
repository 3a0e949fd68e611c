import { createEngine, type Engine, simulatedClock } from 'spindle'
import { afterEach, describe, expect, it } from 'vitest'
import { tempStores } from '../../store/temp-database'
import { def, testEngine } from '../../support/engine-fixtures'

const START = Date.UTC(2026, 0, 1)

describe('durable waits under forEach', () => {
  it('runs a forEach whose three items each delay, on the simulated clock', async () => {
    const { engine, clock } = testEngine()
    await engine.register(
      def(
        {
          naps: {
            action: 'delay',
            forEach: '[300, 100, 200]',
            concurrency: 1,
            params: { ms: '${ item }' },
          },
          after: { action: 'transform', dependsOn: ['naps'], params: { value: 'done' } },
        },
        { output: 'tasks.naps.output' },
      ),
    )
    const t0 = clock.now()
    const run = await engine.start('wf')
    await engine.idle()
    const waiting = (await engine.getRun(run.runId))!
    expect(waiting.tasks.naps!.status).toBe('waiting')
    // Waiting items hold no item slot: all three started although concurrency is 1.
    const history = () => engine.history(run.runId)
    expect((await history()).find((e) => e.type === 'task.waiting')).toMatchObject({
      items: [
        { index: 0, until: t0 + 300 },
        { index: 1, until: t0 + 100 },
        { index: 2, until: t0 + 200 },
      ],
      count: 3,
    })
    clock.advance(100)
    await engine.idle()
    expect(doneItems(await history())).toEqual([1])
    clock.advance(100)
    await engine.idle()
    expect(doneItems(await history())).toEqual([1, 2])
    expect((await engine.getRun(run.runId))!.tasks.naps!.status).toBe('waiting')
    clock.advance(100)
    const view = await engine.wait(run.runId)
    expect(view.status).toBe('completed')
    expect(view.tasks.after!.status).toBe('completed')
    // `delay` has no output; each item's reads as it would in a forEach that did not wait.
    expect(view.output).toEqual([undefined, undefined, undefined])
    expect(doneItems(await history())).toEqual([1, 2, 0])
    // Each item's record, made when its wait ended, says how many items there are.
    const counts = (await history()).flatMap((e) => (e.type === 'task.item-completed' ? [e.count] : []))
    expect(counts).toEqual([3, 3, 3])
  })

  it('gives wait-for-event items their signals in index order, buffered ones first', async () => {
    const { engine } = testEngine({
      actions: {
        ask: (params: { n: number }) => params.n,
      },
    })
    await engine.register(
      def(
        {
          fast: { action: 'ask', forEach: '[1, 2]', params: { n: '${ item }' } },
          votes: {
            action: 'wait-for-event',
            dependsOn: ['fast'],
            forEach: '["a", "b", "a"]',
            params: { event: '${ "vote-" + item }' },
          },
        },
        { output: '[tasks.fast.output, tasks.votes.output]' },
      ),
    )
    const run = await engine.start('wf')
    await engine.signal(run.runId, 'vote-a', 'early a')
    await engine.idle()
    expect((await engine.getRun(run.runId))!.tasks.votes!.status).toBe('waiting')
    await engine.signal(run.runId, 'vote-a', 'late a')
    await engine.signal(run.runId, 'vote-b', 'b')
    const view = await engine.wait(run.runId)
    expect(view.output).toEqual([
      [1, 2],
      ['early a', 'b', 'late a'],
    ])
  })

  it('fails the attempt when an item waits for a signal past its timeout; the retry waits again', async () => {
    const { engine, clock } = testEngine()
    await engine.register(
      def({
        votes: {
          action: 'wait-for-event',
          forEach: '["a", "b"]',
          params: { event: '${ item }', timeoutMs: 1000 },
          retry: { maxAttempts: 2, initialDelayMs: 10, jitter: 0 },
        },
      }),
    )
    const run = await engine.start('wf')
    await engine.idle()
    await engine.signal(run.runId, 'a', 1)
    clock.advance(1000)
    await engine.idle()
    let view = (await engine.getRun(run.runId))!
    expect(view.tasks.votes).toMatchObject({ status: 'retrying', error: { code: 'TIMEOUT' } })
    clock.advance(10)
    await engine.idle()
    view = (await engine.getRun(run.runId))!
    expect(view.tasks.votes).toMatchObject({ status: 'waiting', attempts: 2 })
    await engine.signal(run.runId, 'b', 2)
    view = await engine.wait(run.runId)
    expect(view.tasks.votes!.status).toBe('completed')
    expect((await engine.history(run.runId)).findLast((e) => e.type === 'task.completed')).toMatchObject({
      output: [1, 2],
    })
  })
})

describe('durable waits under forEach, interrupted', () => {
  const naps = def({ naps: { action: 'delay', forEach: '[100, 200]', params: { ms: '${ item }' } } })

  it('cancel while items wait: their timers are cleared and nothing more is recorded', async () => {
    const { engine, clock } = testEngine()
    await engine.register(naps)
    const run = await engine.start('wf')
    await engine.idle()
    clock.advance(100)
    await engine.idle()
    await engine.cancel(run.runId)
    const seen = (await engine.history(run.runId)).length
    clock.advance(1000)
    await engine.idle()
    const history = await engine.history(run.runId)
    expect(history).toHaveLength(seen)
    expect(doneItems(history)).toEqual([0])
    expect((await engine.getRun(run.runId))!.tasks.naps!.status).toBe('cancelled')
  })

  it('skipTask while items wait: the task is skipped and its late timers change nothing', async () => {
    const { engine, clock } = testEngine()
    await engine.register(naps)
    const run = await engine.start('wf')
    await engine.idle()
    await engine.skipTask(run.runId, 'naps')
    clock.advance(1000)
    const view = await engine.wait(run.runId)
    expect(view.status).toBe('completed')
    expect(view.tasks.naps!.status).toBe('skipped')
    expect(doneItems(await engine.history(run.runId))).toEqual([])
  })
})

describe('durable waits under forEach, across a restart', () => {
  const temp = tempStores()
  const engines: Engine[] = []
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((e) => e.close()))
  })

  it('keeps the items that waited and re-arms the rest after a reload', async () => {
    const name = temp.open().name
    const open = (clock: ReturnType<typeof simulatedClock>) => {
      const engine = createEngine({ store: temp.open(name), clock, random: () => 0.5 })
      engines.push(engine)
      return engine
    }
    const clock = simulatedClock(START)
    const first = open(clock)
    await first.register(
      def(
        { naps: { action: 'delay', forEach: '[100, 60000]', params: { ms: '${ item }' } } },
        {
          output: 'tasks.naps.output',
        },
      ),
    )
    const run = await first.start('wf')
    await first.idle()
    clock.advance(100)
    await first.idle()
    expect(doneItems(await first.history(run.runId))).toEqual([0])
    await first.close()

    const later = simulatedClock(START + 30_000)
    const second = open(later)
    await second.recover()
    expect((await second.getRun(run.runId))!.tasks.naps!.status).toBe('waiting')
    later.advance(30_000)
    const view = await second.wait(run.runId)
    expect(view.output).toEqual([undefined, undefined])
    expect(doneItems(await second.history(run.runId))).toEqual([0, 1])
  })
})

function doneItems(history: { type: string; index?: number; rolledBack?: true }[]): number[] {
  return history.filter((e) => e.type === 'task.item-completed' && !e.rolledBack).map((e) => e.index!)
}
