import { TaskError } from '../errors'
import type { ModelSpec } from '../types'
import type { AiRequest } from './ai-params'

/** Why `spec` does not meet `require`, or undefined when it does. */
export function unmet(spec: ModelSpec, require: AiRequest['require']): string | undefined {
  if (require.structuredOutput && !structuredOutput(spec)) {
    return 'no structured output (capabilities.structuredOutput)'
  }
  if (require.minContext !== undefined && !((spec.contextWindow ?? 0) >= require.minContext)) {
    return `context window ${spec.contextWindow ?? 'unknown'} < ${require.minContext}`
  }
  if (require.onDevice && !onDevice(spec)) return 'not on device'
  return undefined
}

/**
 * The model constrains its answer to a JSON Schema itself: when its spec says so, and Chrome's
 * built-in model (its `responseConstraint`) unless its spec says not.
 */
export function structuredOutput(spec: ModelSpec): boolean {
  return spec.capabilities?.structuredOutput ?? spec.provider === 'chrome-built-in'
}

/** Chrome's built-in model always runs on the device; others when their spec says so. */
export function onDevice(spec: ModelSpec): boolean {
  return spec.onDevice ?? spec.provider === 'chrome-built-in'
}

/**
 * The models an `ai` task tries, in order: its list (or its one id) without those that miss
 * `require`; for 'auto', every model that meets `require`, cheapest first (input + output price
 * per million tokens; models without a price last, in the order configured). Throws
 * `INPUT_INVALID` for an id the engine does not have, `AI_FAILED` (not retryable) when none
 * qualifies, saying why each was left out.
 */
export function candidates(specs: readonly ModelSpec[], request: AiRequest): ModelSpec[] {
  const byId = new Map(specs.map((spec) => [spec.id, spec]))
  const ids = request.model === 'auto' ? specs.map((s) => s.id) : [request.model].flat()
  const missing = ids.find((id) => !byId.has(id))
  if (missing !== undefined) {
    const known = specs.map((s) => JSON.stringify(s.id)).join(', ') || 'none (set EngineOptions.models)'
    throw new TaskError(
      'INPUT_INVALID',
      `ai: no model ${JSON.stringify(missing)}; the engine has ${known}.`,
      {
        value: missing,
        retryable: false,
      },
    )
  }
  const named = ids.map((id) => byId.get(id) as ModelSpec)
  const qualified = named.filter((spec) => unmet(spec, request.require) === undefined)
  if (qualified.length === 0) {
    const why = named.map((spec) => `"${spec.id}": ${unmet(spec, request.require)}`).join('; ')
    throw new TaskError(
      'AI_FAILED',
      `ai: no model meets require ${JSON.stringify(request.require)}: ${why || 'no models configured'}.`,
      { value: request.require, retryable: false },
    )
  }
  if (request.model !== 'auto') return qualified
  const cost = (spec: ModelSpec) =>
    spec.costPer1M === undefined ? Number.POSITIVE_INFINITY : spec.costPer1M.input + spec.costPer1M.output
  // Array.prototype.sort is stable: equal prices keep the configured order.
  return [...qualified].sort((a, b) => {
    const difference = cost(a) - cost(b)
    return Number.isNaN(difference) ? 0 : difference
  })
}
