import type { ValidationIssue } from '../errors'
import type { ParamSpec, ParamType, WorkflowDefinition } from '../types'
import { formatPath, listNames, show } from './issue-path'

/** The types a parameter spec may declare. */
export const PARAM_TYPES: readonly ParamType[] = [
  'string',
  'number',
  'integer',
  'boolean',
  'object',
  'array',
  'any',
]

/** True when `value` is of the declared parameter type. */
export function matchesParamType(type: ParamType, value: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string'
    case 'number':
      return typeof value === 'number' && Number.isFinite(value)
    case 'integer':
      return Number.isSafeInteger(value)
    case 'boolean':
      return typeof value === 'boolean'
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value)
    case 'array':
      return Array.isArray(value)
    case 'any':
      return value !== undefined
  }
}

/** True when `value` is one of `allowed`, compared as JSON. */
export function inEnum(allowed: readonly unknown[], value: unknown): boolean {
  const text = JSON.stringify(value)
  return allowed.some((option) => option === value || JSON.stringify(option) === text)
}

/**
 * Checks a run's input against the definition's `params` and fills in defaults (copied, so a
 * run cannot change the definition's default). Input keys the definition does not declare are
 * refused when it declares any params; a definition without `params` takes any object.
 *
 * @example
 * validateInput(def, { orderId: 'A-1' }) // { ok: true, value: { orderId: 'A-1', priority: 1 } }
 * validateInput(def, { priority: 'high' })
 * // { ok: false, issues: [{ path: 'orderId', code: 'required', … }, { path: 'priority', code: 'invalid_type', … }] }
 */
export function validateInput(
  def: WorkflowDefinition,
  input: unknown,
): { ok: true; value: Record<string, unknown> } | { ok: false; issues: ValidationIssue[] } {
  const given = input ?? {}
  if (typeof given !== 'object' || Array.isArray(given)) {
    return {
      ok: false,
      issues: [
        {
          path: '',
          code: 'invalid_type',
          message: `The run input is an object of named values; received ${show(input)}.`,
        },
      ],
    }
  }
  const values = given as Record<string, unknown>
  const specs = def.params
  if (specs === undefined) return { ok: true, value: { ...values } }

  const issues: ValidationIssue[] = []
  const value: Record<string, unknown> = {}
  for (const [name, spec] of Object.entries(specs)) {
    const path = formatPath([name])
    if (values[name] === undefined || !Object.hasOwn(values, name)) {
      if (spec.default !== undefined) value[name] = structuredClone(spec.default)
      else if (spec.required) issues.push({ path, code: 'required', message: requiredMessage(name, spec) })
      continue
    }
    const problem = checkValue(name, spec, values[name])
    if (problem) issues.push({ path, ...problem })
    else value[name] = values[name]
  }
  const declared = Object.keys(specs)
  for (const name of Object.keys(values)) {
    if (!Object.hasOwn(specs, name) && values[name] !== undefined) {
      issues.push({
        path: formatPath([name]),
        code: 'unknown_param',
        message: `"${name}" is not a parameter of workflow "${def.id}"; its parameters are: ${listNames(declared) || '(none)'}.`,
      })
    }
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value }
}

function checkValue(
  name: string,
  spec: ParamSpec,
  value: unknown,
): { code: string; message: string } | undefined {
  if (!matchesParamType(spec.type, value)) {
    return {
      code: 'invalid_type',
      message: `"${name}" must be ${article(spec.type)}; received ${show(value)}.`,
    }
  }
  if (spec.enum !== undefined && !inEnum(spec.enum, value)) {
    return {
      code: 'invalid_value',
      message: `"${name}" must be one of ${spec.enum.map((option) => show(option, 30)).join(', ')}; received ${show(value)}.`,
    }
  }
  return undefined
}

function requiredMessage(name: string, spec: ParamSpec): string {
  const about = spec.description ? ` (${spec.description})` : ''
  return `"${name}"${about} is required: pass ${article(spec.type)} as input.${name}.`
}

/** `a string`, `an integer`, `any value`. */
export function article(type: ParamType): string {
  if (type === 'any') return 'any value'
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`
}
