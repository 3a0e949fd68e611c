import { ArgumentError } from '../src/errors'
import type { EngineOptions } from '../src/index'

/**
 * What a page may set of the default worker's engine (`connectEngine(undefined, { engine })`):
 * the options that are plain JSON. Functions (actions, `authorize`, `groupsOf`, a clock) and
 * machines are code, which cannot cross `postMessage`: an app that needs them writes its own
 * worker with `createEngine`.
 */
export interface DefaultWorkerOptions
  extends Pick<
    EngineOptions,
    | 'maxConcurrentRuns'
    | 'maxChildDepth'
    | 'snapshotEvery'
    | 'defaults'
    | 'secrets'
    | 'http'
    | 'files'
    | 'models'
    | 'limits'
    | 'retention'
    | 'cache'
    | 'actionAliases'
  > {
  /** The IndexedDB database (`indexedDbStore`'s options). Default: `{ name: 'spindle' }`. */
  store?: { name?: string; durability?: 'strict' | 'relaxed' }
}

// Every field, so that the compiler says when one is added to the type and not here.
const FIELDS = {
  store: true,
  maxConcurrentRuns: true,
  maxChildDepth: true,
  snapshotEvery: true,
  defaults: true,
  secrets: true,
  http: true,
  files: true,
  models: true,
  limits: true,
  retention: true,
  cache: true,
  actionAliases: true,
} as const satisfies Record<keyof DefaultWorkerOptions, true>

/**
 * `connectEngine`'s `engine` option checked on the page: an object of known fields holding
 * plain JSON only (objects, arrays, strings, finite numbers, booleans, null). Throws one
 * `ArgumentError` that lists every problem. The values themselves are checked by `createEngine`
 * in the worker, which fails to start (`WorkerUnavailableError` naming the problem) on a bad one.
 */
export function checkDefaultWorkerOptions(options: unknown): asserts options is DefaultWorkerOptions {
  const problems: string[] = []
  if (!isPlainObject(options)) {
    problems.push(`it must be an object of engine options, got ${kindOf(options)}`)
  } else {
    for (const [key, value] of Object.entries(options)) {
      if (!Object.hasOwn(FIELDS, key)) {
        problems.push(`unknown field "${key}" (the default worker takes ${Object.keys(FIELDS).join(', ')})`)
      } else {
        notJson(value, key, problems)
      }
    }
  }
  if (problems.length === 0) return
  throw new ArgumentError(
    `connectEngine: "engine" is not right: ${problems.join('; ')}. Only plain JSON options reach the default worker; ` +
      'for actions, authorize or machines, write a worker with createEngine and pass it to connectEngine(worker).',
    { value: secretsBlanked(options) },
  )
}

/**
 * `options` as an error may carry it: with each value of `secrets` replaced by "[secret]" (the
 * whole field, when it is not an object of them), since an error's value is logged and serialized.
 */
export function secretsBlanked(options: unknown): unknown {
  if (!isPlainObject(options) || options.secrets === undefined) return options
  const { secrets } = options
  const blanked = isPlainObject(secrets)
    ? Object.fromEntries(Object.keys(secrets).map((name) => [name, '[secret]']))
    : '[secret]'
  return { ...options, secrets: blanked }
}

/** Pushes a problem for every place under `value` that is not plain JSON. */
function notJson(value: unknown, path: string, problems: string[]): void {
  // A field left undefined (as a spread writes it) is a field left out.
  if (value === undefined || value === null || typeof value === 'string' || typeof value === 'boolean') return
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) problems.push(`${path} is ${value}, which JSON cannot hold`)
    return
  }
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) notJson(item, `${path}[${index}]`, problems)
    return
  }
  if (isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) notJson(item, `${path}.${key}`, problems)
    return
  }
  problems.push(`${path} is ${kindOf(value)}, not plain JSON`)
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

function kindOf(value: unknown): string {
  if (value === undefined) return 'undefined'
  if (value === null) return 'null'
  if (typeof value === 'function') return 'a function'
  if (typeof value === 'object') return `an instance of ${value.constructor?.name ?? 'a class'}`
  return `a ${typeof value}`
}
