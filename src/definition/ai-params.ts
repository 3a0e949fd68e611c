import { AI_PARAMS, AI_REQUIREMENTS, AI_ROLES, JSON_SCHEMA_TYPES } from '../types'
import { formatPath, type PathSegment, show } from './issue-path'
import {
  closeNames,
  endWithGuess,
  isComputed,
  isRecord,
  type ParamsCheck,
  paramIssue,
  renameHint,
} from './param-rules'

/*
 * The register-time rules of `ai`'s literal params, the ones the action applies when it runs
 * (src/actions/ai-params.ts, and `schemaProblem` in src/actions/structured-output.ts for
 * `output.schema`); test/support/builtin-params-table.ts holds the rows both must refuse.
 * Whether `model` names a model of the engine is known only as the task runs.
 */

const KEYS = AI_PARAMS
const REQUIRE_KEYS = AI_REQUIREMENTS
const TYPES = JSON_SCHEMA_TYPES
const ROLES = AI_ROLES

/** `ai`'s params: the key names, a prompt or messages, and each literal value. */
export const checkAiParams: ParamsCheck = (params, at, issues) => {
  const bad = (path: PathSegment[], rule: string, value: unknown) =>
    paramIssue(
      issues,
      [...at, ...path],
      'param_invalid',
      `ai: params.${formatPath(path)} ${rule}; got ${show(value)}.`,
    )
  const { model, require, system, prompt, messages, output } = params
  const missing = prompt === undefined && messages === undefined
  for (const key of Object.keys(params)) {
    // A misspelt prompt is reported once, as the missing prompt with a rename hint.
    if (KEYS.includes(key) || (missing && closeNames(key, ['prompt']).length > 0)) continue
    const end = endWithGuess(key, KEYS)
    paramIssue(
      issues,
      [...at, key],
      'unknown_param',
      `ai takes no param "${key}"${end === '.' ? `; use ${KEYS.join(', ')}.` : end}`,
    )
  }
  if (missing) {
    paramIssue(
      issues,
      [...at, 'prompt'],
      'param_required',
      `ai needs params.prompt (the user's message) or params.messages (a conversation); got params ${show(params)}${renameHint(params, 'prompt')}.`,
    )
  } else if (prompt !== undefined && messages !== undefined) {
    bad(['messages'], 'cannot come with params.prompt: give one of the two, not both', messages)
  }
  const literal = (value: unknown) => value !== undefined && !isComputed(value)
  if (literal(prompt) && (typeof prompt !== 'string' || prompt === ''))
    bad(['prompt'], 'must be a non-empty string', prompt)
  if (literal(system) && typeof system !== 'string') bad(['system'], 'must be a string', system)
  if (literal(messages) && !isConversation(messages)) {
    bad(
      ['messages'],
      'must be a non-empty list of { "role": "system" | "user" | "assistant", "content": "…" }',
      messages,
    )
  }
  const isId = (id: unknown) => typeof id === 'string' && id !== ''
  if (literal(model) && !(isId(model) || (Array.isArray(model) && model.length > 0 && model.every(isId)))) {
    bad(['model'], 'must be a model id, a non-empty list of ids in fallback order, or "auto"', model)
  }
  if (literal(require)) {
    if (!isRecord(require))
      bad(['require'], 'must be an object like { "structuredOutput": true, "minContext": 8000 }', require)
    else {
      for (const key of Object.keys(require)) {
        if (!REQUIRE_KEYS.includes(key))
          bad(['require', key], `is unknown; use ${REQUIRE_KEYS.join(', ')}`, require[key])
      }
      for (const key of ['structuredOutput', 'onDevice']) flag(['require', key], require[key])
      whole(['require', 'minContext'], require.minContext)
    }
  }
  if (literal(output)) checkOutput(output, bad)
  const { temperature } = params
  if (literal(temperature) && !(typeof temperature === 'number' && temperature >= 0 && temperature <= 2)) {
    bad(['temperature'], 'must be a number from 0 to 2', temperature)
  }
  whole(['maxOutputTokens'], params.maxOutputTokens)
  whole(['timeoutMs'], params.timeoutMs)
  flag(['stream'], params.stream)

  function flag(path: PathSegment[], value: unknown) {
    if (literal(value) && typeof value !== 'boolean') bad(path, 'must be true or false', value)
  }
  function whole(path: PathSegment[], value: unknown) {
    if (literal(value) && !(typeof value === 'number' && Number.isInteger(value) && value >= 1)) {
      bad(path, 'must be a whole number ≥ 1', value)
    }
  }
}

function checkOutput(
  output: unknown,
  bad: (path: PathSegment[], rule: string, value: unknown) => void,
): void {
  if (!isRecord(output) || !isRecord(output.schema)) {
    bad(['output'], 'must be { "schema": <a JSON Schema object> }', output)
    return
  }
  for (const key of Object.keys(output)) {
    if (key !== 'schema' && key !== 'strict')
      bad(['output', key], 'is unknown; output takes schema and strict', output[key])
  }
  if (output.strict !== undefined && typeof output.strict !== 'boolean')
    bad(['output', 'strict'], 'must be true or false', output.strict)
  const problem = schemaProblem(output.schema, ['output', 'schema'])
  if (problem !== undefined) bad(problem.path, problem.rule, problem.value)
}

function isConversation(messages: unknown): boolean {
  return (
    Array.isArray(messages) &&
    messages.length > 0 &&
    messages.every((m) => isRecord(m) && ROLES.includes(m.role as string) && typeof m.content === 'string')
  )
}

/** The first place where `schema` is no JSON Schema (see the action's `schemaProblem`). */
function schemaProblem(
  schema: unknown,
  path: PathSegment[],
): { path: PathSegment[]; rule: string; value: unknown } | undefined {
  if (typeof schema === 'boolean') return undefined
  if (!isRecord(schema)) return { path, rule: 'must be a JSON Schema object', value: schema }
  const types = Array.isArray(schema.type) ? schema.type : schema.type === undefined ? [] : [schema.type]
  const wrong = types.find((type) => typeof type !== 'string' || !TYPES.includes(type))
  if (wrong !== undefined)
    return {
      path: [...path, 'type'],
      rule: `names no JSON type; use one of ${TYPES.join(', ')}`,
      value: wrong,
    }
  const { required, properties } = schema
  if (required !== undefined && !(Array.isArray(required) && required.every((n) => typeof n === 'string'))) {
    return { path: [...path, 'required'], rule: 'must be a list of property names', value: required }
  }
  if (properties !== undefined) {
    if (!isRecord(properties))
      return { path: [...path, 'properties'], rule: 'must be an object of schemas', value: properties }
    for (const [key, sub] of Object.entries(properties)) {
      const problem = schemaProblem(sub, [...path, 'properties', key])
      if (problem !== undefined) return problem
    }
  }
  for (const key of ['items', 'additionalProperties', 'not', 'contains']) {
    const problem = schema[key] === undefined ? undefined : schemaProblem(schema[key], [...path, key])
    if (problem !== undefined) return problem
  }
  for (const key of ['anyOf', 'oneOf', 'allOf', 'prefixItems']) {
    const list = schema[key]
    if (list === undefined) continue
    if (!Array.isArray(list)) return { path: [...path, key], rule: 'must be a list of schemas', value: list }
    for (const [index, sub] of list.entries()) {
      const problem = schemaProblem(sub, [...path, key, index])
      if (problem !== undefined) return problem
    }
  }
  return undefined
}
