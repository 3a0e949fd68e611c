import type { BuiltinModels } from './builtin-context'
import type { ModelAnswer, ModelCall } from './model-call'
import { ModelFailure } from './model-failure'

/**
 * Prompts Chrome's built-in model, as the engine reaches it (`models.onDevice()`): unavailable
 * when no page offers it or it is not downloaded yet. It counts no tokens: `usage` is empty.
 */
export async function chromeBuiltIn(models: BuiltinModels, call: ModelCall): Promise<ModelAnswer> {
  const model = await models.onDevice()
  if ('unavailable' in model) throw new ModelFailure('unavailable', model.unavailable)
  const availability = await model.availability()
  if (availability !== 'available') {
    throw new ModelFailure('unavailable', `LanguageModel.availability() is "${availability}"`)
  }
  try {
    const text = await model.prompt(
      {
        messages: call.messages,
        ...(call.temperature !== undefined && { temperature: call.temperature }),
        ...(call.schema !== undefined && { schema: call.schema }),
      },
      call.signal,
      call.onText,
    )
    return { text, usage: {}, finishReason: 'stop' }
  } catch (error) {
    if (call.signal.aborted) {
      const reason: unknown = call.signal.reason
      if (reason instanceof DOMException && reason.name === 'TimeoutError') {
        throw new ModelFailure('timeout', 'did not answer in time (params.timeoutMs)')
      }
      throw reason
    }
    throw new ModelFailure('server', `failed: ${error instanceof Error ? error.message : String(error)}`)
  }
}
