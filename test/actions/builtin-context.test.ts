import { defineAction } from 'spindle'
import { describe, expect, it } from 'vitest'
import type { BuiltinContext } from '../../src/actions/builtin-context'
import { delay } from '../../src/actions/delay'
import { isWaitRequest } from '../../src/actions/wait'
import { waitForEvent } from '../../src/actions/wait-for-event'
import { MachineRunner } from '../../src/runtime/machine-runner'
import { handContext } from '../support/builtin-context'
import { def, testEngine } from '../support/engine-fixtures'

/** A built-in's context as the runner builds it, at a fixed time. */
function builtinContext(now: number, machines = new MachineRunner()): BuiltinContext {
  return handContext({ now: () => now, machines })
}

describe('built-in actions take (params, ctx: BuiltinContext)', () => {
  it('delay reads the time from ctx.now()', () => {
    const request = delay({ ms: 250 }, builtinContext(10_000))
    expect(isWaitRequest(request)).toBe(true)
    expect(request).toMatchObject({ wait: { kind: 'timer', until: 10_250 } })
  })

  it('wait-for-event reads the time from ctx.now() for its timeout', () => {
    const request = waitForEvent({ event: 'go', timeoutMs: 50 }, builtinContext(2_000))
    expect(request).toMatchObject({ wait: { kind: 'signal', name: 'go', until: 2_050 } })
  })

  it('a built-in run by the engine gets the engine clock through its context', async () => {
    const { engine, clock } = testEngine()
    await engine.register(def({ a: { action: 'delay', params: { ms: 1_000 } } }))
    const started = clock.now()
    const { runId } = await engine.start('wf')
    await engine.idle()
    const waiting = (await engine.history(runId)).find((e) => e.type === 'task.waiting')
    expect(waiting).toMatchObject({ taskId: 'a', until: started + 1_000 })
    await engine.close()
  })
})

describe('user actions get ActionContext only', () => {
  it("a user action's ctx has no capability fields", async () => {
    const seen: Record<string, unknown>[] = []
    const { engine } = testEngine({
      actions: {
        look: (_params, ctx) => {
          seen.push(ctx as unknown as Record<string, unknown>)
          return null
        },
      },
    })
    await engine.register(def({ a: { action: 'look' }, b: { action: 'look', forEach: '[1]' } }))
    const { runId } = await engine.start('wf')
    await engine.idle()
    expect((await engine.getRun(runId))!.status).toBe('completed')
    expect(seen).toHaveLength(2)
    // The plain fields are own; signal, state, progress, log and secrets are accessors (made on first read).
    const fields = ['attempt', 'idempotencyKey', 'runId', 'taskId']
    expect(Object.keys(seen[0]!).sort()).toEqual([...fields].sort())
    expect(Object.keys(seen[1]!).sort()).toEqual([...fields, 'index'].sort())
    for (const ctx of seen) {
      for (const accessor of ['signal', 'state', 'progress', 'log', 'secrets'])
        expect(accessor in ctx).toBe(true)
      for (const capability of ['now', 'waitFor', 'options', 'runs', 'cache', 'fetch', 'files', 'models'])
        expect(capability in ctx).toBe(false)
      // Secrets by name only: the references in params are for the built-ins that consume them.
      expect('reveal' in (ctx.secrets as object)).toBe(false)
    }
    await engine.close()
  })

  it('an action object that calls itself built-in still gets ActionContext only', async () => {
    const seen: Record<string, unknown>[] = []
    const made = defineAction({
      run: (_input: unknown, ctx) => {
        seen.push(ctx as unknown as Record<string, unknown>)
        return null
      },
    })
    const { engine } = testEngine({ actions: { sneaky: { ...made, builtin: true } as typeof made } })
    await engine.register(def({ a: { action: 'sneaky' } }))
    const { runId } = await engine.start('wf')
    await engine.idle()
    expect((await engine.getRun(runId))!.status).toBe('completed')
    expect(seen).toHaveLength(1)
    expect('now' in seen[0]!).toBe(false)
    expect('waitFor' in seen[0]!).toBe(false)
    await engine.close()
  })
})
