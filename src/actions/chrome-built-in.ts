import type { BuiltinModels } from './builtin-context'
import type { ModelAnswer, ModelCall } from './model-call'
import { ModelFailure } from './model-failure'

/**
 * Prompts Chrome's built-in model, as the engine reaches it (`models.onDevice()`): unavailable
 * when no page offers it or it is not downloaded yet. It counts no tokens: `usage` is empty.
 * The call's signal (the task's, with `timeoutMs`) bounds the whole call, the waits for the
 * page's model and its `availability()` included.
 */
export async function chromeBuiltIn(models: BuiltinModels, call: ModelCall): Promise<ModelAnswer> {
  const model = await bounded(models.onDevice(), call.signal).catch((error: unknown) => {
    throw failure(error, call.signal)
  })
  if ('unavailable' in model) throw new ModelFailure('unavailable', model.unavailable)
  const availability = await bounded(model.availability(), call.signal).catch((error: unknown) => {
    if (call.signal.aborted) throw failure(error, call.signal)
    throw new ModelFailure('unavailable', `LanguageModel.availability() failed: ${message(error)}`)
  })
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
    throw failure(error, call.signal)
  }
}

/** `promise`, or a rejection with `signal.reason` as soon as `signal` aborts. */
function bounded<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    if (signal.aborted) return onAbort()
    signal.addEventListener('abort', onAbort, { once: true })
    // Settles the promise returned above, which carries any failure: this chain cannot reject.
    void promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
  })
}

/** A timeout as the model's failure, the task's own abort as it came, else a failed prompt. */
function failure(error: unknown, signal: AbortSignal): unknown {
  if (signal.aborted) {
    const reason: unknown = signal.reason
    return reason instanceof DOMException && reason.name === 'TimeoutError'
      ? new ModelFailure('timeout', 'did not answer in time (params.timeoutMs)')
      : reason
  }
  return new ModelFailure('server', `failed: ${message(error)}`)
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
