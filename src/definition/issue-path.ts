import type { ValidationIssue } from '../errors'

/** One step of a path into a definition: an object key or an array index. */
export type PathSegment = string | number

const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/

/**
 * Formats a path the way issues report it: `tasks.b.dependsOn[0]`, `params["order id"]`.
 *
 * @example
 * formatPath(['tasks', 'b', 'dependsOn', 0]) // 'tasks.b.dependsOn[0]'
 */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = ''
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`
    else if (PLAIN_KEY.test(segment)) out += out === '' ? segment : `.${segment}`
    else out += `[${JSON.stringify(segment)}]`
  }
  return out
}

/** Builds a `ValidationIssue` from a path given as segments. */
export function issueAt(segments: readonly PathSegment[], code: string, message: string): ValidationIssue {
  return { path: formatPath(segments), code, message }
}

/** A value shown inside a message: JSON, cut short when long. */
export function show(value: unknown, max = 60): string {
  let text: string
  try {
    text = typeof value === 'bigint' ? `${value}n` : (JSON.stringify(value) ?? String(value))
  } catch {
    text = String(value)
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}

/** A short list of names for a message: `a, b, c` or `a, b, c … (40 in all)`. */
export function listNames(names: readonly string[], max = 12): string {
  const shown = names.slice(0, max).join(', ')
  return names.length > max ? `${shown} … (${names.length} in all)` : shown
}
