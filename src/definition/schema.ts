import * as v from 'valibot'
import type { ValidationIssue } from '../errors'
import { formatPath, listNames } from './issue-path'
import { type FieldTable, unknownFields } from './unknown-fields'

type Entries = v.ObjectEntries

/** A strict object: unknown fields are reported, usually a typo (`depends_on` for `dependsOn`). */
function strict<T extends Entries>(what: string, entries: T) {
  const allowed = listNames(Object.keys(entries), 20)
  return v.strictObject(entries, (issue) => {
    const key = issue.path?.at(-1)
    if (key?.origin === 'key' && issue.expected === 'never') {
      return `Unknown field ${issue.received} in ${what}; allowed fields: ${allowed}.`
    }
    const subject = what[0]!.toUpperCase() + what.slice(1)
    if (key?.origin === 'key') return `${subject} needs the field ${issue.expected}.`
    return `${subject} must be an object; received ${issue.received}.`
  })
}

/** `v.record` alone lets arrays through; a record here is always a JSON object. */
function recordOf<T extends v.GenericSchema>(value: T, message: string) {
  const isObject = (input: unknown) => typeof input === 'object' && input !== null && !Array.isArray(input)
  return v.pipe(v.custom<Record<string, unknown>>(isObject, message), v.record(v.string(), value, message))
}

const CACHE_SCOPES = ['global', 'definition', 'run'] as const
const text = (what: string) => v.string(`${what} must be a string.`)
const positive = (what: string) =>
  v.pipe(v.number(`${what} must be a number.`), v.gtValue(0, `${what} must be greater than 0.`))
const atLeastZero = (what: string) =>
  v.pipe(v.number(`${what} must be a number.`), v.minValue(0, `${what} must be 0 or more.`))
const count = (what: string) =>
  v.pipe(
    v.number(`${what} must be a number.`),
    v.integer(`${what} must be a whole number.`),
    v.minValue(1, `${what} must be at least 1.`),
  )

const ON_ERROR = ['fail', 'skip', 'continue', 'pause'] as const
const onError = v.picklist(ON_ERROR, `onError is one of ${ON_ERROR.join(', ')}.`)

/** The trigger rules a task may name, the default first. */
export const TRIGGER_RULES = ['all-success', 'none-failed', 'all-done', 'one-success'] as const
const trigger = v.picklist(TRIGGER_RULES, (issue) => {
  const close = closestRule(issue.input)
  const hint = close === undefined ? '' : `did you mean "${close}"? `
  return `Unknown trigger ${JSON.stringify(issue.input)}; ${hint}trigger is one of ${TRIGGER_RULES.join(', ')} (default all-success).`
})

/** The rule a misspelt trigger most likely means: Airflow's `all_success`, `ALL-DONE`, `none_failed_min_one_success`. */
function closestRule(input: unknown): string | undefined {
  if (typeof input !== 'string') return undefined
  const spelt = input
    .trim()
    .toLowerCase()
    .replace(/[_\s]+/g, '-')
  if (spelt === 'none-failed-min-one-success') return 'none-failed'
  return TRIGGER_RULES.find((rule) => rule === spelt || rule.replace(/-/g, '') === spelt.replace(/-/g, ''))
}

const retrySchema = strict('a retry policy', {
  maxAttempts: v.optional(
    v.pipe(
      count('retry.maxAttempts (attempts in all, the first included)'),
      v.maxValue(100, 'retry.maxAttempts is at most 100.'),
    ),
  ),
  initialDelayMs: v.optional(atLeastZero('retry.initialDelayMs')),
  backoff: v.optional(
    v.pipe(
      v.number('retry.backoff must be a number.'),
      v.minValue(1, 'retry.backoff is a multiplier of at least 1.'),
    ),
  ),
  maxDelayMs: v.optional(atLeastZero('retry.maxDelayMs')),
  jitter: v.optional(
    v.pipe(
      v.number('retry.jitter must be a number.'),
      v.minValue(0, 'retry.jitter is a fraction from 0 to 1.'),
      v.maxValue(1, 'retry.jitter is a fraction from 0 to 1.'),
    ),
  ),
})

const paramsSchema = recordOf(v.unknown(), 'params must be an object of named values.')

const paramSpecSchema = strict('a parameter spec', {
  type: text('The parameter type'),
  required: v.optional(v.boolean('required must be true or false.')),
  default: v.optional(v.unknown()),
  description: v.optional(text('description')),
  enum: v.optional(v.array(v.unknown(), 'enum must be an array of the allowed values.')),
})

const compensateSchema = strict('compensate', {
  action: v.pipe(text('compensate.action'), v.minLength(1, 'compensate.action cannot be empty.')),
  params: v.optional(paramsSchema),
})

