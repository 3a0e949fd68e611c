import { loadDefinition } from '../definition/load'
import { DefinitionError } from '../errors'
import type { EngineDefaults, ParamSpec, TaskDefinition, ValidationIssue, WorkflowDefinition } from '../types'
import { type Expr, reference, sourceOf } from './refs'
import type {
  ActionMap,
  ActionName,
  BuiltinActions,
  InputFromSpecs,
  InputOf,
  OutputOf,
  ParamsOf,
  Scope,
  TaskOptions,
} from './types'

/** The built-in action names (a type test keeps this list and `BuiltinActions` the same). */
export const BUILTIN_NAMES = [
  'noop',
  'delay',
  'transform',
  'wait-for-event',
  'approval',
  'state-machine',
  'subworkflow',
  'http',
  'file',
  'ai',
] as const satisfies readonly (keyof BuiltinActions)[]

/** No actions, tasks or inputs yet. */
type Empty = Record<never, never>

type Params<A extends ActionMap, N, Tasks, Input> =
  | ParamsOf<InputOf<A, N>>
  | ((t: Scope<Tasks, Input>) => ParamsOf<InputOf<A, N>>)

/**
 * Builds a schema-2.0 definition in code, typed by the app's actions: `task` takes only known
 * action names, params of the action's input type (each value may be an expression of its type),
 * `dependsOn` only tasks declared before, and a params function reads earlier tasks' outputs
 * with their output types. Every call adds to this builder and returns it.
 *
 * @example
 * const order = workflow('order', '1.0.0', { actions })
 *   .params({ orderId: { type: 'string', required: true } })
 *   .task('fetch', 'http', (t) => ({ url: `https://shop.test/orders/${t.input.orderId}` }))
 *   .task('check', 'validate-order', (t) => ({ order: t.tasks.fetch.output.body }))
 *   .build()
 */
export class WorkflowBuilder<A extends ActionMap = Empty, Tasks = Empty, Input = Empty> {
  readonly #head: Omit<WorkflowDefinition, 'tasks'>
  readonly #tasks: Record<string, TaskDefinition> = {}
  readonly #issues: ValidationIssue[] = []
  readonly #actions: ReadonlySet<string> | undefined

  constructor(id: string, version: string, actions?: A) {
    this.#head = { schemaVersion: '2.0', id, version }
    this.#actions = actions === undefined ? undefined : new Set([...BUILTIN_NAMES, ...Object.keys(actions)])
  }

  /** Sets the display name. */
  name(name: string): this {
    this.#head.name = name
    return this
  }

  /** Sets the description. */
  describe(description: string): this {
    this.#head.description = description
    return this
  }

  /** Declares the run input; `t.input` is then typed by these specs. */
  params<P extends Record<string, ParamSpec>>(
    specs: P,
  ): WorkflowBuilder<A, Tasks, Input & InputFromSpecs<P>> {
    this.#head.params = { ...this.#head.params, ...specs }
    return this as never
  }

  /** Sets `defaults` (timeoutMs, retry, onError) for every task. */
  defaults(defaults: EngineDefaults): this {
    this.#head.defaults = defaults
    return this
  }

