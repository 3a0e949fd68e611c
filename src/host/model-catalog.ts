import type { BuiltinModels, BuiltinSecrets, OnDeviceModel } from '../actions/builtin-context'
import { languageModelAdapter, languageModelGlobal } from '../actions/language-model-adapter'
import type { ModelInfo, ModelSpec } from '../types'
import { offeredOnDeviceModels } from './offered-models'

/**
 * The engine's models (`EngineOptions.models`): what `ai` calls, and what `engine.models()`
 * says about each. Chrome's built-in model is this realm's `LanguageModel` (an engine on a
 * page), else one a connected page offers (an engine in a worker): the first of them that
 * reports itself available, else the first.
 */
export class ModelCatalog implements BuiltinModels {
  readonly specs: readonly ModelSpec[]
  readonly #secrets: BuiltinSecrets

  constructor(specs: readonly ModelSpec[], secrets: BuiltinSecrets) {
    this.specs = specs.map((spec) => structuredClone(spec))
    this.#secrets = secrets
  }

  async onDevice(): Promise<OnDeviceModel | { unavailable: string }> {
    const here = languageModelGlobal()
    if (here !== undefined) return languageModelAdapter(here)
    const offered = offeredOnDeviceModels()
    if (offered.length === 0) {
      return {
        unavailable:
          'no LanguageModel here and no connected page offers one (Chrome with the Prompt API, connected with connectEngine)',
      }
    }
    for (const model of offered) {
      if ((await availability(model)) === 'available') return model
    }
    return offered[0] as OnDeviceModel
  }

  /** Every model with whether `ai` can call it now; unreachable servers show only when called. */
  async list(): Promise<ModelInfo[]> {
    return Promise.all(
      this.specs.map(async (spec) => ({ ...structuredClone(spec), ...(await this.#status(spec)) })),
    )
  }

  async #status(spec: ModelSpec): Promise<{ available: boolean; reason?: string }> {
    if (spec.provider === 'chrome-built-in') {
      const model = await this.onDevice()
      if ('unavailable' in model) return { available: false, reason: model.unavailable }
      const now = await availability(model)
      return now === 'available'
        ? { available: true }
        : { available: false, reason: `LanguageModel.availability() is "${now}"` }
    }
    if (spec.apiKey !== undefined && (await this.#secrets.get(spec.apiKey)) === undefined) {
      return { available: false, reason: `the secret "${spec.apiKey}" its apiKey names is not set` }
    }
    return { available: true }
  }
}

/** A model's availability; a page that cannot answer (closed meanwhile) counts as unavailable. */
async function availability(model: OnDeviceModel): Promise<string> {
  try {
    return await model.availability()
  } catch (error) {
    return `unavailable (${error instanceof Error ? error.message : String(error)})`
  }
}
