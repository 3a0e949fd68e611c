import { describe, expect, it } from 'vitest'
import { compileWorkflow } from '../../src/definition/compile'
import { FileRoot } from '../../src/host/file-root'
import { SecretVault } from '../../src/host/secret-vault'
import { AttemptAbort } from '../../src/runtime/attempt-abort'
import { type RunnableAction, runTask, type TaskHost } from '../../src/runtime/task-runner'
import { noNetwork } from '../support/builtin-context'
import { def, testEngine } from '../support/engine-fixtures'

function hostFor(action: RunnableAction): TaskHost {
  return {
    runId: 'r1',
    now: () => 5,
    random: () => 0.5,
    setTimeout: () => undefined,
    clearTimeout: () => undefined,
    action: () => action,
    scope: () => ({
      input: {},
      tasks: {},
      state: {},
      run: { id: 'r1', definitionId: 'wf', version: '1.0.0' },
    }),
    readState: () => undefined,
    startChild: () => Promise.reject(new Error('no child runs here')),
    capabilities: { secrets: new SecretVault(), http: noNetwork, files: new FileRoot() },
    doneItems: () => new Map(),
    post: () => undefined,
    isPaused: () => false,
    onResume: () => () => undefined,
  } as TaskHost
}

const task = compileWorkflow(def({ a: { action: 'act' } }) as never).tasks.get('a')!

describe('runTask: actions that return a value', () => {
  it('ends the attempt synchronously when the action returns a value', () => {
    const ended = runTask(hostFor({ run: () => ({ n: 1 }) }), task, 1, new AttemptAbort())
    expect(ended).toEqual({ type: 'task.completed', taskId: 'a', attempt: 1, output: { n: 1 }, at: 5 })
  })

  it('turns a synchronous throw into a synchronous task.failed', () => {
    const ended = runTask(
      hostFor({
        run: () => {
          throw new Error('boom')
        },
      }),
      task,
      1,
      new AttemptAbort(),
    )
    expect(ended).toMatchObject({ type: 'task.failed', taskId: 'a', error: { message: 'boom' } })
  })

  it('returns a promise when the action does', async () => {
    const ended = runTask(hostFor({ run: async () => 2 }), task, 1, new AttemptAbort())
    expect(ended).toBeInstanceOf(Promise)
    expect(await ended).toMatchObject({ type: 'task.completed', output: 2 })
  })

  it('starts every task of a round before one that ended at once is recorded', async () => {
    const calls: string[] = []
    const { engine } = testEngine({
      actions: {
        bad: () => {
          calls.push('bad')
          throw new Error('boom')
        },
        good: () => {
          calls.push('good')
          return 1
        },
      },
    })
    await engine.register(def({ a: { action: 'bad' }, b: { action: 'good' } }))
    const run = await engine.start('wf')
    await engine.idle()
    expect(calls).toEqual(['bad', 'good'])
    expect((await engine.getRun(run.runId))!.status).toBe('failed')
  })
})
