import type { WorkerUnavailableError } from '../src/errors'
import type { ValidationResult } from '../src/types'
import type { EngineDescription } from './protocol'

type ValidateOnPage = typeof import('./validate-on-page').validateOnPage

/**
 * `validate()` for an engine in a worker. The checks (the definition compiler, CEL and valibot)
 * are loaded on demand, so they stay out of the page's first bundle; `load()` starts that, and the
 * connection sends no call before it settled. Until the worker has described its engine and the
 * checks are loaded, `validate` accepts nothing: it answers one `engine-not-ready` issue, since it
 * must answer synchronously and cannot know the worker's action names yet.
 */
export class PageValidator {
  #validate: ValidateOnPage | undefined
  #loadError: unknown

  /** Loads the checks; never rejects: a failure is reported and named by every later answer. */
  async load(): Promise<void> {
    try {
      this.#validate = (await import('./validate-on-page')).validateOnPage
    } catch (error) {
      this.#loadError = error
      reportError(error)
    }
  }

  validate(
    definition: unknown,
    description: EngineDescription | undefined,
    unavailable: WorkerUnavailableError | undefined,
  ): ValidationResult {
    if (unavailable)
      return refused('worker-unavailable', `The engine cannot be reached: ${unavailable.message}`)
    if (this.#loadError !== undefined) {
      return refused(
        'validator-unavailable',
        `The definition checks could not be loaded on this page (${String(this.#loadError)}); ` +
          'register() checks the definition in the worker.',
      )
    }
    if (!this.#validate || !description) {
      return refused(
        'engine-not-ready',
        'The worker has not answered yet, so its action names are unknown. ' +
          'await any call first (e.g. await engine.listDefinitions()), then validate again.',
      )
    }
    return this.#validate(definition, description.actionNames)
  }
}

function refused(code: string, message: string): ValidationResult {
  return { ok: false, issues: [{ path: '', code, message }] }
}
