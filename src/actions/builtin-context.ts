import type { ActionContext, ActionWait, MachineWait } from '../types'
import type { WaitRequest } from './wait'

/**
 * What a built-in action is handed: the `ActionContext` every action gets, plus the capabilities
 * built-ins need — never the engine itself, so a built-in can do only what its context allows and
 * is tested with a context made by hand. User actions get `ActionContext` only.
 *
 * A capability joins this interface with the first built-in that uses it, never before:
 * `options` (the engine options a built-in reads, such as `http.allow` or `models`), `runs`
 * (start and await child runs, for `subworkflow`), `cache`, `fetch` (for `http`), `files` (the
 * origin private file system, for `file`), `models` (for `ai`) and `secrets`.
 */
export interface BuiltinContext extends ActionContext {
  /** The engine's current time (its injected `Clock`), in ms since epoch. */
  now(): number
  /**
   * Parks the task (or its `forEach` item) durably on a wait of a kind in `src/core/waits/`: a
   * timer until a time, or a signal (with an optional deadline); the action returns what this
   * gives. The wait lives in the run state, so it survives reloads.
   */
  waitFor(wait: ActionWait): WaitRequest
  /** The machines of `EngineOptions.machines`, for `state-machine`. */
  readonly machines: Machines
}

/** What a built-in may do with the engine's state machines. */
export interface Machines {
  /**
   * Starts the machine `name` with `input`: its output when it is final at once, else the wait
   * it runs in. Throws a `TaskError`: `INPUT_INVALID` for an unknown name or a machine that
   * cannot run durably (invoked or spawned actors, delayed transitions), `MACHINE_FAILED` when
   * it throws as it starts.
   */
  start(name: string, input: unknown): { done: true; output: unknown } | { done: false; wait: MachineWait }
}

/** A built-in action: called with its task's resolved params and a `BuiltinContext`. */
export type BuiltinAction = (params: any, ctx: BuiltinContext) => unknown
