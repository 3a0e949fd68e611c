import type { AccessRequest } from 'spindle'
import { describe, expect, it } from 'vitest'
import { controllable, def, testEngines, until } from '../support/engine-fixtures'

const testEngine = testEngines()

/** An `authorize` that allows everything, holding the requests `when` picks until the test answers them. */
function heldAuthorize(when: (request: AccessRequest) => boolean) {
  const held: { request: AccessRequest; answer(allowed: boolean): void }[] = []
  const authorize = (request: AccessRequest) => {
    if (!when(request)) return true
    return new Promise<boolean>((resolve) => {
      held.push({ request, answer: resolve })
    })
  }
  return { authorize, held }
}

const byOf = async (
  engine: { history(runId: string): Promise<{ by?: string; type: string }[]> },
  runId: string,
) => (await engine.history(runId)).filter((e) => e.by !== undefined).map((e) => `${e.type} by ${e.by}`)

describe('as(p) calls while authorize is pending and the run changes meanwhile', () => {
  it('checks a retry against the task as it is once authorize answered: another retry got there first', async () => {
    const flaky = controllable()
    const gate = heldAuthorize((r) => r.verb === 'retryTask' && r.principal === 'ann')
    const { engine } = testEngine({ actions: { flaky: flaky.handler }, authorize: gate.authorize })
    await engine.register(def({ t: { action: 'flaky' } }, { defaults: { retry: { maxAttempts: 1 } } }))
    const { runId } = await engine.start('wf')
    await until(() => flaky.calls.length === 1)
    flaky.calls[0]!.reject(new Error('down'))
    await engine.idle()
    expect((await engine.getRun(runId))!.status).toBe('failed')
    const ann = engine.as('ann').retryTask(runId, 't')
    await until(() => gate.held.length === 1)
    await engine.as('bob').retryTask(runId, 't')
    await until(() => flaky.calls.length === 2)
    flaky.calls[1]!.resolve('ok')
    await engine.wait(runId)
    gate.held[0]!.answer(true)
    await expect(ann).rejects.toMatchObject({ code: 'INVALID_STATE' })
    expect(await byOf(engine, runId)).toEqual(['task.retrying by bob'])
    expect(flaky.calls).toHaveLength(2)
  })

  it('checks a decision against the approval as it is once authorize answered: it escalated meanwhile', async () => {
    const gate = heldAuthorize((r) => r.verb === 'approve')
    const { engine, clock } = testEngine({ authorize: gate.authorize })
    await engine.register(
      def({
        big: {
          action: 'approval',
          params: {
            title: 'Big order',
            levels: [
              { approvers: ['alice'], timeoutMs: 1_000, onTimeout: 'escalate' },
              { approvers: ['carol'] },
            ],
          },
        },
      }),
    )
    const { runId } = await engine.start('wf')
    await engine.idle()
    const alice = engine.as('alice').approve(runId, 'big', { by: 'alice' })
    await until(() => gate.held.length === 1)
    clock.advance(1_000)
    await engine.idle()
    gate.held[0]!.answer(true)
    await expect(alice).rejects.toMatchObject({ code: 'FORBIDDEN' })
    expect(await byOf(engine, runId)).toEqual([])
    const carol = engine.as('carol').approve(runId, 'big', { by: 'carol' })
    await until(() => gate.held.length === 2)
    gate.held[1]!.answer(true)
    await carol
    expect((await engine.wait(runId)).tasks.big!.output).toMatchObject({
      approved: true,
      by: 'carol',
      level: 1,
    })
  })

  it('refuses a cancel allowed for a run that completed while authorize was asked', async () => {
    const slow = controllable()
    const gate = heldAuthorize((r) => r.verb === 'cancel')
    const { engine } = testEngine({ actions: { slow: slow.handler }, authorize: gate.authorize })
    await engine.register(def({ t: { action: 'slow' } }))
    const { runId } = await engine.start('wf')
    await until(() => slow.calls.length === 1)
    const cancelling = engine.as('ann').cancel(runId)
    await until(() => gate.held.length === 1)
    slow.calls[0]!.resolve('done')
    expect((await engine.wait(runId)).status).toBe('completed')
    gate.held[0]!.answer(true)
    await expect(cancelling).rejects.toMatchObject({ code: 'INVALID_STATE' })
    expect((await engine.getRun(runId))!.status).toBe('completed')
    expect(await byOf(engine, runId)).toEqual([])
  })
})