const cacheSchema = strict('cache', {
  ttlMs: positive('cache.ttlMs'),
  key: v.optional(text('cache.key')),
  scope: v.optional(v.picklist(CACHE_SCOPES, `cache.scope is one of ${CACHE_SCOPES.join(', ')}.`)),
})

const taskSchema = strict('a task', {
  action: v.pipe(
    text('action'),
    v.minLength(1, 'action names the action the task runs; it cannot be empty.'),
  ),
  name: v.optional(text('name')),
  description: v.optional(text('description')),
  params: v.optional(paramsSchema),
  dependsOn: v.optional(
    v.array(text('Each dependsOn entry (a task id)'), 'dependsOn must be an array of task ids.'),
  ),
  when: v.optional(text('when (a CEL expression)')),
  forEach: v.optional(text('forEach (a CEL expression)')),
  concurrency: v.optional(count('concurrency')),
  retry: v.optional(retrySchema),
  timeoutMs: v.optional(positive('timeoutMs')),
  onError: v.optional(onError),
  compensate: v.optional(compensateSchema),
  cache: v.optional(cacheSchema),
  expectedDurationMs: v.optional(positive('expectedDurationMs')),
  trigger: v.optional(trigger),
})

const defaultsSchema = strict('defaults', {
  timeoutMs: v.optional(positive('defaults.timeoutMs')),
  retry: v.optional(retrySchema),
  onError: v.optional(onError),
})

/** The valibot schema of a schema-2.0 workflow definition (shape and ranges; meaning is checked in `validate.ts`). */
export const workflowDefinitionSchema = strict('a workflow definition', {
  $schema: v.optional(text('$schema (the address of the JSON Schema, for editors)')),
  schemaVersion: v.literal('2.0', 'schemaVersion must be "2.0".'),
  id: text('id'),
  version: text('version'),
  name: v.optional(text('name')),
  description: v.optional(text('description')),
  params: v.optional(recordOf(paramSpecSchema, 'params must be an object of parameter specs.')),
  defaults: v.optional(defaultsSchema),
  concurrency: v.optional(count('concurrency')),
  expectedDurationMs: v.optional(positive('expectedDurationMs')),
  timeoutMs: v.optional(positive('timeoutMs')),
  tasks: recordOf(taskSchema, 'tasks must be an object of tasks keyed by task id.'),
  output: v.optional(text('output (a CEL expression)')),
})

/**
 * Checks the shape of a 2.0 definition. Returns one issue per offending path, with a code:
 * `required`, `unknown_field`, `invalid_type`, `invalid_value`, `not_integer`, `out_of_range`.
 *
 * @example
 * checkSchema({ schemaVersion: '2.0', id: 'a', version: '1.0.0', tasks: { x: { action: 'noop', depends_on: [] } } })
 * // [{ path: 'tasks.x.depends_on', code: 'unknown_field', message: 'Unknown field "depends_on" in a task; …' }]
 */
export function checkSchema(doc: unknown): ValidationIssue[] {
  const result = v.safeParse(workflowDefinitionSchema, doc)
  if (result.success) return []
  // The strict objects report only their first unknown field: all of them come from one pass.
  const issues = unknownFields(doc, FIELDS)
  const seen = new Set<string>(issues.map((issue) => issue.path))
  for (const issue of result.issues) {
    const code = codeOf(issue)
    if (code === 'unknown_field') continue
    const path = formatPath((issue.path ?? []).map((item) => item.key as string | number))
    if (seen.has(path)) continue
    seen.add(path)
    issues.push({ path, code, message: issue.message })
  }
  return issues
}

/** The fields each kind of object takes, from the schema itself. */
const FIELDS: FieldTable = {
  workflow: Object.keys(workflowDefinitionSchema.entries),
  task: Object.keys(taskSchema.entries),
  retry: Object.keys(retrySchema.entries),
  defaults: Object.keys(defaultsSchema.entries),
  compensate: Object.keys(compensateSchema.entries),
  cache: Object.keys(cacheSchema.entries),
  param: Object.keys(paramSpecSchema.entries),
}

function codeOf(issue: v.BaseIssue<unknown>): string {
  if (issue.type === 'strict_object' && issue.path?.at(-1)?.origin === 'key') {
    return issue.expected === 'never' ? 'unknown_field' : 'required'
  }
  switch (issue.type) {
    case 'picklist':
    case 'literal':
    case 'min_length':
      return 'invalid_value'
    case 'integer':
      return 'not_integer'
    case 'min_value':
    case 'max_value':
    case 'gt_value':
      return 'out_of_range'
    default:
      return 'invalid_type'
  }
}
