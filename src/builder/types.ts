import type { Action, ActionHandler, ParamSpec, ParamType, TaskDefinition } from '../types'
import type { Expr, Ref } from './refs'

/** An app's actions, as given to `createEngine({ actions })`. */
export type ActionMap = Record<string, ActionHandler | Action<any, any>>

/** What the built-in actions take and give, as far as a type can say. */
export interface BuiltinActions {
  noop: { input: Record<string, unknown>; output: null }
  delay: { input: { ms: number } | { until: number | string }; output: null }
  transform: { input: { value: unknown }; output: unknown }
  'wait-for-event': { input: { event: string; timeoutMs?: number; match?: string }; output: unknown }
  approval: {
    input: { title: string; levels: unknown[]; [key: string]: unknown }
    output: { approved: boolean; by?: string }
  }
  'state-machine': { input: { machine: string; [key: string]: unknown }; output: unknown }
  subworkflow: {
    input: { workflow: string; input?: Record<string, unknown>; [key: string]: unknown }
    output: unknown
  }
  http: {
    input: { url: string; method?: string; [key: string]: unknown }
    output: { status: number; headers: Record<string, string>; body: unknown }
  }
  file: { input: { op: string; path: string; [key: string]: unknown }; output: unknown }
  ai: { input: { prompt: string; [key: string]: unknown }; output: unknown }
}

/** The input type of an app action: a `defineAction` input, or a handler's first parameter. */
type AppInput<A> =
  A extends Action<infer I, any> ? I : A extends (params: infer P, ...rest: any[]) => any ? P : never
/** The output type of an app action: a `defineAction` output, or what a handler returns (awaited). */
type AppOutput<A> =
  A extends Action<any, infer O> ? O : A extends (...args: any[]) => infer R ? Awaited<R> : never

/** Every action name a builder over `A` takes: the app's and the built-ins'. */
export type ActionName<A extends ActionMap> = (keyof A & string) | keyof BuiltinActions

export type InputOf<A extends ActionMap, N> = N extends keyof A
  ? AppInput<A[N]>
  : N extends keyof BuiltinActions
    ? BuiltinActions[N]['input']
    : never

export type OutputOf<A extends ActionMap, N> = N extends keyof A
  ? AppOutput<A[N]>
  : N extends keyof BuiltinActions
    ? BuiltinActions[N]['output']
    : never

/** A param value: the value itself, an expression of its type, or (for objects) fields that may be either. */
export type ParamValue<T> =
  | T
  | Expr<T>
  | (unknown extends T
      ? unknown
      : T extends string
        ? string
        : T extends readonly (infer E)[]
          ? readonly ParamValue<E>[]
          : T extends Record<string, unknown>
            ? { [K in keyof T]: ParamValue<T[K]> }
            : never)

/** An action's params in a builder: its input type, each value possibly an expression. */
export type ParamsOf<I> = unknown extends I ? Record<string, unknown> : { [K in keyof I]: ParamValue<I[K]> }

/** The TypeScript type of a param spec. */
type ValueOfSpec<S extends ParamSpec> = S['enum'] extends readonly (infer E)[]
  ? E
  : {
      string: string
      number: number
      integer: number
      boolean: boolean
      object: Record<string, unknown>
      array: unknown[]
      any: unknown
    }[S['type'] & ParamType]

/** The run input a workflow's param specs describe. */
export type InputFromSpecs<P extends Record<string, ParamSpec>> = { [K in keyof P]: ValueOfSpec<P[K]> }

/** What a task's params function reads: the run input and the outputs of the tasks declared before it. */
export interface Scope<Tasks, Input> {
  readonly input: Ref<Input>
  readonly tasks: {
    readonly [K in keyof Tasks]: { readonly output: Ref<Tasks[K]>; readonly status: Ref<string> }
  }
}

/** A task's options in a builder; `dependsOn` names only tasks declared before it. */
export type TaskOptions<Ids extends string> = Omit<
  TaskDefinition,
  'action' | 'params' | 'dependsOn' | 'when' | 'forEach'
> & {
  dependsOn?: readonly Ids[]
  when?: string | Expr<boolean>
  forEach?: string | Expr<readonly unknown[]>
}
