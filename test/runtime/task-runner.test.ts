import { describe, expect, it } from 'vitest'
import { def, testEngine } from '../support/engine-fixtures'

describe('task runner: failures of any shape end the task', () => {
  const circular = (): unknown => {
    const value: Record<string, unknown> = { reason: 'loop' }
    value.self = value
    return value
  }
  const thrown: [string, () => unknown][] = [
    ['a circular object', circular],
    ['a BigInt', () => 10n],
    ['an object holding a BigInt', () => ({ amount: 10n })],
    ['an object without a prototype', () => Object.create(null)],
  ]

  it.each(thrown)('an action that throws %s fails its task with a serialized error', async (_, make) => {
    const { engine } = testEngine({
      actions: {
        bad: async () => {
          throw make()
        },
      },
    })
    await engine.register(def({ a: { action: 'bad' }, b: { action: 'noop', dependsOn: ['a'] } }))
    const run = await engine.start('wf')
    await engine.idle()
    const view = (await engine.getRun(run.runId))!
    expect(view.status).toBe('failed')
    expect(view.tasks.a).toMatchObject({ status: 'failed', error: { code: 'ACTION_FAILED' } })
    expect(typeof view.tasks.a!.error!.message).toBe('string')
    const failed = (await engine.history(run.runId)).find((e) => e.type === 'task.failed')
    expect(failed).toMatchObject({ taskId: 'a', error: { code: 'ACTION_FAILED' } })
  })

  it('a forEach item that throws a circular object fails the task', async () => {
    const { engine } = testEngine({
      actions: {
        item: ({ n }: { n: number }) => {
          if (n === 2) throw circular()
          return n
        },
      },
    })
    await engine.register(def({ a: { action: 'item', forEach: '[1, 2, 3]', params: { n: '${ item }' } } }))
    const { runId } = await engine.start('wf')
    await engine.idle()
    const view = (await engine.getRun(runId))!
    expect(view.tasks.a).toMatchObject({ status: 'failed', error: { code: 'ACTION_FAILED' } })
  })

  it('a failure of the runner itself (the random source throws) fails the task instead of hanging the run', async () => {
    const { engine } = testEngine({
      random: () => {
        throw new Error('no entropy')
      },
      actions: {
        bad: () => {
          throw new Error('boom')
        },
      },
    })
    await engine.register(def({ a: { action: 'bad' } }))
    const { runId } = await engine.start('wf')
    await engine.idle()
    const view = (await engine.getRun(runId))!
    expect(view.status).toBe('failed')
    expect(view.tasks.a).toMatchObject({ status: 'failed', error: { code: 'ACTION_FAILED' } })
  })
})
