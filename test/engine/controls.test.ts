import { filter } from 'rxjs'
import { ArgumentError, InvalidStateError, isRunEvent, type WorkflowEvent } from 'spindle'
import { describe, expect, it } from 'vitest'
import { CONTROL_CALLS, CONTROLS, type ControlName } from '../../src/engine/controls'
import { def, testEngine } from '../support/engine-fixtures'

/**
 * Bad arguments for each row of the control table, given the id of a run that exists. The
 * compiler asks for an entry when a row is added.
 */
const BAD_ARGUMENTS = {
  pause: () => [[''], [42], ['r'.repeat(201)], [], [10n]],
  resume: () => [[''], [null], [{ runId: 'r' }], [cyclic()]],
  cancel: (runId) => [[''], [runId, 42], [runId, { why: 'x' }]],
  retryTask: (runId) => [[runId, ''], [runId, 7], [runId], ['', 'a']],
  skipTask: (runId) => [[runId, ''], [runId, ['a']], [runId], [7, 'a']],
  signal: (runId) => [
    [runId, ''],
    [runId, 3],
    [runId, 3n],
    [runId],
    [runId, 'go', () => 'not data'],
    ['', 'go'],
  ],
  checkpoint: (runId) => [[runId, 42], [runId, {}], [7]],
  rollback: (runId) => [[runId, ''], [runId, 5], [undefined]],
  approve: (runId) => [
    [runId, 'gate'],
    [runId, 'gate', { by: '' }],
    [runId, 'gate', { by: 7 }],
    [runId, 'gate', { by: 'ann', comment: 3 }],
    [runId, 'gate', { by: 'ann', vote: 'yes' }],
    [runId, 'gate', { by: 'ann', form: () => 'not data' }],
    [runId, '', { by: 'ann' }],
    ['', 'gate', { by: 'ann' }],
  ],
  reject: (runId) => [
    [runId, 'gate', 'no'],
    [runId, 'gate', { by: 'ann', form: {} }],
    [runId, 'gate', { comment: 'no' }],
    [runId, 7, { by: 'ann' }],
  ],
  fork: (runId) => [
    [''],
    [runId, ''],
    [runId, 5],
    [runId, undefined, 'x'],
    [runId, undefined, { what: 1 }],
    [runId, undefined, { runId: '' }],
    [runId, undefined, { runId }],
    [runId, undefined, { input: 3 }],
    [runId, undefined, { input: { f: () => 1 } }],
  ],
} satisfies Record<ControlName, (runId: string) => unknown[][]>

function cyclic(): object {
  const value: Record<string, unknown> = {}
  value.self = value
  return value
}

/** Arguments each row takes, for a run with a task `a`. */
const GOOD_ARGUMENTS = {
  pause: (runId) => [runId],
  resume: (runId) => [runId],
  cancel: (runId) => [runId, 'no longer needed'],
  retryTask: (runId) => [runId, 'a'],
  skipTask: (runId) => [runId, 'a'],
  signal: (runId) => [runId, 'go', { ok: true }],
  checkpoint: (runId) => [runId, 'before shipping'],
  rollback: (runId) => [runId, `${runId}:0`],
  approve: (runId) => [runId, 'a', { by: 'ann', comment: 'fine' }],
  reject: (runId) => [runId, 'a', { by: 'ann' }],
  fork: (runId) => [runId, `${runId}:0`],
} satisfies Record<ControlName, (runId: string) => unknown[]>

/** A running run: `a` completed, `gate` waits for the signal `go`. */
async function runningRun() {
  const { engine, store } = testEngine()
  await engine.register(
    def({
      a: { action: 'noop' },
      gate: { action: 'wait-for-event', dependsOn: ['a'], params: { event: 'go' } },
    }),
  )
  const { runId } = await engine.start('wf')
  await engine.idle()
  expect((await engine.getRun(runId))!.tasks.gate!.status).toBe('waiting')
  return { engine, store, runId }
}

describe('the control table', () => {
  it('makes every row an Engine method', async () => {
    const { engine } = testEngine()
    expect(CONTROL_CALLS).toEqual(Object.keys(CONTROLS))
    for (const name of CONTROL_CALLS) expect(typeof engine[name]).toBe('function')
    await engine.close()
  })

  it.each(CONTROL_CALLS)(
    '%s refuses bad arguments with INVALID_ARGUMENT and changes nothing',
    async (name) => {
      const { engine, store, runId } = await runningRun()
      const published: WorkflowEvent[] = []
      const subscription = engine.events$.pipe(filter(isRunEvent)).subscribe((event) => published.push(event))
      const before = {
        view: await engine.getRun(runId),
        history: await engine.history(runId),
        record: await store.getRun(runId),
        checkpoints: await engine.checkpoints(runId),
      }
      const call = engine[name] as (...args: unknown[]) => Promise<unknown>
      for (const args of BAD_ARGUMENTS[name](runId)) {
        const error = await call.apply(engine, args).then(
          (value) => ({ resolved: value }),
          (e: unknown) => e,
        )
        expect(
          error,
          `${name}(${args.map((a) => (typeof a === 'string' ? JSON.stringify(a) : String(a))).join(', ')})`,
        ).toBeInstanceOf(ArgumentError)
        expect((error as ArgumentError).code).toBe('INVALID_ARGUMENT')
      }
      await engine.idle()
      expect(published).toEqual([])
      expect(await engine.getRun(runId)).toEqual(before.view)
      expect(await engine.history(runId)).toEqual(before.history)
      expect(await store.getRun(runId)).toEqual(before.record)
      expect(await engine.checkpoints(runId)).toEqual(before.checkpoints)
      subscription.unsubscribe()
      await engine.close()
    },
  )

  it('refuses every event call a completed run does not take with INVALID_STATE, naming its rule', async () => {
    const { engine } = testEngine()
    await engine.register(def({ a: { action: 'noop' } }))
    const { runId } = await engine.start('wf')
    await engine.wait(runId)
    const history = await engine.history(runId)
    for (const name of CONTROL_CALLS) {
      const call = CONTROLS[name]
      if (!('rule' in call)) continue
      const error = await (engine[name] as (...a: unknown[]) => Promise<unknown>)(
        ...GOOD_ARGUMENTS[name](runId),
      ).catch((e: unknown) => e)
      expect(error, name).toBeInstanceOf(InvalidStateError)
      expect((error as InvalidStateError).message).toContain(`completed; ${call.rule}.`)
    }
    expect(await engine.history(runId)).toEqual(history)
    await engine.close()
  })

  it('checks the arguments before the run: a bad argument of an unknown run is INVALID_ARGUMENT', async () => {
    const { engine } = testEngine()
    for (const name of CONTROL_CALLS) {
      const [args] = BAD_ARGUMENTS[name]('no-such-run').filter((a) => a[0] === 'no-such-run')
      if (!args) continue
      await expect((engine[name] as (...a: unknown[]) => Promise<unknown>)(...args)).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      })
    }
    await engine.close()
  })

  it('copies a signal payload when called: a later change of the caller does not reach the run', async () => {
    const { engine, runId } = await runningRun()
    const payload = { amount: 1 }
    const signalled = engine.signal(runId, 'go', payload)
    payload.amount = 2
    await signalled
    const view = await engine.wait(runId)
    expect(view.tasks.gate!.output).toEqual({ amount: 1 })
    await engine.close()
  })
})
