import { describe, expect, it } from 'vitest'
import readme from '../../README.md?raw'
import { testEngines } from '../support/engine-fixtures'
import { fakeLanguageModel, fakeServer, languageModelSlot } from '../support/fake-models'

/** The JSON definitions of README's "### AI" section, by id. */
function examples(): Map<string, Record<string, unknown>> {
  const start = readme.indexOf('\n### AI\n')
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1))
  const blocks = [...section.matchAll(/```json\n([\s\S]*?)\n```/g)].map(
    (m) => JSON.parse(m[1]!) as Record<string, unknown>,
  )
  return new Map(blocks.map((d) => [d.id as string, d]))
}

describe("README's AI examples run against a fake OpenAI-compatible server", () => {
  const testEngine = testEngines()
  const page = languageModelSlot()

  /** The README's models, served by the fake server (`gpt` answering as `behaviour`). */
  function engineWithReadmeModels(behaviour = 'fake-ok', without?: string) {
    const server = fakeServer()
    const made = testEngine({
      secrets: { openai: 'sk-example-key' },
      models: (
        [
          server.model('gpt-4o-mini', behaviour, {
            apiKey: 'openai',
            contextWindow: 128_000,
            capabilities: { structuredOutput: true, streaming: true },
            costPer1M: { input: 0.15, output: 0.6 },
          }),
          server.model('llama3', 'fake-ok', {
            contextWindow: 8192,
            onDevice: true,
            costPer1M: { input: 0, output: 0 },
          }),
          { id: 'nano', provider: 'chrome-built-in' },
        ] as const
      ).filter((m) => m.id !== without),
    })
    return { ...made, server }
  }

  async function run(
    engine: ReturnType<typeof testEngine>['engine'],
    id: string,
    input: Record<string, unknown>,
  ) {
    await engine.register(examples().get(id))
    return engine.wait((await engine.start(id, input)).runId)
  }

  it('has the four seed handlers', () => {
    expect([...examples().keys()]).toEqual([
      'process-text',
      'analyse-sentiment',
      'generate-summary',
      'pick-model',
    ])
  })

  it('process text: the first model answers; a 5xx falls through to the next', async () => {
    const { engine } = engineWithReadmeModels()
    const done = await run(engine, 'process-text', { text: 'Heretofore the party…' })
    expect(done).toMatchObject({ status: 'completed', output: 'ok: Heretofore the party…' })
    expect(done.tasks.process!.output).toMatchObject({ model: 'gpt-4o-mini', degraded: false })
    const failing = engineWithReadmeModels('fake-500')
    const fallback = await run(failing.engine, 'process-text', { text: 'x' })
    expect(fallback.tasks.process!.output).toMatchObject({ model: 'llama3', degraded: true })
    const [sent] = await failing.server.log()
    expect((sent!.body.messages as unknown[])[0]).toEqual({
      role: 'system',
      content: 'Rewrite this text in plain English.',
    })
  })

  it('analyse sentiment: a validated object from the cheapest model with structured output', async () => {
    const { engine, server } = engineWithReadmeModels()
    const done = await run(engine, 'analyse-sentiment', { text: 'I love it' })
    expect(done).toMatchObject({ status: 'completed', output: { sentiment: 'positive', score: -1 } })
    expect(done.tasks.sentiment!.output).toMatchObject({ model: 'gpt-4o-mini' })
    expect((await server.log())[0]!.body.response_format).toMatchObject({ type: 'json_schema' })
  })

  it('generate a summary: streamed from the first model of the list', async () => {
    const { engine, server } = engineWithReadmeModels()
    const done = await run(engine, 'generate-summary', { text: 'A long text.' })
    expect(done.output).toEqual({ summary: 'ok: Please summarize this text:\nA long text.', model: 'llama3' })
    expect((await server.log())[0]!.body).toMatchObject({ stream: true, max_tokens: 300 })
  })

  it('pick a model by requirements: on the device when private, a long context otherwise', async () => {
    page.set(fakeLanguageModel((input) => `on device: ${input}`).api)
    const { engine } = engineWithReadmeModels()
    const shared = await run(engine, 'pick-model', { text: 'report' })
    expect(shared.output).toMatchObject({ text: 'ok: report', model: 'gpt-4o-mini' })
    const own = await engine.wait((await engine.start('pick-model', { text: 'diary', private: true })).runId)
    // llama3 (on device, price 0) is cheaper than Chrome's unpriced model.
    expect(own.output).toMatchObject({ text: 'ok: diary', model: 'llama3' })
    const chromeOnly = engineWithReadmeModels('fake-ok', 'llama3').engine
    const onPage = await run(chromeOnly, 'pick-model', { text: 'diary', private: true })
    expect(onPage.output).toMatchObject({ text: 'on device: diary', model: 'nano' })
  })
})
