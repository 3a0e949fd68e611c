import { type Schema, Validator } from '@cfworker/json-schema'

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

/** The system instruction for a model that cannot constrain its answer to a schema itself. */
export function schemaInstruction(schema: object): string {
  return `Answer with one JSON value only, no prose and no code fence, that follows this JSON Schema: ${JSON.stringify(schema)}`
}

/** The message that asks a model to correct an answer that missed the schema (the one repair). */
export function repairRequest(problems: string[]): string {
  return `Your answer does not follow the JSON Schema: ${problems.join('; ')}. Answer again with the corrected JSON only.`
}
