import type { Engine } from 'spindle'
import { connectEngine } from 'spindle/client'
import { afterEach, describe, expect, it } from 'vitest'
import { def } from '../support/engine-fixtures'
import { fakeLanguageModel, fakeServer, languageModelSlot } from '../support/fake-models'
import { engineWorker, uniqueDb } from './engine-worker'

/*
 * Chrome's built-in model is a page global that workers lack: connectEngine offers the page's
 * to the worker. The LanguageModel here is a scripted fake with the real API's shape; the real
 * model is not exercised by these tests.
 */
describe("ai in a worker: the page's built-in model", () => {
  const page = languageModelSlot()
  const opened: { engine: Engine; worker: Worker }[] = []
  afterEach(async () => {
    for (const { engine, worker } of opened.splice(0)) {
      await engine.close()
      worker.terminate()
    }
  })

  function connect(models: unknown[]): Engine {
    const worker = engineWorker({ db: uniqueDb('ai'), store: 'memory', models: models as never })
    const engine = connectEngine(worker)
    opened.push({ engine, worker })
    return engine
  }

  it("the worker's engine prompts the page's LanguageModel through connectEngine, streaming included", async () => {
    const fake = fakeLanguageModel((input, initial) =>
      `${initial.map((m) => m.content).join('|') || 'nobody'} says ${input} `.repeat(30),
    )
    page.set(fake.api)
    const engine = connect([{ id: 'nano', provider: 'chrome-built-in' }])
    expect(await engine.models()).toEqual([{ id: 'nano', provider: 'chrome-built-in', available: true }])
    await engine.register(
      def({
        once: { action: 'ai', params: { model: 'nano', system: 'sys', prompt: 'hi' } },
        streamed: {
          action: 'ai',
          params: { model: 'auto', require: { onDevice: true }, prompt: 'go', stream: true },
        },
      }),
    )
    const { runId } = await engine.start('wf')
    const done = await engine.wait(runId)
    expect(done.tasks.once!.output).toEqual({
      text: 'sys says hi '.repeat(30),
      model: 'nano',
      usage: {},
      finishReason: 'stop',
      degraded: false,
    })
    expect(done.tasks.streamed!.output).toMatchObject({ text: 'nobody says go '.repeat(30), model: 'nano' })
    // From the journal: a subscription to events$ made just before start may begin after the run ended.
    const notes = (await engine.history(runId)).filter(
      (e) => e.type === 'task.progress' && e.taskId === 'streamed',
    )
    expect(notes.length).toBeGreaterThan(0)
    expect(fake.seen.map((s) => [s.input, s.destroyed])).toEqual([
      ['hi', true],
      ['go', true],
    ])
  })

  it('without a LanguageModel on the page the model is unavailable and the list falls through', async () => {
    const server = fakeServer()
    const engine = connect([{ id: 'nano', provider: 'chrome-built-in' }, server.model('cloud', 'fake-ok')])
    const [nano] = await engine.models()
    expect(nano).toMatchObject({
      id: 'nano',
      available: false,
      reason: expect.stringContaining('no connected page offers one'),
    })
    await engine.register(def({ ask: { action: 'ai', params: { model: ['nano', 'cloud'], prompt: 'hi' } } }))
    const done = await engine.wait((await engine.start('wf')).runId)
    expect(done.tasks.ask!.output).toMatchObject({ text: 'ok: hi', model: 'cloud', degraded: true })
  })
})
