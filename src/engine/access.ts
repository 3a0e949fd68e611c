import { ForbiddenError } from '../errors'
import { closingRace } from './closing-race'
import type { AccessRequest, EngineOptions } from './engine-types'

/**
 * Who may do what: asks `EngineOptions.authorize` before a call changes anything. Without
 * `authorize` every call is allowed and nothing is read for it.
 */
export class Access {
  readonly #authorize: EngineOptions['authorize']
  readonly #definitionOf: (runId: string) => Promise<string | undefined>
  readonly #closing: AbortSignal

  /**
   * `definitionOf` tells the definition of a run, for requests that name a run only; `closing`
   * aborts when the engine closes, which stops waiting for `authorize`.
   */
  constructor(
    authorize: EngineOptions['authorize'],
    definitionOf: (runId: string) => Promise<string | undefined>,
    closing: AbortSignal,
  ) {
    this.#authorize = authorize
    this.#definitionOf = definitionOf
    this.#closing = closing
  }

  /**
   * Whether calls are asked about at all. Callers skip `check` when not: without `authorize` a
   * call must take no more turns of the event loop than it did (a call made before `close()`
   * still gets in before the engine stops).
   */
  get asks(): boolean {
    return this.#authorize !== undefined
  }

  /**
   * Resolves when `authorize` allows the request, throws `ForbiddenError` when it answers
   * anything but `true`; a throwing `authorize` fails the call with its own error.
   */
  async check(request: AccessRequest): Promise<void> {
    const authorize = this.#authorize
    if (!authorize) return
    const { principal, verb, runId, taskId, secret } = request
    // A policy per workflow needs the run's definition, which the call itself does not name.
    const definitionId =
      request.definitionId ?? (runId === undefined ? undefined : await this.#definitionOf(runId))
    const asked: AccessRequest = {
      verb,
      ...(principal !== undefined && { principal }),
      ...(runId !== undefined && { runId }),
      ...(definitionId !== undefined && { definitionId }),
      ...(taskId !== undefined && { taskId }),
      ...(secret !== undefined && { secret }),
    }
    if ((await closingRace(this.#closing, () => authorize(Object.freeze(asked)))) === true) return
    const who = principal === undefined ? 'A call without a principal' : `Principal "${principal}"`
    const on = [
      runId !== undefined && `run "${runId}"`,
      taskId !== undefined && `task "${taskId}"`,
      definitionId !== undefined && `definition "${definitionId}"`,
      secret !== undefined && `secret "${secret}"`,
    ].filter(Boolean)
    throw new ForbiddenError(
      `${who} may not ${verb}${on.length > 0 ? ` (${on.join(', ')})` : ''}: EngineOptions.authorize refused it. ` +
        'Make the call as a principal that authorize allows (engine.as(principal)).',
      { value: asked },
    )
  }
}

/**
 * The id a definition given to `register` names, for `authorize`; none when it names none. The
 * definition is not checked yet, and reading it may throw (a revoked proxy).
 */
export function definitionIdOf(definition: unknown): string | undefined {
  try {
    const id = (definition as { id?: unknown } | null)?.id
    return typeof id === 'string' ? id : undefined
  } catch {
    // Unreadable: `register` reads it again and refuses it with an issue saying why.
    return undefined
  }
}
