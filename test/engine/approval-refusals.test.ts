import { filter } from 'rxjs'
import {
  createEngine,
  type Engine,
  type EngineOptions,
  ForbiddenError,
  InputError,
  InvalidStateError,
  isRunEvent,
  NotFoundError,
  simulatedClock,
  type WorkflowEvent,
} from 'spindle'
import { afterEach, describe, expect, it } from 'vitest'
import { deciderOf } from '../../src/engine/approval-decision'
import { tempStores } from '../store/temp-database'
import { controllable, def } from '../support/engine-fixtures'

const START = Date.UTC(2026, 0, 1)

const form = {
  type: 'object',
  required: ['limit'],
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 1000 },
    note: { type: 'string', maxLength: 5 },
  },
}

/**
 * `gate` (a controllable action) runs first; `big` asks two of alice, bob and dave (who starts
 * the run), or anyone in `finance`, for a form; `plain` is no approval; `lines` asks per item.
 */
const flow = def({
  gate: { action: 'hold' },
  big: {
    action: 'approval',
    params: {
      title: 'Big order',
      form,
      levels: [{ approvers: ['alice', 'bob', 'dave'], groups: ['finance'], quorum: 2 }],
    },
  },
  later: {
    action: 'approval',
    dependsOn: ['gate'],
    params: { title: 'Later', levels: [{ approvers: ['alice'] }] },
  },
  plain: { action: 'noop' },
})

