import type {
  BuiltinContext,
  BuiltinFiles,
  BuiltinModels,
  BuiltinSecrets,
  Capabilities,
  ChildRunRequest,
  ChildRunStarted,
  ChildRuns,
  HttpAccess,
  Machines,
} from '../actions/builtin-context'
import { type WaitRequest, waitFor } from '../actions/wait'
import { copyValue } from '../boundary'
import type { RunEvent } from '../core/run-reducer'
import { TaskError } from '../errors'
import type { ActionContext, ActionWait, SecretReader } from '../types'
import type { AttemptAbort } from './attempt-abort'
import { cloneable, describe } from './attempt-values'
import { MachineRunner } from './machine-runner'

/** What a context needs from the run its attempt works for. */
export interface ContextHost {
  readonly runId: string
  now(): number
  post(event: RunEvent): void
  readState(key: string): unknown
  /** The engine's state machines, for `state-machine`. */
  readonly machines?: Machines
  /** What the engine lends its runs' actions (secrets, …). */
  readonly capabilities: Capabilities
  /** Starts (or finds) the child run of an attempt of `taskId` (see `startChild`). */
  startChild: (
    taskId: string,
    index: number | undefined,
    request: ChildRunRequest,
  ) => Promise<ChildRunStarted>
}

/**
 * The `ActionContext` of one attempt. Every attempt makes one, and most actions read a field or
 * two: the plain fields are own data, while `signal`, `state`, `progress` and `log` are accessors
 * that make what they hand out on first use (the AbortSignal, closures bound to this attempt).
 * So reading or destructuring them works (`const { signal, log } = ctx`, `log` then called on
 * its own); a spread copy holds the plain fields only.
 */
export class AttemptContext implements ActionContext {
  readonly attempt: number
  readonly idempotencyKey: string
  readonly runId: string
  readonly taskId: string
  /** Under `forEach` only: absent, not undefined, on a plain task. */
  declare readonly index?: number
  readonly #host: ContextHost
  readonly #abort: AttemptAbort
  readonly #changes: Record<string, unknown>
  #state: ActionContext['state'] | undefined
  #progress: ActionContext['progress'] | undefined
  #log: ActionContext['log'] | undefined
  #usedSecrets = false

  constructor(
    host: ContextHost,
    taskId: string,
    attempt: number,
    abort: AttemptAbort,
    changes: Record<string, unknown>,
    index: number | undefined,
    key: string | undefined,
  ) {
    this.attempt = attempt
    this.idempotencyKey =
      key ?? (index === undefined ? `${host.runId}:${taskId}` : `${host.runId}:${taskId}:${index}`)
    this.runId = host.runId
    this.taskId = taskId
    if (index !== undefined) (this as { index?: number }).index = index
    this.#host = host
    this.#abort = abort
    this.#changes = changes
  }

  /** Aborted on timeout, cancel, skip, when the run fails and on close; made when first read. */
  get signal(): AbortSignal {
    return this.#abort.signal
  }

  get state(): ActionContext['state'] {
    if (this.#state) return this.#state
    const host = this.#host
    const changes = this.#changes
    const taskId = this.taskId
    this.#state = {
      // A copy: a change in place is not a change until `set`, and a failed attempt's is dropped.
      get: (key) => copyValue(key in changes ? changes[key] : host.readState(key)),
      set: (key, value) => {
        if (typeof key !== 'string' || key === '') {
          throw new TaskError('INVALID_ARGUMENT', 'ctx.state.set needs a non-empty string key.', {
            value: key,
          })
        }
        changes[key] = cloneable(value, `the value of state "${key}"`, taskId)
      },
    }
    return this.#state
  }

  get progress(): ActionContext['progress'] {
    this.#progress ??= (fraction, note) => {
      if (this.#abort.aborted) return
      if (typeof fraction !== 'number' || !(fraction >= 0 && fraction <= 1)) {
        throw new TaskError(
          'INVALID_ARGUMENT',
          `ctx.progress needs a fraction in [0, 1], got ${describe(fraction)}.`,
          { value: fraction },
        )
      }
      const at = this.#host.now()
      this.#host.post(
        note === undefined
          ? { type: 'task.progress', taskId: this.taskId, fraction, at }
          : {
              type: 'task.progress',
              taskId: this.taskId,
              fraction,
              note: this.#host.capabilities.secrets.redact(String(note)),
              at,
            },
      )
    }
    return this.#progress
  }

  /** Only `get`: a user action reads a secret by name; references in params are for built-ins. */
  get secrets(): SecretReader {
    const { secrets } = this.#host.capabilities
    return {
      get: (name) => {
        this.#usedSecrets = true
        return secrets.get(name)
      },
    }
  }

  /** Whether this attempt read a secret: the runner then blanks secret values out of its output and state. */
  get usedSecrets(): boolean {
    return this.#usedSecrets
  }

  protected noteSecretsUsed(): void {
    this.#usedSecrets = true
  }

  get log(): ActionContext['log'] {
    this.#log ??= (...parts) => {
      if (this.#abort.aborted) return
      const joined = parts.map((p) => (typeof p === 'string' ? p : describe(p))).join(' ')
      const message = this.#host.capabilities.secrets.redact(joined)
      this.#host.post({ type: 'task.log', taskId: this.taskId, message, at: this.#host.now() })
    }
    return this.#log
  }
}

/** A built-in's context: the action's own, plus the capabilities built-ins are given. */
export class BuiltinAttemptContext extends AttemptContext implements BuiltinContext {
  readonly #host: ContextHost

  constructor(
    host: ContextHost,
    taskId: string,
    attempt: number,
    abort: AttemptAbort,
    changes: Record<string, unknown>,
    index: number | undefined,
    key: string | undefined,
  ) {
    super(host, taskId, attempt, abort, changes, index, key)
    this.#host = host
  }

  now(): number {
    return this.#host.now()
  }

  waitFor(wait: ActionWait): WaitRequest {
    return waitFor(wait)
  }

  get machines(): Machines {
    return this.#host.machines ?? NO_MACHINES
  }

  override get secrets(): BuiltinSecrets {
    const { secrets } = this.#host.capabilities
    return {
      get: (name) => {
        this.noteSecretsUsed()
        return secrets.get(name)
      },
      reveal: (value) => {
        this.noteSecretsUsed()
        return secrets.reveal(value)
      },
      redact: (text) => secrets.redact(text),
    }
  }

  get http(): HttpAccess {
    return this.#host.capabilities.http
  }

  get files(): BuiltinFiles {
    return this.#host.capabilities.files
  }

  get models(): BuiltinModels {
    return this.#host.capabilities.models ?? NO_MODELS
  }

  get runs(): ChildRuns {
    return { start: (request) => this.#host.startChild(this.taskId, this.index, request) }
  }
}

const NO_MACHINES = new MachineRunner()

const NO_MODELS: BuiltinModels = {
  specs: [],
  onDevice: async () => ({ unavailable: 'the engine has no models (EngineOptions.models)' }),
}
