import type { ActionContext, ActionWait, MachineWait, ModelSpec, RunStatus, SecretReader } from '../types'
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
  /** Starts and finds this attempt's child run (`subworkflow`). */
  readonly runs: ChildRuns
  /** The machines of `EngineOptions.machines`, for `state-machine`. */
  readonly machines: Machines
  /** The engine's secrets: by name, and the `secret('name')` references in params made real. */
  readonly secrets: BuiltinSecrets
  /** The network as `http` may use it: the allowed origins, default headers, fetch, a timer. */
  readonly http: HttpAccess
  /** The folder `EngineOptions.files.root` of the origin private file system, for `file`. */
  readonly files: BuiltinFiles
  /** The engine's AI models (`EngineOptions.models`), for `ai`. */
  readonly models: BuiltinModels
}

/**
 * What the engine lends the actions of every run: the capabilities that reach beyond the run.
 * Each one joins with the first built-in that uses it.
 */
export interface Capabilities {
  readonly secrets: BuiltinSecrets
  readonly http: HttpAccess
  readonly files: BuiltinFiles
  /** Absent: the engine has no models (`ai` finds none). */
  readonly models?: BuiltinModels
}

/** The `http` capability: `EngineOptions.http` checked, with the means to call and to time out. */
export interface HttpAccess {
  /** Allowed origins: exact (`https://api.example.com`) or a subdomain pattern (`https://*.example.com`). */
  readonly allow: readonly string[]
  /** Headers sent with every request, under the task's own. */
  readonly headers: Readonly<Record<string, string>>
  fetch(url: string, init: RequestInit): Promise<Response>
  /** Calls `callback` after `ms` on the engine's clock; the function returned cancels it. */
  after(ms: number, callback: () => void): () => void
}

/** The `files` capability of built-ins: a folder of the origin private file system. */
export interface BuiltinFiles {
  /** The root's path under the origin private file system, as `EngineOptions.files.root` gave it. */
  readonly root: string
  /** The root folder, created (with its parents) when missing. */
  directory(): Promise<FileSystemDirectoryHandle>
  /**
   * Runs `use` while this origin's every tab and worker hold off from `paths` (paths under the
   * root): an exclusive Web Lock per path, taken in a fixed order. Rejects with `signal.reason`
   * when `signal` aborts while it waits for a lock.
   */
  exclusive<T>(paths: readonly string[], signal: AbortSignal, use: () => Promise<T>): Promise<T>
}

/** The `models` capability of built-ins: the engine's models and Chrome's built-in model. */
export interface BuiltinModels {
  /** `EngineOptions.models`, in their order. */
  readonly specs: readonly ModelSpec[]
  /**
   * Chrome's built-in model as the engine reaches it now: the `LanguageModel` of its page, or,
   * in a worker, one a connected page offers; else the reason there is none.
   */
  onDevice(): Promise<OnDeviceModel | { unavailable: string }>
}

/**
 * Chrome's built-in model (`LanguageModel`) reduced to one call per prompt, so that it can cross
 * from a page to a worker: sessions and `AbortSignal`s stay on the page.
 */
export interface OnDeviceModel {
  /** `LanguageModel.availability()`: 'available', 'downloadable', 'downloading' or 'unavailable'. */
  availability(): Promise<string>
  /**
   * Creates a session with the system prompt and the earlier messages, prompts it with the last
   * message and gives the answer's text; `onText` (streaming) gets the text so far as it grows.
   */
  prompt(request: OnDevicePrompt, signal: AbortSignal, onText?: (text: string) => void): Promise<string>
}

/** One `ai` call to Chrome's built-in model. */
export interface OnDevicePrompt {
  messages: { role: 'system' | 'user' | 'assistant'; content: string }[]
  temperature?: number
  /** The JSON Schema the answer must follow (`responseConstraint`). */
  schema?: object
}

/** The `secrets` capability of built-ins. */
export interface BuiltinSecrets extends SecretReader {
  /**
   * `value` with every `secret('name')` reference in its strings replaced by the secret's value,
   * for the built-ins that consume secrets (`http` headers and URL, `ai` keys) just before they
   * use them. Never journal, log or return what this gives.
   */
  reveal<T>(value: T): Promise<T>
  /**
   * `text` with every secret value this engine knows (and every `secret('name')` reference)
   * replaced by `[secret:name]`: for error messages and logs that might quote one.
   */
  redact(text: string): string
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

/** The child run an attempt asks for; its run id comes from the attempt, not from the request. */
export interface ChildRunRequest {
  workflow: string
  /** Default: the highest version registered when the child starts. */
  version?: string
  input: Record<string, unknown>
  onParentCancel: 'cancel' | 'abandon'
}

/** The child run of an attempt, started now or by an earlier attempt of the task. */
export interface ChildRunStarted {
  runId: string
  /** The version it runs, resolved once, when it started. */
  version: string
  status: RunStatus
}

/** The `runs` capability: child runs of the attempt's run. */
export interface ChildRuns {
  /**
   * Starts the attempt's child run, `<runId>/<taskId>` (`[<index>]` appended under `forEach`),
   * and records `child.started` in the parent's journal. The id is the same on every attempt:
   * a child an earlier attempt started is found instead of started again (a failed one has its
   * failed tasks retried, a paused one is resumed).
   */
  start(request: ChildRunRequest): Promise<ChildRunStarted>
}

/** A built-in action: called with its task's resolved params and a `BuiltinContext`. */
export type BuiltinAction = (params: any, ctx: BuiltinContext) => unknown
