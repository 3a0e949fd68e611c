import { createEngine, ForbiddenError } from 'spindle'
import { describe, expect, it } from 'vitest'

// The examples of the README sections "Principals and access" and "Fork", as written there,
// with their console output checked.
describe('README examples', () => {
  it('Principals and access', async () => {
    const roles: Record<string, string> = { ann: 'clerk', bob: 'viewer' }
    const engine = createEngine({
      // Clerks may do anything; everyone else may only signal runs.
      authorize: ({ principal, verb }) => roles[principal ?? ''] === 'clerk' || verb === 'signal',
    })
    const ann = engine.as('ann')
    await ann.register({
      schemaVersion: '2.0',
      id: 'refund',
      version: '1.0.0',
      tasks: { confirm: { action: 'wait-for-event', params: { event: 'confirmed' } } },
    })
    const { runId, principal } = await ann.start('refund')
    expect(principal).toBe('ann')
    await engine.as('bob').signal(runId, 'confirmed', { ok: true })
    const refused = await engine
      .as('bob')
      .cancel(runId)
      .catch((error: unknown) => error)
    expect([refused instanceof ForbiddenError, (refused as ForbiddenError).code]).toEqual([true, 'FORBIDDEN'])
    const done = await engine.wait(runId)
    const trail = (await engine.history(runId)).filter((e) => e.by).map((e) => `${e.type} by ${e.by}`)
    expect([done.status, trail]).toEqual(['completed', ['workflow.started by ann', 'signal.received by bob']])
    await engine.close()
  })

  it('Fork', async () => {
    let ratePercent = 20
    const engine = createEngine({
      actions: {
        price: ({ amount }: { amount: number }) => amount + (amount * ratePercent) / 100,
        pay: ({ total }: { total: number }) => total,
      },
    })
    await engine.register({
      schemaVersion: '2.0',
      id: 'checkout',
      version: '1.0.0',
      params: { amount: { type: 'number', required: true } },
      tasks: {
        total: { action: 'price', params: { amount: '${ input.amount }' } },
        charge: { action: 'pay', dependsOn: ['total'], params: { total: '${ tasks.total.output }' } },
      },
      output: 'tasks.charge.output',
    })
    const first = await engine.wait((await engine.start('checkout', { amount: 100 })).runId)
    expect(first.output).toBe(120)

    ratePercent = 10
    const again = await engine.fork(first.runId, `${first.runId}:0`, { input: { amount: 50 } })
    expect((await engine.wait(again.runId)).output).toBe(55)

    const [, afterTotal] = await engine.checkpoints(first.runId)
    const recharge = await engine.fork(first.runId, afterTotal!.checkpointId)
    expect((await engine.wait(recharge.runId)).output).toBe(120)
    await engine.close()
  })
})
