import { TaskError } from '../errors'
import { AI_PARAMS, AI_REQUIREMENTS, AI_ROLES } from '../types'
import { schemaProblem } from './structured-output'

/** A chat message, as `params.messages` holds them and the providers take them. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant'
  content: string
}

/** An `ai` task's params, checked. */
export interface AiRequest {
  /** A model id, ids in fallback order, or 'auto' (the cheapest model that meets `require`). */
  model: string | string[]
  require: { structuredOutput?: boolean; minContext?: number; onDevice?: boolean }
  /** The conversation: `system` first when given, then `prompt` as the user's message or `messages`. */
  messages: ChatMessage[]
  schema?: object
  /** Ask the provider to enforce the schema strictly (OpenAI's `strict`); default false. */
  strict: boolean
  temperature?: number
  maxOutputTokens?: number
  stream: boolean
  /** Each model's time limit, in ms; past it the next model is tried. */
  timeoutMs?: number
}

const KEYS = new Set(AI_PARAMS)
const ROLES = new Set(AI_ROLES)

/**
 * `ai`'s params as an {@link AiRequest}, or a `TaskError` `INPUT_INVALID` naming the bad field,
 * the value and what to write instead (the rules `validate()` applies to literal params).
 */
export function aiRequest(params: unknown): AiRequest {
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    throw bad('params', params, 'must be an object like { "model": "auto", "prompt": "…" }')
  }
  const p = params as Record<string, unknown>
  const unknown = Object.keys(p).find((key) => !KEYS.has(key))
  if (unknown !== undefined) {
    throw bad(unknown, p[unknown], `is not a param of ai; use ${[...KEYS].join(', ')}`)
  }
  return {
    model: model(p.model),
    require: requirement(p.require),
    messages: messages(p),
    ...output(p.output),
    ...(p.temperature !== undefined && { temperature: number('temperature', p.temperature, 0, 2) }),
    ...(p.maxOutputTokens !== undefined && { maxOutputTokens: whole('maxOutputTokens', p.maxOutputTokens) }),
    stream: flag('stream', p.stream) ?? false,
    ...(p.timeoutMs !== undefined && { timeoutMs: whole('timeoutMs', p.timeoutMs) }),
  }
}

function model(value: unknown): string | string[] {
  if (value === undefined) return 'auto'
  if (typeof value === 'string' && value !== '') return value
  if (Array.isArray(value) && value.length > 0 && value.every((id) => typeof id === 'string' && id !== '')) {
    return [...value]
  }
  throw bad('model', value, 'must be a model id, a non-empty list of ids in fallback order, or "auto"')
}

function requirement(value: unknown): AiRequest['require'] {
  if (value === undefined) return {}
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw bad('require', value, 'must be an object like { "structuredOutput": true, "minContext": 8000 }')
  }
  const r = value as Record<string, unknown>
  const extra = Object.keys(r).find((key) => !AI_REQUIREMENTS.includes(key))
  if (extra !== undefined)
    throw bad(`require.${extra}`, r[extra], 'is unknown; use structuredOutput, minContext, onDevice')
  const structuredOutput = flag('require.structuredOutput', r.structuredOutput)
  const onDevice = flag('require.onDevice', r.onDevice)
  return {
    ...(structuredOutput !== undefined && { structuredOutput }),
    ...(r.minContext !== undefined && { minContext: whole('require.minContext', r.minContext) }),
    ...(onDevice !== undefined && { onDevice }),
  }
}

function messages(p: Record<string, unknown>): ChatMessage[] {
  const { system, prompt } = p
  if (system !== undefined && typeof system !== 'string') throw bad('system', system, 'must be a string')
  const head: ChatMessage[] = system === undefined ? [] : [{ role: 'system', content: system }]
  if ((prompt === undefined) === (p.messages === undefined)) {
    throw bad('prompt', prompt, 'is needed, or params.messages instead (one of the two, not both)')
  }
  if (prompt !== undefined) {
    if (typeof prompt !== 'string' || prompt === '') throw bad('prompt', prompt, 'must be a non-empty string')
    return [...head, { role: 'user', content: prompt }]
  }
  const list = p.messages
  const ok =
    Array.isArray(list) &&
    list.length > 0 &&
    list.every(
      (m) =>
        typeof m === 'object' &&
        m !== null &&
        ROLES.has((m as ChatMessage).role) &&
        typeof (m as ChatMessage).content === 'string',
    )
  if (!ok) {
    throw bad(
      'messages',
      list,
      'must be a non-empty list of { "role": "system" | "user" | "assistant", "content": "…" }',
    )
  }
  return [...head, ...(list as ChatMessage[]).map(({ role, content }) => ({ role, content }))]
}

function output(value: unknown): { schema?: object; strict: boolean } {
  if (value === undefined) return { strict: false }
  const o = value as Record<string, unknown>
  if (typeof value !== 'object' || value === null || typeof o.schema !== 'object' || o.schema === null) {
    throw bad('output', value, 'must be { "schema": <a JSON Schema object> }')
  }
  const extra = Object.keys(o).find((key) => key !== 'schema' && key !== 'strict')
  if (extra !== undefined)
    throw bad(`output.${extra}`, o[extra], 'is unknown; output takes schema and strict')
  const problem = schemaProblem(o.schema)
  if (problem !== undefined) throw bad('output.schema', o.schema, `is no JSON Schema: ${problem}`)
  return { schema: o.schema, strict: flag('output.strict', o.strict) ?? false }
}

function flag(key: string, value: unknown): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value
  throw bad(key, value, 'must be true or false')
}

function number(key: string, value: unknown, min: number, max: number): number {
  if (typeof value === 'number' && value >= min && value <= max) return value
  throw bad(key, value, `must be a number from ${min} to ${max}`)
}

function whole(key: string, value: unknown): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1) return value
  throw bad(key, value, 'must be a whole number ≥ 1')
}

function bad(key: string, value: unknown, rule: string): TaskError {
  const shown = value === undefined ? 'nothing' : (JSON.stringify(value) ?? String(value)).slice(0, 200)
  return new TaskError('INPUT_INVALID', `ai: params.${key} ${rule}; got ${shown}.`, { value })
}
