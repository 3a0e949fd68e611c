import type { OnDeviceModel, OnDevicePrompt } from './builtin-context'

/** The part of Chrome's `LanguageModel` global that `ai` uses (the Prompt API). */
export interface LanguageModelApi {
  availability(options?: object): Promise<string>
  create(options: {
    initialPrompts?: { role: string; content: string }[]
    temperature?: number
    topK?: number
    signal?: AbortSignal
  }): Promise<LanguageModelSession>
}

interface LanguageModelSession {
  prompt(input: string, options?: { responseConstraint?: object; signal?: AbortSignal }): Promise<string>
  promptStreaming(
    input: string,
    options?: { responseConstraint?: object; signal?: AbortSignal },
  ): ReadableStream<string> | AsyncIterable<string>
  destroy(): void
}

/** The `LanguageModel` global where this code runs (a page of Chrome with the Prompt API), if any. */
export function languageModelGlobal(): LanguageModelApi | undefined {
  const api = (globalThis as { LanguageModel?: LanguageModelApi }).LanguageModel
  return typeof api?.create === 'function' && typeof api.availability === 'function' ? api : undefined
}

/**
 * `api` as an {@link OnDeviceModel}: one session per prompt (the system prompt and the earlier
 * messages as its initial prompts), destroyed after the answer. Chrome takes `temperature` only
 * with `topK`, so a temperature is sent with topK 3 (its default).
 */
export function languageModelAdapter(api: LanguageModelApi): OnDeviceModel {
  return {
    availability: () => api.availability(),
    async prompt(request: OnDevicePrompt, signal: AbortSignal, onText?: (text: string) => void) {
      const last = request.messages.at(-1)
      if (last === undefined || last.role !== 'user') {
        throw new TypeError('The conversation must end with a user message to prompt the model.')
      }
      const session = await api.create({
        initialPrompts: request.messages.slice(0, -1),
        ...(request.temperature !== undefined && { temperature: request.temperature, topK: 3 }),
        signal,
      })
      try {
        const options = {
          ...(request.schema !== undefined && { responseConstraint: request.schema }),
          signal,
        }
        if (onText === undefined) return await session.prompt(last.content, options)
        let text = ''
        for await (const chunk of session.promptStreaming(last.content, options) as AsyncIterable<string>) {
          text += chunk
          onText(text)
        }
        return text
      } finally {
        session.destroy()
      }
    },
  }
}
