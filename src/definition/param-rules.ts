import type { ValidationIssue } from '../errors'
import { nearlyEqual } from './graph'
import { issueAt, type PathSegment } from './issue-path'
import { hasTemplate } from './template-scanner'

/**
 * Checks one built-in's literal `params` (an object, or `{}` when the task has none), pushing an
 * issue per problem; `at` is the path of the params (`tasks.<id>.params`). `workflowId` is the
 * id of the workflow the task is in (not given for a compensation).
 */
export type ParamsCheck = (
  params: Record<string, unknown>,
  at: PathSegment[],
  issues: ValidationIssue[],
  workflowId?: unknown,
) => void

/**
 * A param issue's codes: missing, of a wrong type or value, a key the action does not take, a
 * form keyword outside the subset, a child run of the workflow it is in.
 */
export type ParamIssueCode =
  | 'param_required'
  | 'param_invalid'
  | 'unknown_param'
  | 'unsupported_keyword'
  | 'self_reference'

/**
 * True when `value` is resolved as the task runs (a string holding `${ }`): its check is the
 * action's, since only then is its value known.
 */
export function isComputed(value: unknown): boolean {
  return typeof value === 'string' && hasTemplate(value)
}

/** True for a plain object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The names of `options` that `word` likely means (same but for case, or one edit away). */
export function closeNames(word: string, options: Iterable<string>): string[] {
  const lower = word.toLowerCase()
  return [...options].filter((option) => option.toLowerCase() === lower || nearlyEqual(option, word))
}

/**
 * How a message about a wrong `word` ends: `; did you mean "x"?` when it is close to one of
 * `options`, else `.`.
 */
export function endWithGuess(word: unknown, options: Iterable<string>): string {
  const close = typeof word === 'string' ? closeNames(word, options) : []
  return close.length > 0 ? `; did you mean ${close.map((name) => `"${name}"`).join(' or ')}?` : '.'
}

/**
 * For a missing key `wanted`: `; rename "valeu" to "value"` when the params hold a key that is
 * likely it misspelt, or nothing.
 */
export function renameHint(params: Record<string, unknown>, wanted: string): string {
  const misspelt = Object.keys(params).find((key) => closeNames(key, [wanted]).length > 0)
  return misspelt === undefined ? '' : `; rename "${misspelt}" to "${wanted}"`
}

/** Adds an issue of a built-in param, at its path. */
export function paramIssue(
  issues: ValidationIssue[],
  at: readonly PathSegment[],
  code: ParamIssueCode,
  message: string,
): void {
  issues.push(issueAt(at, code, message))
}
