import type { ValidationIssue } from '../errors'
import { type FieldOwner, fieldHint } from './field-hints'
import { issueAt, listNames, type PathSegment } from './issue-path'

/** The fields each kind of object in a definition takes. */
export type FieldTable = Record<FieldOwner, readonly string[]>

const OWNER_WORDS: Record<FieldOwner, string> = {
  workflow: 'a workflow definition',
  task: 'a task',
  retry: 'a retry policy',
  defaults: 'defaults',
  compensate: 'compensate',
  cache: 'cache',
  param: 'a parameter spec',
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * Every unknown field of a definition, in one pass (a strict schema stops at the first of each
 * object), each with what it most likely means: `parameters` → `params`, `depends_on` →
 * `dependsOn`, `handler` → `action`.
 */
export function unknownFields(doc: unknown, fields: FieldTable): ValidationIssue[] {
  const issues: ValidationIssue[] = []
  const check = (owner: FieldOwner, value: unknown, at: PathSegment[]) => {
    if (!isRecord(value)) return
    for (const key of Object.keys(value)) {
      if (fields[owner].includes(key)) continue
      const hint = fieldHint(owner, key, fields[owner])
      const guess = hint === undefined ? '' : ` did you mean ${quoteFirst(hint)}?`
      issues.push(
        issueAt(
          [...at, key],
          'unknown_field',
          `Unknown field "${key}" in ${OWNER_WORDS[owner]};${guess} Allowed fields: ${listNames(fields[owner], 20)}.`,
        ),
      )
    }
  }
  if (!isRecord(doc)) return issues
  check('workflow', doc, [])
  if (isRecord(doc.defaults)) {
    check('defaults', doc.defaults, ['defaults'])
    check('retry', doc.defaults.retry, ['defaults', 'retry'])
  }
  if (isRecord(doc.params))
    for (const [name, spec] of Object.entries(doc.params)) check('param', spec, ['params', name])
  if (isRecord(doc.tasks)) {
    for (const [id, task] of Object.entries(doc.tasks)) {
      if (!isRecord(task)) continue
      check('task', task, ['tasks', id])
      check('retry', task.retry, ['tasks', id, 'retry'])
      check('compensate', task.compensate, ['tasks', id, 'compensate'])
      check('cache', task.cache, ['tasks', id, 'cache'])
    }
  }
  return issues
}

/** `params` → `"params"`; `timeoutMs (in ms)` → `"timeoutMs" (in ms)`. */
function quoteFirst(hint: string): string {
  const space = hint.indexOf(' ')
  return space < 0 ? `"${hint}"` : `"${hint.slice(0, space)}"${hint.slice(space)}`
}
