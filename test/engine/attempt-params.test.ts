import { createEngine, type HistoryEntry, simulatedClock } from 'spindle'
import { describe, expect, inject, it } from 'vitest'
import { RECORDED_PARAMS_MAX_CHARS } from '../../src/runtime/attempt-params'
import { tempStores } from '../store/temp-database'
import { def, testEngines } from '../support/engine-fixtures'

type Ending = Extract<
  HistoryEntry,
  { type: 'task.completed' | 'task.cached' | 'task.failed' | 'task.timed-out' | 'task.waiting' }
>

/** The records that end an attempt of `taskId` (or say it waits), in order. */
function endings(history: HistoryEntry[], taskId: string): Ending[] {
  const types = ['task.completed', 'task.cached', 'task.failed', 'task.timed-out', 'task.waiting']
  return history.filter((e): e is Ending => types.includes(e.type) && (e as Ending).taskId === taskId)
}

const server = inject('testServer')

describe('the record ending an attempt carries the params it got', () => {
  const testEngine = testEngines()
  const temp = tempStores()

  it('resolves params with expressions once: the record and the action see the same values', async () => {
    const got: unknown[] = []
    const { engine } = testEngine({
      actions: {
        fetch: () => ({ total: 3, items: ['a', 'b'] }),
        use: (params: unknown) => {
          got.push(params)
          return null
        },
      },
    })
    await engine.register(
      def({
        fetch: { action: 'fetch', params: { url: 'https://example.test/list' } },
        use: {
          action: 'use',
          dependsOn: ['fetch'],
          params: {
            total: '${tasks.fetch.output.total}',
            label: 'for ${input.who}',
            first: '${tasks.fetch.output.items[0]}',
            fixed: 7,
          },
        },
      }),
    )
    const { runId } = await engine.start('wf', { who: 'Ada' })
    await engine.wait(runId)
    const history = await engine.history(runId)

    const [use] = endings(history, 'use')
    expect(use).toMatchObject({
      type: 'task.completed',
      params: { total: 3, label: 'for Ada', first: 'a', fixed: 7 },
    })
    expect(got).toEqual([use?.params])
    // Params as written are in the definition: not recorded again.
    const [fetch] = endings(history, 'fetch')
    expect(fetch).not.toHaveProperty('params')
    expect(fetch).not.toHaveProperty('paramsOmitted')
  })

  it('records each attempt with what it got, and keeps them in IndexedDB', async () => {
    const store = temp.open()
    const clock = simulatedClock()
    let calls = 0
    const engine = createEngine({
      store,
      clock,
      recover: false,
      random: () => 0.5,
      actions: {
        count: (params: { tries: number }, ctx) => {
          ctx.state.set('tries', ++calls)
          if (calls < 2) throw new Error(`not yet (after ${params.tries})`)
          return calls
        },
        echo: (params: unknown) => params,
      },
    })
    await engine.register(
      def({
        count: {
          action: 'count',
          params: { tries: '${has(state.tries) ? state.tries : 0}' },
          retry: { maxAttempts: 2, initialDelayMs: 0 },
        },
        echo: { action: 'echo', dependsOn: ['count'], params: { tries: '${state.tries}', run: '${run.id}' } },
      }),
    )
    const { runId } = await engine.start('wf')
    await engine.wait(runId)
    await engine.close()

    const reopened = createEngine({ store: temp.open(store.name), clock, recover: false })
    const history = await reopened.history(runId)
    // Both attempts are recorded; neither saw a try (a failed attempt's state changes are not kept).
    expect(endings(history, 'count').map((e) => [e.type, e.params])).toEqual([
      ['task.failed', { tries: 0 }],
      ['task.completed', { tries: 0 }],
    ])
    const [echo] = endings(history, 'echo')
    expect(echo?.params).toEqual({ tries: 2, run: runId })
    expect((await reopened.getRun(runId))?.tasks.echo?.output).toEqual(echo?.params)
    await reopened.close()
  })

  it('shows secret references by name and blanks known secret values', async () => {
    const seen: unknown[] = []
    const { engine } = testEngine({
      secrets: { token: 'tok-123456' },
      http: { allow: [server] },
      actions: {
        show: (params: unknown) => {
          seen.push(params)
          return null
        },
      },
    })
    await engine.register(
      def({
        call: {
          action: 'http',
          params: {
            url: `${server}/http/echo/\${input.key}`,
            headers: { authorization: "Bearer ${secret('token')}" },
          },
        },
        show: { action: 'show', params: { typed: '${input.pasted}', header: 'Bearer ${input.pasted}' } },
      }),
    )
    const { runId } = await engine.start('wf', { pasted: 'tok-123456', key: 'k1' })
    await engine.wait(runId)
    const history = await engine.history(runId)
    const [call] = endings(history, 'call')
    expect(call?.params).toEqual({
      url: `${server}/http/echo/k1`,
      headers: { authorization: 'Bearer [secret:token]' },
    })
    expect(JSON.stringify(call)).not.toContain('\uE000')
    const [show] = endings(history, 'show')
    expect(show?.params).toEqual({ typed: '[secret:token]', header: 'Bearer [secret:token]' })
    // The action got its params as resolved: the input as given.
    expect(seen).toEqual([{ typed: 'tok-123456', header: 'Bearer tok-123456' }])
  })

  it('leaves out params over the size limit, and those of forEach tasks, saying why', async () => {
    const lengths: number[] = []
    const { engine } = testEngine({
      actions: {
        big: (params: { text: string }) => {
          lengths.push(params.text.length)
          return null
        },
        item: (params: { n: number }) => params.n,
      },
    })
    await engine.register(
      def({
        big: { action: 'big', params: { text: '${input.text}' } },
        each: { action: 'item', forEach: 'input.ns', params: { n: '${item}' } },
      }),
    )
    const text = 'x'.repeat(RECORDED_PARAMS_MAX_CHARS + 1)
    const { runId } = await engine.start('wf', { text, ns: [1, 2] })
    await engine.wait(runId)
    const history = await engine.history(runId)
    const [big] = endings(history, 'big')
    expect(big).toMatchObject({ paramsOmitted: 'too-large' })
    expect(big).not.toHaveProperty('params')
    expect(lengths).toEqual([text.length])
    const [each] = endings(history, 'each')
    expect(each).not.toHaveProperty('params')
    expect(each).not.toHaveProperty('paramsOmitted')
  })

  it('records nothing for params that fail to resolve: the attempt fails with the expression error', async () => {
    const { engine } = testEngine({ actions: { use: () => null }, defaults: { retry: { maxAttempts: 1 } } })
    await engine.register(def({ use: { action: 'use', params: { n: '${input.a.b.c}' } } }))
    const { runId } = await engine.start('wf', {})
    expect((await engine.wait(runId)).status).toBe('failed')
    const history = await engine.history(runId)
    const [use] = endings(history, 'use')
    expect(use).not.toHaveProperty('params')
    const failed = history.find((e) => e.type === 'task.failed')
    expect(failed).toMatchObject({ taskId: 'use', error: { code: 'EXPRESSION_FAILED' } })
  })

  it('records the params of a task that waited for a slot of its limit', async () => {
    const { engine } = testEngine({
      actions: { work: (params: { n: number }) => params.n },
      limits: { work: { concurrency: 1 } },
    })
    await engine.register(
      def({
        a: { action: 'work', params: { n: '${input.n}' } },
        b: { action: 'work', params: { n: '${input.n + 1}' } },
      }),
    )
    const { runId } = await engine.start('wf', { n: 1 })
    expect((await engine.wait(runId)).output).toEqual({ a: 1, b: 2 })
    const history = await engine.history(runId)
    expect(endings(history, 'a')[0]?.params).toEqual({ n: 1 })
    expect(endings(history, 'b')[0]?.params).toEqual({ n: 2 })
  })
})
