import { loadDefinition } from '../src/definition/load'
import type { ValidationResult } from '../src/types'

/**
 * `validate()` for an engine in a worker: the same checks as the engine's own, run on the page
 * because `validate` answers synchronously. `actionNames` are the worker's actions; when its
 * engine does not tell them, every action name counts as known and `register()` still checks
 * them. Loaded on demand by `PageValidator`, which answers before the worker has described itself.
 */
export function validateOnPage(
  definition: unknown,
  actionNames: readonly string[] | undefined,
): ValidationResult {
  const loaded = loadDefinition(definition, { actions: actionNames ? new Set(actionNames) : everyName })
  return { ok: loaded.ok, issues: loaded.issues }
}

/** A set that holds every name, and lists none. */
class EveryName extends Set<string> {
  override has(): boolean {
    return true
  }
}

const everyName: ReadonlySet<string> = new EveryName()