  /** Sets top-level fields: `concurrency`, `timeoutMs`, `expectedDurationMs`. */
  limits(limits: Pick<WorkflowDefinition, 'concurrency' | 'timeoutMs' | 'expectedDurationMs'>): this {
    Object.assign(this.#head, limits)
    return this
  }

  /**
   * Adds a task running `action` with `params` (a value, or a function of `t`: `t.input.<name>`,
   * `t.tasks.<id>.output…`). A task whose params, `when` or `forEach` read another task through
   * `t` depends on it without saying so in `dependsOn`.
   */
  task<Id extends string, N extends ActionName<A>>(
    id: Id extends keyof Tasks ? never : Id,
    action: N,
    params?: Params<A, N, Tasks, Input>,
    options: TaskOptions<keyof Tasks & string> = {},
  ): WorkflowBuilder<A, Tasks & { [K in Id]: OutputOf<A, N> }, Input> {
    if (Object.hasOwn(this.#tasks, id)) {
      this.#issues.push({
        path: `tasks.${id}`,
        code: 'duplicate_task',
        message: `Task "${id}" is added twice; give each task its own id.`,
      })
      return this as never
    }
    const read = new Set<string>()
    const scope = this.#scope(read)
    const { dependsOn, when, forEach, ...rest } = options
    const task: TaskDefinition = { action, ...(rest as Omit<TaskDefinition, 'action'>) }
    if (params !== undefined)
      task.params = toJson(
        typeof params === 'function' ? (params as (t: unknown) => unknown)(scope) : params,
      ) as Record<string, unknown>
    if (when !== undefined) task.when = expressionText(when)
    if (forEach !== undefined) task.forEach = expressionText(forEach)
    for (const taskId of [
      ...(when === undefined ? [] : refsIn(task.when!)),
      ...(forEach === undefined ? [] : refsIn(task.forEach!)),
    ])
      read.add(taskId)
    const deps = [...(dependsOn ?? []), ...[...read].filter((d) => !(dependsOn ?? []).includes(d as never))]
    if (deps.length > 0) task.dependsOn = deps
    this.#tasks[id] = task
    return this as never
  }

  /** Sets the run's output: a CEL string, an expression, or a function of `t`. */
  output(output: string | Expr<unknown> | ((t: Scope<Tasks, Input>) => Expr<unknown>)): this {
    const value = typeof output === 'function' ? output(this.#scope(new Set())) : output
    this.#head.output = expressionText(value)
    return this
  }

  /**
   * The definition: plain JSON, checked with the rules of `register` (with the actions given to
   * `workflow()`, when given). Throws `DefinitionError` listing every problem.
   */
  build(): WorkflowDefinition {
    const definition = JSON.parse(JSON.stringify({ ...this.#head, tasks: this.#tasks })) as WorkflowDefinition
    const actions = this.#actions ?? new Set(Object.values(this.#tasks).map((task) => task.action))
    const loaded = loadDefinition(definition, { actions })
    const issues = [...this.#issues, ...loaded.issues]
    if (issues.length > 0) throw new DefinitionError(issues, { value: definition })
    return definition
  }

  #scope(read: Set<string>): Scope<Tasks, Input> {
    const tasks = new Proxy({} as Record<string, unknown>, {
      get: (_, id) => {
        if (typeof id !== 'string') return undefined
        read.add(id)
        const at = /^[A-Za-z_][A-Za-z0-9_]*$/.test(id) ? `tasks.${id}` : `tasks[${JSON.stringify(id)}]`
        return { output: reference(`${at}.output`), status: reference(`${at}.status`) }
      },
    })
    return { input: reference('input'), tasks } as unknown as Scope<Tasks, Input>
  }
}

/**
 * Starts a typed definition. `options.actions`: the app's actions (the object given to
 * `createEngine`), which type `task`'s action names, params and outputs, and let `build` check
 * the action names.
 */
export function workflow<A extends ActionMap = Empty>(
  id: string,
  version: string,
  options: { actions?: A } = {},
): WorkflowBuilder<A> {
  return new WorkflowBuilder<A>(id, version, options.actions)
}

function expressionText(value: string | Expr<unknown>): string {
  return sourceOf(value) ?? (value as string)
}

/** Task ids an expression reads as `tasks.<id>` or `tasks["<id>"]`. */
function refsIn(source: string): string[] {
  return [...source.matchAll(/\btasks(?:\.([A-Za-z_][A-Za-z0-9_]*)|\[\s*["']([^"']+)["']\s*\])/g)].map(
    (m) => (m[1] ?? m[2])!,
  )
}

/** Params as JSON: an expression becomes `"${ source }"`, the typed value. */
function toJson(value: unknown): unknown {
  const source = sourceOf(value)
  if (source !== undefined) return `\${ ${source} }`
  if (Array.isArray(value)) return value.map(toJson)
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJson(v)]))
  return value
}
