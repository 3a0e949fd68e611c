import { type Schema, Validator } from '@cfworker/json-schema'
import { JSON_SCHEMA_TYPES } from '../types'

/** A model's answer read against `output.schema`: the object, or what is wrong with it. */
export type StructuredAnswer = { ok: true; object: unknown } | { ok: false; problems: string[] }

/**
 * Parses `text` as JSON (a Markdown code fence around it is allowed: small models add one)
 * and validates it against `schema` (JSON Schema 2020-12, validated without `eval`).
 */
export function readStructured(text: string, schema: object): StructuredAnswer {
  const fenced = /^\s*```(?:json)?\s*\n([\s\S]*?)\n\s*```\s*$/.exec(text)
  let object: unknown
  try {
    object = JSON.parse(fenced?.[1] ?? text)
  } catch (error) {
    return { ok: false, problems: [`the answer is not JSON (${(error as Error).message})`] }
  }
  // A copy: the validator marks the schema it reads, and params are frozen.
  const result = new Validator(structuredClone(schema) as Schema, '2020-12', false).validate(object)
  if (result.valid) return { ok: true, object }
  // The innermost units say what is wrong; the outer ones only that a subschema failed.
  const problems = result.errors
    .filter((unit) => !['properties', 'items', 'allOf', '$ref'].includes(unit.keyword))
    .map((unit) => `${unit.instanceLocation.replace(/^#/, '') || '/'}: ${unit.error.replace(/\.$/, '')}`)
  return {
    ok: false,
    problems: problems.length > 0 ? problems.slice(0, 10) : ['the answer does not match the schema'],
  }
}

const TYPES = new Set(JSON_SCHEMA_TYPES)
const SUBSCHEMAS = ['items', 'additionalProperties', 'not', 'contains']
const SCHEMA_LISTS = ['anyOf', 'oneOf', 'allOf', 'prefixItems']

/**
 * What makes `schema` no JSON Schema, or undefined: a `type` that names no JSON type,
 * `properties` that are no object of schemas, `required` that is no list of names (at every
 * depth). The same rule `validate()` applies to literal params (src/definition/ai-params.ts).
 */
export function schemaProblem(schema: unknown, at = 'output.schema'): string | undefined {
  if (typeof schema === 'boolean') return undefined
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema))
    return `${at} must be a JSON Schema object`
  const s = schema as Record<string, unknown>
  const types = Array.isArray(s.type) ? s.type : s.type === undefined ? [] : [s.type]
  const wrong = types.find((type) => typeof type !== 'string' || !TYPES.has(type))
  if (wrong !== undefined)
    return `${at}.type ${JSON.stringify(wrong)} is no JSON type; use one of ${[...TYPES].join(', ')}`
  if (
    s.required !== undefined &&
    !(Array.isArray(s.required) && s.required.every((n) => typeof n === 'string'))
  ) {
    return `${at}.required must be a list of property names`
  }
  if (s.properties !== undefined) {
    if (typeof s.properties !== 'object' || s.properties === null || Array.isArray(s.properties)) {
      return `${at}.properties must be an object of schemas`
    }
    for (const [key, sub] of Object.entries(s.properties)) {
      const problem = schemaProblem(sub, `${at}.properties.${key}`)
      if (problem !== undefined) return problem
    }
  }
  for (const key of SUBSCHEMAS) {
    const problem = s[key] === undefined ? undefined : schemaProblem(s[key], `${at}.${key}`)
    if (problem !== undefined) return problem
  }
  for (const key of SCHEMA_LISTS) {
    if (s[key] === undefined) continue
    if (!Array.isArray(s[key])) return `${at}.${key} must be a list of schemas`
    for (const [index, sub] of (s[key] as unknown[]).entries()) {
      const problem = schemaProblem(sub, `${at}.${key}[${index}]`)
      if (problem !== undefined) return problem
    }
  }
  return undefined
}

/** The system instruction for a model that cannot constrain its answer to a schema itself. */
export function schemaInstruction(schema: object): string {
  return `Answer with one JSON value only, no prose and no code fence, that follows this JSON Schema: ${JSON.stringify(schema)}`
}

/** The message that asks a model to correct an answer that missed the schema (the one repair). */
export function repairRequest(problems: string[]): string {
  return `Your answer does not follow the JSON Schema: ${problems.join('; ')}. Answer again with the corrected JSON only.`
}
