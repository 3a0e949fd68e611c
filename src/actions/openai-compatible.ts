import type { ModelSpec } from '../types'
import type { ModelAnswer, ModelCall } from './model-call'
import { ModelFailure, retryAfterMs } from './model-failure'
import { sseData } from './sse-data'

interface Completion {
  error?: { message?: unknown }
  choices?: { message?: { content?: unknown }; delta?: { content?: unknown }; finish_reason?: unknown }[]
  usage?: { prompt_tokens?: unknown; completion_tokens?: unknown }
}

/**
 * Calls an OpenAI-compatible chat completions endpoint (OpenAI, Ollama, LM Studio, vLLM,
 * llama.cpp): POST `<baseUrl>/chat/completions`, streamed as server-sent events when
 * `call.onText` is given. `key` is the API key (sent as a Bearer token, never elsewhere).
 * Failures are `ModelFailure`s; an abort by the task's signal is thrown as it comes.
 */
export async function openAiCompatible(
  spec: ModelSpec,
  key: string | undefined,
  call: ModelCall,
): Promise<ModelAnswer> {
  const body: Record<string, unknown> = {
    model: spec.model ?? spec.id,
    messages: call.messages,
    ...(call.temperature !== undefined && { temperature: call.temperature }),
    // max_tokens rather than max_completion_tokens: every compatible server takes it.
    ...(call.maxOutputTokens !== undefined && { max_tokens: call.maxOutputTokens }),
    ...(call.schema !== undefined && {
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'output', schema: call.schema, strict: call.strict },
      },
    }),
    ...(call.onText !== undefined && { stream: true, stream_options: { include_usage: true } }),
  }
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (key !== undefined) headers.authorization = `Bearer ${key}`
  const url = `${(spec.baseUrl ?? '').replace(/\/$/, '')}/chat/completions`
  let response: Response
  try {
    response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body), signal: call.signal })
  } catch (error) {
    throw transportFailure(error, call.signal)
  }
  if (!response.ok) throw await statusFailure(response, call.now, key)
  try {
    // A server may ignore `stream: true` and answer one JSON completion: read it as such.
    const isStream = /^text\/event-stream\b/i.test(response.headers.get('content-type') ?? '')
    return call.onText === undefined || !isStream
      ? answer(await response.json())
      : await streamed(response, call.onText, key)
  } catch (error) {
    if (error instanceof ModelFailure) throw error
    throw transportFailure(error, call.signal)
  }
}

function answer(json: unknown): ModelAnswer {
  const choice = (json as Completion)?.choices?.[0]
  const text = choice?.message?.content
  if (typeof text !== 'string') {
    throw new ModelFailure('server', 'answered without choices[0].message.content (not a chat completion)')
  }
  return { text, usage: usage(json as Completion), finishReason: String(choice?.finish_reason ?? 'stop') }
}

async function streamed(
  response: Response,
  onText: (text: string) => void,
  key: string | undefined,
): Promise<ModelAnswer> {
  if (response.body === null) throw new ModelFailure('server', 'answered a stream request with no body')
  let text = ''
  let finishReason: string | undefined
  let counted: ModelAnswer['usage'] = {}
  for await (const data of sseData(response.body)) {
    let chunk: Completion
    try {
      chunk = JSON.parse(data) as Completion
    } catch {
      throw new ModelFailure('server', `sent a stream event that is not JSON: ${data.slice(0, 80)}`)
    }
    // Ollama, vLLM and llama.cpp report a failure after the 200 as an event of its own.
    if (chunk.error !== undefined && chunk.error !== null) {
      throw new ModelFailure('server', `failed mid-stream: ${errorMessage(data, key)}`)
    }
    const choice = chunk.choices?.[0]
    const piece = choice?.delta?.content
    if (typeof piece === 'string' && piece !== '') {
      text += piece
      onText(text)
    }
    if (typeof choice?.finish_reason === 'string') finishReason = choice.finish_reason
    if (chunk.usage !== undefined && chunk.usage !== null) counted = usage(chunk)
  }
  if (text === '' && finishReason === undefined) {
    throw new ModelFailure('server', 'ended its stream with no text and no finish_reason')
  }
  return { text, usage: counted, finishReason: finishReason ?? 'stop' }
}

function usage(json: Completion): ModelAnswer['usage'] {
  const { prompt_tokens: input, completion_tokens: output } = json.usage ?? {}
  return {
    ...(typeof input === 'number' && { inputTokens: input }),
    ...(typeof output === 'number' && { outputTokens: output }),
  }
}

/** A request that got no answer: the model's time ran out, or the network failed. */
function transportFailure(error: unknown, signal: AbortSignal): unknown {
  if (signal.aborted) {
    const reason: unknown = signal.reason
    return reason instanceof DOMException && reason.name === 'TimeoutError'
      ? new ModelFailure('timeout', 'did not answer in time (params.timeoutMs)')
      : reason
  }
  return new ModelFailure(
    'network',
    `could not be reached (${error instanceof Error ? error.message : String(error)})`,
  )
}

async function statusFailure(
  response: Response,
  now: number,
  key: string | undefined,
): Promise<ModelFailure> {
  const said = await response.text().then(
    (text) => errorMessage(text, key),
    (error: unknown) => `(the body could not be read: ${String(error)})`,
  )
  const status = `HTTP ${response.status}${said === '' ? '' : `: ${said}`}`
  if (response.status === 401 || response.status === 403) {
    return new ModelFailure('auth', `${status} (check the API key the model's apiKey secret holds)`, {
      permanent: true,
    })
  }
  if (response.status === 429) {
    const wait = retryAfterMs(response.headers.get('retry-after'), now)
    return new ModelFailure('rate-limited', status, wait === undefined ? {} : { retryAfterMs: wait })
  }
  if (response.status === 408) return new ModelFailure('timeout', status)
  if (response.status >= 500) return new ModelFailure('server', status)
  return new ModelFailure('refused', status, { permanent: true })
}

/** The provider's error message, short, without the key should a server echo it. */
function errorMessage(text: string, key: string | undefined): string {
  let said = text
  try {
    const message = (JSON.parse(text) as { error?: { message?: unknown } })?.error?.message
    if (typeof message === 'string') said = message
  } catch {
    // Not JSON: the body's text is the message.
  }
  if (key !== undefined && key !== '') said = said.replaceAll(key, '[secret]')
  return said.slice(0, 200).trim()
}
