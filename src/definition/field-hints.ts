import { nearlyEqual } from './graph'

/** The kinds of object in a 2.0 definition whose fields are checked by name. */
export type FieldOwner = 'workflow' | 'task' | 'retry' | 'defaults' | 'compensate' | 'cache' | 'param'

/**
 * Names people bring from other formats, and what they are called in 2.0. A hint says how the
 * value changes when it is not only a rename (seconds become milliseconds, a retry count one
 * more attempt).
 */
const RENAMES: Record<FieldOwner, Record<string, string>> = {
  workflow: {
    parameters: 'params',
    inputs: 'params',
    default: 'defaults',
    timeout: 'timeoutMs (in ms)',
    timeout_seconds: 'defaults.timeoutMs (in ms)',
    retry: 'defaults.retry',
    retry_policy: 'defaults.retry',
    retry_count: 'defaults.retry.maxAttempts (retries + 1)',
    retry_delay: 'defaults.retry.initialDelayMs (in ms)',
    max_concurrency: 'concurrency',
    result: 'output',
    steps: 'tasks (steps are the schema 1.0 form: remove schemaVersion "2.0" to have them migrated)',
  },
  task: {
    parameters: 'params',
    config: 'params',
    args: 'params',
    inputs: 'params',
    handler: 'action',
    type: 'action',
    uses: 'action',
    dependencies: 'dependsOn',
    depends: 'dependsOn',
    needs: 'dependsOn',
    after: 'dependsOn',
    timeout: 'timeoutMs (in ms)',
    timeout_seconds: 'timeoutMs (in ms)',
    retry_policy: 'retry',
    retries: 'retry.maxAttempts (retries + 1)',
    retry_count: 'retry.maxAttempts (retries + 1)',
    retry_delay: 'retry.initialDelayMs (in ms)',
    max_attempts: 'retry.maxAttempts',
    maxAttempts: 'retry.maxAttempts',
    condition: 'when',
    conditions: 'when',
    if: 'when',
    each: 'forEach',
    items: 'forEach',
    loop: 'forEach',
    trigger_rule: 'trigger',
    title: 'name',
  },
  retry: {
    attempts: 'maxAttempts',
    max_retries: 'maxAttempts (retries + 1)',
    retries: 'maxAttempts (retries + 1)',
    retry_count: 'maxAttempts (retries + 1)',
    delay: 'initialDelayMs (in ms)',
    initial_delay: 'initialDelayMs (in ms)',
    backoff_factor: 'backoff',
    multiplier: 'backoff',
    max_delay: 'maxDelayMs (in ms)',
  },
  defaults: { timeout: 'timeoutMs (in ms)', retry_policy: 'retry', on_error: 'onError' },
  compensate: { handler: 'action', parameters: 'params', config: 'params' },
  cache: { ttl: 'ttlMs (in ms)', ttl_seconds: 'ttlMs (in ms)', expires: 'ttlMs (in ms)' },
  param: { optional: 'required (false)', values: 'enum', choices: 'enum', doc: 'description' },
}

/** `dependsOn`, `depends_on`, `Depends-On` all read as `dependson`. */
function folded(name: string): string {
  return name.toLowerCase().replace(/[_\s-]+/g, '')
}

/**
 * What an unknown field most likely means, among the `allowed` fields of its owner: a known
 * rename (`parameters` → `params`), the same name in another case or spelling (`depends_on` →
 * `dependsOn`), or a name one edit away (`dependOn` → `dependsOn`). Undefined when none fits.
 *
 * @example
 * fieldHint('task', 'handler', TASK_FIELDS) // 'action'
 * fieldHint('retry', 'max_attempts', RETRY_FIELDS) // 'maxAttempts'
 */
export function fieldHint(owner: FieldOwner, field: string, allowed: readonly string[]): string | undefined {
  const renamed = Object.hasOwn(RENAMES[owner], field) ? RENAMES[owner][field] : undefined
  if (renamed !== undefined) return renamed
  const key = folded(field)
  const same = allowed.find((name) => folded(name) === key)
  if (same !== undefined) return same
  return allowed.find((name) => nearlyEqual(folded(name), key) && key.length > 2)
}
