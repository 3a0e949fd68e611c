import * as Comlink from 'comlink'
import { describe, expect, it } from 'vitest'
import { bridgedOnDeviceModel, offerPageLanguageModel } from '../../worker/on-device-bridge'
import { until } from '../support/engine-fixtures'
import { fakeLanguageModel, languageModelSlot } from '../support/fake-models'

describe("the bridge that lends the page's LanguageModel to a worker", () => {
  const page = languageModelSlot()

  it('offers nothing when the page has no LanguageModel', () => {
    expect(offerPageLanguageModel()).toBeUndefined()
  })

  it('prompts over the port, streams the text back, and an abort stops the prompt on the page', async () => {
    let release: ((text: string) => void) | undefined
    const pageSignals: AbortSignal[] = []
    const fake = fakeLanguageModel((input) => `said ${input}`)
    page.set({
      ...fake.api,
      create: async (options: { signal?: AbortSignal; initialPrompts?: [] }) => {
        const session = await fake.api.create(options)
        return {
          ...session,
          prompt: (input: string, o: { signal?: AbortSignal }) => {
            if (input !== 'hang') return session.prompt(input, o)
            pageSignals.push(o.signal!)
            return new Promise<string>((resolve) => {
              release = resolve
            })
          },
        }
      },
    })
    const port = offerPageLanguageModel()!
    const { model, close } = bridgedOnDeviceModel(port)
    try {
      expect(await model.availability()).toBe('available')
      const request = { messages: [{ role: 'user' as const, content: 'hi' }] }
      expect(await model.prompt(request, new AbortController().signal)).toBe('said hi')
      const texts: string[] = []
      const streamed = await model.prompt(request, new AbortController().signal, (text) => texts.push(text))
      expect(streamed).toBe('said hi')
      await until(() => texts.at(-1) === 'said hi')
      expect(texts).toEqual(['said ', 'said hi'])

      const controller = new AbortController()
      const hanging = model.prompt({ messages: [{ role: 'user', content: 'hang' }] }, controller.signal)
      await until(() => pageSignals.length === 1)
      controller.abort(new Error('task cancelled'))
      await expect(hanging).rejects.toThrow('task cancelled')
      await until(() => pageSignals[0]!.aborted)
      release?.('too late')
    } finally {
      close()
    }
  })

  it('a prompt waiting for a page that disconnects fails instead of waiting forever', async () => {
    const fake = fakeLanguageModel(() => 'never')
    page.set({
      ...fake.api,
      create: async () => ({ prompt: () => new Promise<string>(() => {}), destroy: () => {} }),
    })
    const { model, close } = bridgedOnDeviceModel(offerPageLanguageModel()!)
    const waiting = model.prompt({ messages: [{ role: 'user', content: 'x' }] }, new AbortController().signal)
    await new Promise((resolve) => setTimeout(resolve, 5))
    close()
    await expect(waiting).rejects.toThrow('The page that lent its LanguageModel disconnected.')
    await expect(model.availability()).rejects.toThrow('disconnected')
  })

  it('an availability() in flight when the page disconnects settles', async () => {
    const { port1, port2 } = new MessageChannel()
    Comlink.expose(
      { availability: () => new Promise(() => {}), prompt: () => new Promise(() => {}), abort() {} },
      port1,
    )
    const bridged = bridgedOnDeviceModel(port2)
    const asked = bridged.model.availability().then(
      () => 'resolved',
      (error: unknown) => (error as Error).message,
    )
    await new Promise((r) => setTimeout(r, 20))
    bridged.close()
    const outcome = await Promise.race([asked, new Promise((r) => setTimeout(() => r('hangs'), 500))])
    expect(outcome).toBe('The page that lent its LanguageModel disconnected.')
    port1.close()
  })

  it("the page's prompt (and session) stops when the worker side closes the bridge", async () => {
    const signals: AbortSignal[] = []
    let destroyed = false
    const fake = fakeLanguageModel(() => 'never')
    page.set({
      ...fake.api,
      create: async () => ({
        prompt: (_input: string, o: { signal?: AbortSignal }) => {
          signals.push(o.signal!)
          return new Promise<string>((_, reject) =>
            o.signal!.addEventListener('abort', () => reject(o.signal!.reason)),
          )
        },
        destroy: () => {
          destroyed = true
        },
      }),
    })
    const { model, close } = bridgedOnDeviceModel(offerPageLanguageModel()!)
    const asked = model.prompt({ messages: [{ role: 'user', content: 'x' }] }, new AbortController().signal)
    await until(() => signals.length === 1)
    close()
    await expect(asked).rejects.toThrow('The page that lent its LanguageModel disconnected.')
    await until(() => signals[0]!.aborted && destroyed)
    expect(signals[0]!.reason).toMatchObject({
      name: 'AbortError',
      message: expect.stringContaining('closed'),
    })
  })
})
