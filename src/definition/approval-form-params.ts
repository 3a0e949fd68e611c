import type { ValidationIssue } from '../errors'
import { APPROVAL_FORM_KEYWORDS, APPROVAL_FORM_TYPES } from '../types'
import { formatPath, type PathSegment, show } from './issue-path'
import { endWithGuess, isComputed, isRecord, paramIssue } from './param-rules'

/*
 * The register-time rules of an approval's `form`: the JSON Schema subset the `approval` action
 * accepts (src/actions/approval-form.ts refuses the same schemas when the approval starts).
 */

const TYPES = APPROVAL_FORM_TYPES
const KEYWORDS = APPROVAL_FORM_KEYWORDS

/**
 * Every literal problem of `schema` as an approval form, by path: `params` is the path of the
 * task's params, `rel` the schema's place under them (`['form']`, then deeper). A `${ }` value
 * anywhere in it is left to the action, which checks the resolved schema.
 *
 * @example
 * checkFormSchema({ type: 'date' }, ['tasks', 't', 'params'], ['form'], issues)
 * // issues: [{ path: 'tasks.t.params.form.type', code: 'param_invalid', … }]
 */
export function checkFormSchema(
  schema: unknown,
  params: readonly PathSegment[],
  rel: readonly PathSegment[],
  issues: ValidationIssue[],
): void {
  if (isComputed(schema)) return
  const invalid = (key: string | undefined, rule: string, value: unknown, end = '.') => {
    const where = key === undefined ? rel : [...rel, key]
    paramIssue(
      issues,
      [...params, ...where],
      'param_invalid',
      `approval: params.${formatPath(where)} ${rule}; got ${show(value)}${end}`,
    )
  }
  if (!isRecord(schema)) {
    invalid(undefined, 'must be a JSON Schema object, like { type: "object", properties: { … } }', schema)
    return
  }
  for (const key of Object.keys(schema)) {
    if (KEYWORDS.includes(key)) continue
    paramIssue(
      issues,
      [...params, ...rel, key],
      'unsupported_keyword',
      `approval: params.${formatPath([...rel, key])} is not a keyword of the form schema subset (${KEYWORDS.join(', ')})${endWithGuess(key, KEYWORDS)}`,
    )
  }
  const known = (key: string) => schema[key] !== undefined && !isComputed(schema[key])
  const { type, enum: values, pattern, required, properties } = schema
  if (known('type') && !(typeof type === 'string' && TYPES.includes(type)))
    invalid('type', `must be one of ${TYPES.join(', ')}`, type, endWithGuess(type, TYPES))
  for (const key of ['minimum', 'maximum'])
    if (known(key) && !(typeof schema[key] === 'number' && Number.isFinite(schema[key])))
      invalid(key, 'must be a number', schema[key])
  for (const key of ['minLength', 'maxLength'])
    if (known(key) && !(Number.isInteger(schema[key]) && (schema[key] as number) >= 0))
      invalid(key, 'must be a whole number ≥ 0', schema[key])
  if (known('enum') && !(Array.isArray(values) && values.length > 0))
    invalid('enum', 'must be a non-empty array of the allowed values', values)
  if (known('pattern')) {
    const problem = patternProblem(pattern)
    if (problem) invalid('pattern', problem, pattern)
  }
  if (
    known('required') &&
    !(Array.isArray(required) && required.every((name) => typeof name === 'string' || isComputed(name)))
  )
    invalid('required', 'must be an array of property names', required)
  if (known('properties')) {
    if (!isRecord(properties))
      invalid('properties', 'must be an object of schemas, one per property', properties)
    else
      for (const [name, property] of Object.entries(properties))
        checkFormSchema(property, params, [...rel, 'properties', name], issues)
  }
  if (schema.items !== undefined) checkFormSchema(schema.items, params, [...rel, 'items'], issues)
}

function patternProblem(pattern: unknown): string | undefined {
  if (typeof pattern !== 'string') return 'must be a regular expression, as a string'
  try {
    new RegExp(pattern, 'u')
    return undefined
  } catch (error) {
    return `is not a valid regular expression (${(error as Error).message}); write one JavaScript accepts with the u flag`
  }
}
