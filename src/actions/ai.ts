import { TaskError } from '../errors'
import type { ModelSpec } from '../types'
import { candidates, structuredOutput } from './ai-candidates'
import { type AiRequest, aiRequest } from './ai-params'
import type { BuiltinContext } from './builtin-context'
import { chromeBuiltIn } from './chrome-built-in'
import type { AiUsage, ModelAnswer, ModelCall } from './model-call'
import { ModelFailure } from './model-failure'
import { openAiCompatible } from './openai-compatible'
import { readStructured, repairRequest, schemaInstruction } from './structured-output'
import { textProgress } from './text-progress'

/** What an `ai` task outputs. */
export interface AiOutput {
  /** The answer's text (absent with `output.schema`: the answer is `object`). */
  text?: string
  /** The answer parsed and validated against `output.schema`. */
  object?: unknown
  /** The id of the model that answered. */
  model: string
  usage: AiUsage
  finishReason: string
  /** An earlier model of the list failed or was unavailable: a fallback answered. */
  degraded: boolean
}

/**
 * A chat completion from the engine's models (`EngineOptions.models`). `params.model` is an id,
 * ids in fallback order, or 'auto' (the cheapest that meets `params.require`). A model that
 * answers 429 or 5xx, times out, cannot be reached, is unavailable, or gives an answer that
 * misses `output.schema` twice (the second time after being told what was wrong) hands over to
 * the next; a 401/403 fails the task at once, not retryable. When all fail, the `AI_FAILED`
 * error says what each did, retryable unless every failure was permanent, with the longest
 * `Retry-After` when all were 429s.
 */
export async function ai(params: unknown, ctx: BuiltinContext): Promise<AiOutput> {
  const request = aiRequest(params)
  const models = candidates(ctx.models.specs, request)
  const failures: { spec: ModelSpec; failure: ModelFailure }[] = []
  for (const [index, spec] of models.entries()) {
    try {
      const answer = await ask(spec, request, ctx)
      return { ...answer, model: spec.id, degraded: index > 0 }
    } catch (error) {
      if (!(error instanceof ModelFailure)) throw error
      if (error.kind === 'auth') {
        throw new TaskError('AI_FAILED', `ai: model "${spec.id}" refused the request: ${error.message}.`, {
          value: spec.id,
          retryable: false,
        })
      }
      failures.push({ spec, failure: error })
      // The run's log says why a fallback answered (the output only says that one did).
      ctx.log(`ai: model "${spec.id}" failed (${error.kind}: ${error.message})`)
    }
  }
  throw allFailed(failures)
}

/** One model's answer: its text, or its object once valid (after at most one repair). */
async function ask(
  spec: ModelSpec,
  request: AiRequest,
  ctx: BuiltinContext,
): Promise<Omit<AiOutput, 'model' | 'degraded'>> {
  const { schema } = request
  const native = structuredOutput(spec)
  const messages =
    schema === undefined || native
      ? request.messages
      : withInstruction(request.messages, schemaInstruction(schema))
  const first = await callModel(spec, request, ctx, messages, native ? schema : undefined)
  if (schema === undefined) return { text: first.text, usage: first.usage, finishReason: first.finishReason }
  const read = readStructured(first.text, schema)
  if (read.ok) return { object: read.object, usage: first.usage, finishReason: first.finishReason }
  const again = [
    ...messages,
    { role: 'assistant' as const, content: first.text },
    { role: 'user' as const, content: repairRequest(read.problems) },
  ]
  const second = await callModel(spec, request, ctx, again, native ? schema : undefined)
  const reread = readStructured(second.text, schema)
  if (!reread.ok) {
    throw new ModelFailure('invalid-output', `answered twice off the schema (${reread.problems.join('; ')})`)
  }
  return { object: reread.object, usage: sum(first.usage, second.usage), finishReason: second.finishReason }
}

async function callModel(
  spec: ModelSpec,
  request: AiRequest,
  ctx: BuiltinContext,
  messages: ModelCall['messages'],
  schema: object | undefined,
): Promise<ModelAnswer> {
  const { timeoutMs } = request
  if (timeoutMs === undefined) return callModelWithin(spec, request, ctx, messages, schema, ctx.signal)
  // On the engine's clock (the timer `http` uses too), as every other timeout of the engine.
  const timeout = new AbortController()
  const stopTimer = ctx.http.after(timeoutMs, () =>
    timeout.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError')),
  )
  try {
    const signal = AbortSignal.any([ctx.signal, timeout.signal])
    return await callModelWithin(spec, request, ctx, messages, schema, signal)
  } finally {
    stopTimer()
  }
}

async function callModelWithin(
  spec: ModelSpec,
  request: AiRequest,
  ctx: BuiltinContext,
  messages: ModelCall['messages'],
  schema: object | undefined,
  signal: AbortSignal,
): Promise<ModelAnswer> {
  const call: ModelCall = {
    messages,
    strict: request.strict,
    signal,
    now: ctx.now(),
    ...(schema !== undefined && { schema }),
    ...(request.temperature !== undefined && { temperature: request.temperature }),
    ...(request.maxOutputTokens !== undefined && { maxOutputTokens: request.maxOutputTokens }),
    // A model whose spec says it cannot stream answers in one piece, without progress notes.
    ...(request.stream &&
      spec.capabilities?.streaming !== false && { onText: textProgress(ctx, request.maxOutputTokens) }),
  }
  if (spec.provider === 'chrome-built-in') return chromeBuiltIn(ctx.models, call)
  let key: string | undefined
  if (spec.apiKey !== undefined) {
    key = await ctx.secrets.get(spec.apiKey)
    if (key === undefined) {
      throw new ModelFailure(
        'unavailable',
        `its apiKey names the secret "${spec.apiKey}", which is not set (EngineOptions.secrets or setSecret)`,
        { permanent: true },
      )
    }
  }
  return openAiCompatible(spec, key, call)
}

/** `messages` with `instruction` added to the system message (one is made when there is none). */
function withInstruction(messages: ModelCall['messages'], instruction: string): ModelCall['messages'] {
  const [first, ...rest] = messages
  if (first?.role === 'system')
    return [{ role: 'system', content: `${first.content}\n\n${instruction}` }, ...rest]
  return [{ role: 'system', content: instruction }, ...messages]
}

function sum(a: AiUsage, b: AiUsage): AiUsage {
  const add = (x: number | undefined, y: number | undefined) =>
    x === undefined || y === undefined ? undefined : x + y
  const inputTokens = add(a.inputTokens, b.inputTokens)
  const outputTokens = add(a.outputTokens, b.outputTokens)
  return {
    ...(inputTokens !== undefined && { inputTokens }),
    ...(outputTokens !== undefined && { outputTokens }),
  }
}

function allFailed(failures: { spec: ModelSpec; failure: ModelFailure }[]): TaskError {
  const said = failures
    .map(({ spec, failure }) => `"${spec.id}" ${failure.kind}: ${failure.message}`)
    .join('; ')
  const permanent = failures.every(({ failure }) => failure.permanent)
  const waits = failures.map(({ failure }) =>
    failure.kind === 'rate-limited' ? failure.retryAfterMs : undefined,
  )
  const allRateLimited = failures.every(({ failure }) => failure.kind === 'rate-limited')
  const known = waits.filter((ms): ms is number => ms !== undefined)
  return new TaskError('AI_FAILED', `ai: every model failed: ${said}.`, {
    value: failures.map(({ spec, failure }) => ({ model: spec.id, kind: failure.kind })),
    retryable: !permanent,
    ...(allRateLimited && known.length > 0 && { retryAfterMs: Math.max(...known) }),
  })
}
