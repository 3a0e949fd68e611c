import { afterEach, describe, expect, it } from 'vitest'
import type { OnDeviceModel } from '../../src/actions/builtin-context'
import { ModelCatalog, PAGE_ANSWER_MS } from '../../src/host/model-catalog'
import { offerOnDeviceModel } from '../../src/host/offered-models'
import { SecretVault } from '../../src/host/secret-vault'
import { simulatedClock } from '../../src/runtime/timers'
import { until } from '../support/engine-fixtures'
import { languageModelSlot } from '../support/fake-models'

function offered(availability: string | (() => Promise<string>), answer: string): OnDeviceModel {
  return {
    availability: typeof availability === 'string' ? async () => availability : availability,
    prompt: async () => answer,
  }
}

describe('ModelCatalog', () => {
  languageModelSlot()
  const withdrawals: (() => void)[] = []
  afterEach(() => {
    for (const withdraw of withdrawals.splice(0)) withdraw()
  })

  it('uses the first offered model that is available; a page that fails to answer counts as unavailable', async () => {
    const catalog = new ModelCatalog([{ id: 'nano', provider: 'chrome-built-in' }], new SecretVault())
    expect(await catalog.onDevice()).toEqual({
      unavailable: expect.stringContaining('no connected page offers one'),
    })
    withdrawals.push(offerOnDeviceModel(offered(() => Promise.reject(new Error('page gone')), 'a')))
    withdrawals.push(offerOnDeviceModel(offered('downloading', 'b')))
    expect(await (await catalog.list())[0]).toMatchObject({
      available: false,
      reason: expect.stringContaining('page gone'),
    })
    withdrawals.push(offerOnDeviceModel(offered('available', 'c')))
    const model = (await catalog.onDevice()) as OnDeviceModel
    expect(await model.prompt({ messages: [] }, new AbortController().signal)).toBe('c')
    expect((await catalog.list())[0]).toMatchObject({ id: 'nano', available: true })
    withdrawals.pop()?.()
    expect((await catalog.list())[0]).toMatchObject({ available: false })
  })

  it('keeps its own copy of the specs: changing the options later changes nothing', async () => {
    const specs = [
      { id: 'm', provider: 'openai-compatible' as const, baseUrl: 'https://x.test/v1', apiKey: 'k' },
    ]
    const catalog = new ModelCatalog(specs, new SecretVault({ k: 'v' }))
    specs[0]!.baseUrl = 'https://elsewhere.test/v1'
    expect(catalog.specs[0]!.baseUrl).toBe('https://x.test/v1')
    expect(await catalog.list()).toEqual([{ ...catalog.specs[0], available: true }])
  })

  it('a page that never answers availability() counts as unavailable after the bound, not forever', async () => {
    const clock = simulatedClock()
    const catalog = new ModelCatalog([{ id: 'nano', provider: 'chrome-built-in' }], new SecretVault(), clock)
    withdrawals.push(offerOnDeviceModel(offered(() => new Promise<string>(() => {}), 'a')))
    const listed = catalog.list()
    await until(() => clock.pending === 1)
    clock.advance(PAGE_ANSWER_MS - 1)
    const early = await Promise.race([listed, new Promise((r) => setTimeout(() => r('waits'), 20))])
    expect(early).toBe('waits')
    clock.advance(1)
    expect(await listed).toEqual([
      { id: 'nano', provider: 'chrome-built-in', available: false, reason: 'no answer from the page' },
    ])
    withdrawals.push(offerOnDeviceModel(offered('available', 'b')))
    const onDevice = catalog.onDevice()
    await until(() => clock.pending === 1)
    clock.advance(PAGE_ANSWER_MS)
    const model = (await onDevice) as OnDeviceModel
    expect(await model.prompt({ messages: [] }, new AbortController().signal)).toBe('b')
  })
})
