import { APPROVAL_FORM_KEYWORDS, APPROVAL_FORM_TYPES } from '../types'

/*
 * The JSON Schema subset an approval's `form` is written in, and the check of a decision's form
 * against it. The keywords: `type` (string, number, integer, boolean, object, array, null),
 * `properties`, `required`, `enum`, `minimum`, `maximum`, `minLength`, `maxLength`, `pattern`,
 * `items`, and the annotations `title` and `description`. Any other keyword is refused when the
 * approval starts, rather than ignored when a decision comes.
 */

const TYPES = new Set(APPROVAL_FORM_TYPES)
const KEYWORDS = new Set(APPROVAL_FORM_KEYWORDS)

type Schema = Record<string, unknown>

/** One way a form fails its schema: where, and what is wrong (a `ValidationIssue`). */
export interface FormIssue {
  path: string
  code: 'form_invalid'
  message: string
}

/**
 * What is wrong with `schema` as a form schema (the first problem, by path), or `undefined`.
 *
 * @example
 * formSchemaProblem({ type: 'object', properties: { amount: { type: 'number', minimum: 0 } } }) // undefined
 * formSchemaProblem({ type: 'object', oneOf: [] }) // 'form.oneOf is not a keyword of the form schema subset …'
 */
export function formSchemaProblem(schema: unknown, path = 'form'): string | undefined {
  if (!isObject(schema)) return `${path} must be a JSON Schema object, got ${show(schema)}`
  for (const key of Object.keys(schema)) {
    if (!KEYWORDS.has(key))
      return `${path}.${key} is not a keyword of the form schema subset (${[...KEYWORDS].join(', ')})`
  }
  const { type, properties, required, enum: values, pattern, items } = schema
  if (type !== undefined && !(typeof type === 'string' && TYPES.has(type)))
    return `${path}.type must be one of ${[...TYPES].join(', ')}, got ${show(type)}`
  for (const key of ['minimum', 'maximum'] as const) {
    const n = schema[key]
    if (n !== undefined && !(typeof n === 'number' && Number.isFinite(n)))
      return `${path}.${key} must be a number, got ${show(n)}`
  }
  for (const key of ['minLength', 'maxLength'] as const) {
    const n = schema[key]
    if (n !== undefined && !(Number.isInteger(n) && (n as number) >= 0))
      return `${path}.${key} must be a whole number ≥ 0, got ${show(n)}`
  }
  if (values !== undefined && !(Array.isArray(values) && values.length > 0))
    return `${path}.enum must be a non-empty array of the allowed values, got ${show(values)}`
  if (pattern !== undefined) {
    if (typeof pattern !== 'string') return `${path}.pattern must be a string, got ${show(pattern)}`
    try {
      new RegExp(pattern, 'u')
    } catch (error) {
      return `${path}.pattern is not a valid regular expression: ${(error as Error).message}`
    }
  }
  if (required !== undefined && !(Array.isArray(required) && required.every((r) => typeof r === 'string')))
    return `${path}.required must be an array of property names, got ${show(required)}`
  if (properties !== undefined) {
    if (!isObject(properties))
      return `${path}.properties must be an object of schemas, got ${show(properties)}`
    for (const [name, property] of Object.entries(properties)) {
      const problem = formSchemaProblem(property, `${path}.properties.${name}`)
      if (problem) return problem
    }
  }
  return items === undefined ? undefined : formSchemaProblem(items, `${path}.items`)
}

/**
 * Every way `value` fails `schema` (a schema `formSchemaProblem` accepts), by path; empty when
 * it satisfies it.
 *
 * @example
 * formProblems({ type: 'object', required: ['amount'] }, {}) // [{ path: 'form.amount', code: 'form_invalid', message: 'is required' }]
 */
export function formProblems(schema: Schema, value: unknown, path = 'form'): FormIssue[] {
  const problems: FormIssue[] = []
  const { type } = schema
  if (type !== undefined && !hasType(value, type as string)) {
    problems.push(issue(path, `must be of type ${type}, got ${show(value)}`))
    return problems
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((allowed) => sameValue(allowed, value)))
    problems.push(issue(path, `must be one of ${JSON.stringify(schema.enum)}, got ${show(value)}`))
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum)
      problems.push(issue(path, `must be ≥ ${schema.minimum}, got ${value}`))
    if (typeof schema.maximum === 'number' && value > schema.maximum)
      problems.push(issue(path, `must be ≤ ${schema.maximum}, got ${value}`))
  }
  if (typeof value === 'string') {
    const length = [...value].length
    if (typeof schema.minLength === 'number' && length < schema.minLength)
      problems.push(issue(path, `must have at least ${schema.minLength} characters, got ${length}`))
    if (typeof schema.maxLength === 'number' && length > schema.maxLength)
      problems.push(issue(path, `must have at most ${schema.maxLength} characters, got ${length}`))
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value))
      problems.push(issue(path, `must match /${schema.pattern}/, got ${show(value)}`))
  }
  if (isObject(value)) {
    for (const name of (schema.required as string[] | undefined) ?? [])
      if (!Object.hasOwn(value, name)) problems.push(issue(`${path}.${name}`, 'is required'))
    const properties = (schema.properties as Record<string, Schema> | undefined) ?? {}
    for (const [name, property] of Object.entries(properties))
      if (Object.hasOwn(value, name)) problems.push(...formProblems(property, value[name], `${path}.${name}`))
  }
  if (Array.isArray(value) && isObject(schema.items)) {
    value.forEach((item, i) => {
      problems.push(...formProblems(schema.items as Schema, item, `${path}[${i}]`))
    })
  }
  return problems
}

function issue(path: string, message: string): FormIssue {
  return { path, code: 'form_invalid', message }
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'integer':
      return Number.isInteger(value)
    case 'number':
      return typeof value === 'number' && Number.isFinite(value)
    case 'object':
      return isObject(value)
    case 'array':
      return Array.isArray(value)
    case 'null':
      return value === null
    default:
      return typeof value === type
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function sameValue(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b)
}

function show(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}
