import { describe, expect, it } from 'vitest'
import { def, testEngines } from '../support/engine-fixtures'

describe('secrets', () => {
  const testEngine = testEngines()

  it('an action reads a secret of EngineOptions.secrets by name through ctx.secrets', async () => {
    const { engine } = testEngine({
      secrets: { token: 's3cr3t' },
      actions: {
        call: async (_params: unknown, ctx) => {
          const token = await ctx.secrets.get('token')
          const missing = await ctx.secrets.get('nope')
          return { length: token?.length, missing: missing === undefined }
        },
      },
    })
    await engine.register(def({ a: { action: 'call' } }))
    const { runId } = await engine.start('wf')
    await engine.idle()
    expect((await engine.getRun(runId))!.tasks.a!.output).toEqual({ length: 6, missing: true })
  })
})