describe('decisions an approval does not take', () => {
  const temp = tempStores()
  const engines: Engine[] = []
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((e) => e.close()))
  })

  async function waitingRun(options: EngineOptions = {}) {
    const store = temp.open()
    const hold = controllable()
    const engine = createEngine({
      store,
      clock: simulatedClock(START),
      recover: false,
      actions: { hold: hold.handler },
      groupsOf: (p) => (p === 'carol' ? ['finance'] : []),
      ...options,
    })
    engines.push(engine)
    await engine.register(flow)
    const { runId } = await engine.start('wf', {}, { principal: 'dave' })
    await engine.idle()
    // alice's first vote is in: a second one is refused.
    await engine.approve(runId, 'big', { by: 'alice', form: { limit: 10 } })
    return { engine, store, runId }
  }

  it('refuses each with its typed error, and changes nothing: run, history, store, events', async () => {
    const { engine, store, runId } = await waitingRun()
    const calls: [string, () => Promise<unknown>, new (...a: any[]) => Error, string][] = [
      [
        'a second vote',
        () => engine.approve(runId, 'big', { by: 'alice', form: { limit: 1 } }),
        InvalidStateError,
        'INVALID_STATE',
      ],
      [
        'a second vote, now rejecting',
        () => engine.reject(runId, 'big', { by: 'alice' }),
        InvalidStateError,
        'INVALID_STATE',
      ],
      [
        'no approver',
        () => engine.approve(runId, 'big', { by: 'eve', form: { limit: 1 } }),
        ForbiddenError,
        'FORBIDDEN',
      ],
      [
        'no approver rejecting',
        () => engine.reject(runId, 'big', { by: 'eve' }),
        ForbiddenError,
        'FORBIDDEN',
      ],
      [
        "the run's own principal",
        () => engine.reject(runId, 'big', { by: 'dave' }),
        ForbiddenError,
        'FORBIDDEN',
      ],
      ['no form', () => engine.approve(runId, 'big', { by: 'bob' }), InputError, 'INPUT_INVALID'],
      [
        'a form over its maximum',
        () => engine.approve(runId, 'big', { by: 'bob', form: { limit: 5000 } }),
        InputError,
        'INPUT_INVALID',
      ],
      [
        'a form of the wrong type',
        () => engine.approve(runId, 'big', { by: 'carol', form: { limit: '5', note: 'far too long' } }),
        InputError,
        'INPUT_INVALID',
      ],
      [
        'before the task reached its wait',
        () => engine.approve(runId, 'later', { by: 'alice' }),
        InvalidStateError,
        'INVALID_STATE',
      ],
      [
        'a task that is no approval',
        () => engine.approve(runId, 'plain', { by: 'alice' }),
        InvalidStateError,
        'INVALID_STATE',
      ],
      [
        'an item of a task without forEach',
        () => engine.approve(runId, 'big[0]', { by: 'bob', form: { limit: 1 } }),
        InvalidStateError,
        'INVALID_STATE',
      ],
      ['an unknown task', () => engine.approve(runId, 'nope', { by: 'alice' }), NotFoundError, 'NOT_FOUND'],
      ['an unknown run', () => engine.approve('no-run', 'big', { by: 'alice' }), NotFoundError, 'NOT_FOUND'],
    ]
    const before = {
      view: await engine.getRun(runId),
      history: await engine.history(runId),
      record: await store.getRun(runId),
    }
    const published: WorkflowEvent[] = []
    const subscription = engine.events$.pipe(filter(isRunEvent)).subscribe((e) => published.push(e))
    for (const [what, call, type, code] of calls) {
      const error = await call().then(
        (value) => ({ resolved: value }),
        (e: unknown) => e,
      )
      expect(error, what).toBeInstanceOf(type)
      expect((error as { code: string }).code, what).toBe(code)
    }
    await engine.idle()
    subscription.unsubscribe()
    expect(published).toEqual([])
    expect(await engine.getRun(runId)).toEqual(before.view)
    expect(await engine.history(runId)).toEqual(before.history)
    expect(await store.getRun(runId)).toEqual(before.record)
  })

  it('says why in the message: the level, the approvers, the form path', async () => {
    const { engine, runId } = await waitingRun()
    await expect(engine.approve(runId, 'big', { by: 'eve', form: { limit: 1 } })).rejects.toThrow(
      /"eve" is not an approver of level 0 \(approvers: \["alice","bob","dave"\], groups: \["finance"\]/,
    )
    await expect(engine.approve(runId, 'big', { by: 'bob', form: { limit: 0 } })).rejects.toThrow(
      'Invalid approval form: form.limit: must be ≥ 1, got 0',
    )
    await expect(engine.approve(runId, 'later', { by: 'alice' })).rejects.toThrow(
      /has not reached its approval yet; a decision before it is refused, not kept/,
    )
    await expect(engine.approve(runId, 'big', { by: 'alice', form: { limit: 1 } })).rejects.toThrow(
      '"alice" has voted at level 0 already',
    )
  })

  it('takes the approval once the refusals are fixed: a group member with a good form', async () => {
    const { engine, runId } = await waitingRun()
    await engine.approve(runId, 'big', { by: 'carol', form: { limit: 20, note: 'ok' } })
    const view = (await engine.getRun(runId))!
    expect(view.tasks.big!.output).toMatchObject({
      approved: true,
      by: 'carol',
      form: { limit: 20, note: 'ok' },
    })
  })

  it('lets the principal decide with selfApproval: true', async () => {
    const store = temp.open()
    const engine = createEngine({ store, clock: simulatedClock(START), recover: false })
    engines.push(engine)
    await engine.register(
      def({
        big: {
          action: 'approval',
          params: { title: 't', selfApproval: true, levels: [{ approvers: ['ann'] }] },
        },
      }),
    )
    const { runId } = await engine.start('wf', {}, { principal: 'ann' })
    await engine.idle()
    await engine.approve(runId, 'big', { by: 'ann' })
    expect((await engine.wait(runId)).status).toBe('completed')
  })

  it('takes a decision only in the name of the principal the engine acts as, and journals it', async () => {
    const { engine, store, runId } = await waitingRun()
    const before = { history: await engine.history(runId), record: await store.getRun(runId) }
    await expect(
      engine.as('bob').approve(runId, 'big', { by: 'alice', form: { limit: 1 } }),
    ).rejects.toMatchObject({ name: 'ForbiddenError', code: 'FORBIDDEN' })
    expect(await engine.history(runId)).toEqual(before.history)
    expect(await store.getRun(runId)).toEqual(before.record)
    await engine.as('bob').approve(runId, 'big', { by: 'bob', form: { limit: 5 } })
    const votes = (await engine.history(runId)).filter((e) => e.type === 'approval.voted')
    expect(votes.map((e) => e.by)).toEqual(['alice', 'bob'])
    expect((await engine.getRun(runId))!.tasks.big!.output).toMatchObject({ approved: true, by: 'bob' })
  })
})

describe('the decider', () => {
  const target = { runId: 'r', taskId: 'big', by: 'alice', decision: 'approved' as const }
  const open = new AbortController().signal

  it('is refused (FORBIDDEN) when the engine acts as someone else, before any group look-up', async () => {
    let asked = 0
    const groupsOf = () => {
      asked += 1
      return ['finance']
    }
    await expect(deciderOf({ principal: 'bob', groupsOf }, target, open)).rejects.toBeInstanceOf(
      ForbiddenError,
    )
    expect(asked).toBe(0)
    await expect(deciderOf({ principal: 'alice', groupsOf }, target, open)).resolves.toEqual({
      by: 'alice',
      groups: ['finance'],
    })
  })

  it('refuses a groupsOf that gives no array of names', async () => {
    await expect(deciderOf({ groupsOf: () => 'finance' as never }, target, open)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    })
  })
})
