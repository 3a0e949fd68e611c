import type { BuiltinModels, BuiltinSecrets, OnDeviceModel } from '../actions/builtin-context'
import { languageModelAdapter, languageModelGlobal } from '../actions/language-model-adapter'
import { systemClock } from '../runtime/timers'
import type { Clock, ModelInfo, ModelSpec } from '../types'
import { offeredOnDeviceModels } from './offered-models'

/** How long a page gets to answer `availability()` before its model counts as unavailable. */
export const PAGE_ANSWER_MS = 3000

/**
 * The engine's models (`EngineOptions.models`): what `ai` calls, and what `engine.models()`
 * says about each. Chrome's built-in model is this realm's `LanguageModel` (an engine on a
 * page), else one a connected page offers (an engine in a worker): the first of them that
 * reports itself available, else the first. A page that does not answer `availability()` within
 * {@link PAGE_ANSWER_MS} (on `clock`) counts as unavailable: a stuck page never stalls a caller.
 */
export class ModelCatalog implements BuiltinModels {
  readonly specs: readonly ModelSpec[]
  readonly #secrets: BuiltinSecrets
  readonly #clock: Clock

  constructor(specs: readonly ModelSpec[], secrets: BuiltinSecrets, clock: Clock = systemClock) {
    this.specs = specs.map((spec) => structuredClone(spec))
    this.#secrets = secrets
    this.#clock = clock
  }

  async onDevice(): Promise<OnDeviceModel | { unavailable: string }> {
    const here = languageModelGlobal()
    if (here !== undefined) return languageModelAdapter(here)
    const picked = await this.#pickOffered()
    return 'unavailable' in picked ? picked : picked.model
  }

  /** The first offered model that is available, else the first with why not; pages asked at once. */
  async #pickOffered(): Promise<{ model: OnDeviceModel; reason?: string } | { unavailable: string }> {
    const offered = offeredOnDeviceModels()
    if (offered.length === 0) {
      return {
        unavailable:
          'no LanguageModel here and no connected page offers one (Chrome with the Prompt API, connected with connectEngine)',
      }
    }
    const reasons = await Promise.all(offered.map((model) => this.#unavailableBecause(model)))
    const index = Math.max(0, reasons.indexOf(undefined))
    const reason = reasons[index]
    return { model: offered[index] as OnDeviceModel, ...(reason !== undefined && { reason }) }
  }

  /** Every model with whether `ai` can call it now; unreachable servers show only when called. */
  async list(): Promise<ModelInfo[]> {
    return Promise.all(
      this.specs.map(async (spec) => ({ ...structuredClone(spec), ...(await this.#status(spec)) })),
    )
  }

  async #status(spec: ModelSpec): Promise<{ available: boolean; reason?: string }> {
    if (spec.provider === 'chrome-built-in') {
      const here = languageModelGlobal()
      const picked =
        here === undefined
          ? await this.#pickOffered()
          : { reason: await this.#unavailableBecause(languageModelAdapter(here)) }
      if ('unavailable' in picked) return { available: false, reason: picked.unavailable }
      return picked.reason === undefined ? { available: true } : { available: false, reason: picked.reason }
    }
    if (spec.apiKey !== undefined && (await this.#secrets.get(spec.apiKey)) === undefined) {
      return { available: false, reason: `the secret "${spec.apiKey}" its apiKey names is not set` }
    }
    return { available: true }
  }

  /** Why `model` cannot be prompted now (a page that failed or did not answer), or undefined. */
  async #unavailableBecause(model: OnDeviceModel): Promise<string | undefined> {
    let timer: unknown
    const silence = new Promise<typeof NO_ANSWER>((resolve) => {
      timer = this.#clock.setTimeout(() => resolve(NO_ANSWER), PAGE_ANSWER_MS)
    })
    try {
      // race() handles a late rejection of availability(): the page may fail after the bound.
      const now = await Promise.race([model.availability(), silence])
      if (now === NO_ANSWER) return 'no answer from the page'
      return now === 'available' ? undefined : `LanguageModel.availability() is "${now}"`
    } catch (error) {
      return `LanguageModel.availability() failed (${error instanceof Error ? error.message : String(error)})`
    } finally {
      this.#clock.clearTimeout(timer)
    }
  }
}

const NO_ANSWER = Symbol('no answer')
