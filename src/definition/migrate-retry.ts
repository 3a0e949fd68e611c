import type { ValidationIssue } from '../errors'
import { fieldHint } from './field-hints'
import { issueAt, type PathSegment, show } from './issue-path'
import type { SourcePaths } from './source-paths'

/** The retry and timeout fields of the older forms, on a task or on the whole workflow. */
export const OLD_RETRY_FIELDS = [
  'retry_count',
  'retry_delay',
  'retry_policy',
  'timeout_seconds',
  'timeout',
] as const

/**
 * Those read at the top level of a workflow, as `defaults`. A top-level `timeout` is left out: it
 * could mean the whole run (`timeoutMs`) as well as each task, so it is reported, not guessed.
 */
export const WORKFLOW_RETRY_FIELDS: readonly string[] = OLD_RETRY_FIELDS.filter(
  (field) => field !== 'timeout',
)

/** The 2.0 retry fields a `retry_policy` may also use as they are. */
const RETRY_FIELDS = ['maxAttempts', 'initialDelayMs', 'backoff', 'maxDelayMs', 'jitter']

/** `retry_policy` keys as Python users write them, and how each becomes a 2.0 retry field. */
const POLICY_KEYS: Record<string, (value: number) => [string, number]> = {
  max_retries: (n) => ['maxAttempts', n + 1],
  retries: (n) => ['maxAttempts', n + 1],
  retry_count: (n) => ['maxAttempts', n + 1],
  max_attempts: (n) => ['maxAttempts', n],
  delay: (s) => ['initialDelayMs', s * 1000],
  initial_delay: (s) => ['initialDelayMs', s * 1000],
  retry_delay: (s) => ['initialDelayMs', s * 1000],
  backoff: (x) => ['backoff', x],
  backoff_factor: (x) => ['backoff', x],
  multiplier: (x) => ['backoff', x],
  max_delay: (s) => ['maxDelayMs', s * 1000],
  jitter: (x) => ['jitter', x],
}

export interface OldRetry {
  retry?: Record<string, unknown>
  timeoutMs?: number
}

/**
 * Reads the older retry and timeout fields of `old` (a task, or a whole workflow):
 *
 * | older field | 2.0 |
 * |---|---|
 * | `retry_count: n` | `retry.maxAttempts: n + 1` |
 * | `retry_delay: s` (seconds) | `retry.initialDelayMs: s × 1000` |
 * | `retry_policy: { max_retries \| retries: n }` | `retry.maxAttempts: n + 1` |
 * | `retry_policy: { max_attempts: n }` | `retry.maxAttempts: n` |
 * | `retry_policy: { delay \| initial_delay: s, backoff \| backoff_factor: x, max_delay: s, jitter }` | `initialDelayMs`, `backoff`, `maxDelayMs`, `jitter` |
 * | `timeout_seconds: s`, `timeout: s` (seconds) | `timeoutMs: s × 1000` |
 *
 * `target` is where the result goes in 2.0 (`tasks.<id>` or `defaults`), for `sources`.
 */
export function oldRetry(
  old: Record<string, unknown>,
  at: PathSegment[],
  target: PathSegment[],
  issues: ValidationIssue[],
  sources: SourcePaths,
): OldRetry {
  const retry: Record<string, unknown> = {}
  const { retry_count: count, retry_delay: delay, retry_policy: policy } = old
  if (count !== undefined) {
    if (Number.isInteger(count) && (count as number) >= 0) retry.maxAttempts = (count as number) + 1
    else
      issues.push(
        issueAt(
          [...at, 'retry_count'],
          'invalid_value',
          `retry_count is a whole number ≥ 0; received ${show(count)}.`,
        ),
      )
    sources.set([...target, 'retry', 'maxAttempts'], [...at, 'retry_count'])
  }
  if (delay !== undefined) {
    if (typeof delay === 'number' && delay >= 0) retry.initialDelayMs = delay * 1000
    else
      issues.push(
        issueAt(
          [...at, 'retry_delay'],
          'invalid_value',
          `retry_delay is a number of seconds ≥ 0; received ${show(delay)}.`,
        ),
      )
    sources.set([...target, 'retry', 'initialDelayMs'], [...at, 'retry_delay'])
  }
  if (policy !== undefined)
    readPolicy(policy, [...at, 'retry_policy'], [...target, 'retry'], retry, issues, sources)
  const result: OldRetry = Object.keys(retry).length > 0 ? { retry } : {}
  for (const field of ['timeout_seconds', 'timeout'] as const) {
    const seconds = old[field]
    if (seconds === undefined) continue
    if (typeof seconds === 'number' && seconds > 0) result.timeoutMs = seconds * 1000
    else
      issues.push(
        issueAt(
          [...at, field],
          'invalid_value',
          `${field} is a number of seconds > 0; received ${show(seconds)}.`,
        ),
      )
    sources.set([...target, 'timeoutMs'], [...at, field])
  }
  return result
}

function readPolicy(
  policy: unknown,
  at: PathSegment[],
  target: PathSegment[],
  retry: Record<string, unknown>,
  issues: ValidationIssue[],
  sources: SourcePaths,
): void {
  if (typeof policy !== 'object' || policy === null || Array.isArray(policy)) {
    issues.push(
      issueAt(
        at,
        'invalid_type',
        `retry_policy is an object like { "max_retries": 3, "delay": 1 }; received ${show(policy)}.`,
      ),
    )
    return
  }
  for (const [key, value] of Object.entries(policy)) {
    if (RETRY_FIELDS.includes(key)) {
      retry[key] = value
      sources.set([...target, key], [...at, key])
      continue
    }
    const map = Object.hasOwn(POLICY_KEYS, key) ? POLICY_KEYS[key] : undefined
    if (map === undefined) {
      const hint = fieldHint('retry', key, RETRY_FIELDS) ?? fieldHint('retry', key, Object.keys(POLICY_KEYS))
      const guess = hint === undefined ? '' : ` did you mean "${hint.split(' ')[0]}"?`
      issues.push(
        issueAt(
          [...at, key],
          'unknown_field',
          `Unknown field "${key}" in retry_policy;${guess} It takes ${Object.keys(POLICY_KEYS).join(', ')} (delays in seconds) or the 2.0 fields ${RETRY_FIELDS.join(', ')}.`,
        ),
      )
      continue
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      issues.push(
        issueAt(
          [...at, key],
          'invalid_value',
          `retry_policy.${key} is a number ≥ 0; received ${show(value)}.`,
        ),
      )
      continue
    }
    const [field, converted] = map(value)
    retry[field] = converted
    sources.set([...target, field], [...at, key])
  }
}
