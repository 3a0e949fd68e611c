import { describe, expect, it } from 'vitest'
import { TaskError } from '../../src/errors'
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

describe('task runner: what a thrown error says about retrying it', () => {
  const retries = { maxAttempts: 3, initialDelayMs: 10, backoff: 1, maxDelayMs: 10, jitter: 0 }

  it('retryable: false fails the task at once despite attempts left', async () => {
    let calls = 0
    const { engine } = testEngine({
      actions: {
        bad: () => {
          calls += 1
          throw new TaskError('HTTP_ERROR', 'HTTP 404 Not Found', { retryable: false })
        },
      },
    })
    await engine.register(def({ a: { action: 'bad', retry: retries } }))
    const { runId } = await engine.start('wf')
    await engine.idle()
    expect(calls).toBe(1)
    const failed = (await engine.history(runId)).find((e) => e.type === 'task.failed')
    expect(failed).toMatchObject({ noRetry: true, final: true, error: { code: 'HTTP_ERROR' } })
  })

  it('retryAfterMs on any thrown Error is journaled and lengthens the back-off', async () => {
    const { engine, clock } = testEngine({
      actions: {
        busy: (_params: unknown, ctx: { attempt: number }) => {
          if (ctx.attempt === 1) throw Object.assign(new Error('HTTP 429'), { retryAfterMs: 3_000 })
          return 'done'
        },
      },
    })
    // Retry-After lengthens the back-off up to maxDelayMs, so the ceiling is above it here.
    await engine.register(def({ a: { action: 'busy', retry: { ...retries, maxDelayMs: 5_000 } } }))
    const { runId } = await engine.start('wf')
    await engine.idle()
    const history = await engine.history(runId)
    expect(history.find((e) => e.type === 'task.failed')).toMatchObject({ retryAfterMs: 3_000, final: false })
    expect(history.find((e) => e.type === 'task.retrying')).toMatchObject({ delayMs: 3_000 })
    clock.advance(3_000)
    await engine.idle()
    expect((await engine.getRun(runId))!.status).toBe('completed')
  })
})
