import type { ValidationIssue } from '../errors'
import type { WorkflowDefinition } from '../types'
import { checkBuiltinParams } from './builtin-params'
import { rememberCompiledParts } from './compile'
import { checkMachineTasks } from './machine-params'
import { migrateDefinition } from './migrate'
import { DEFINITION_LIMITS, parseDefinition } from './parse'
import { checkSchema } from './schema'
import { checkSemantics } from './validate'

export interface LoadedDefinition {
  definition: WorkflowDefinition
  migratedFrom?: string
}

export type LoadResult =
  | {
      ok: true
      definition: WorkflowDefinition
      migratedFrom?: string
      /** The `name` the id was made from, when the definition had no id. */
      idFromName?: string
      issues: []
    }
  | { ok: false; issues: ValidationIssue[] }

/**
 * Reads a workflow definition the way `register()` and `validate()` need it: parse (a JSON
 * string or a plain object, securely) → migrate (older schemas to 2.0) → validate (shape, then
 * meaning). Never throws for bad input; lists every problem by path. On success the definition
 * is a fresh plain copy in schema 2.0, with its expressions already compiled for
 * `compileWorkflow`.
 *
 * @example
 * const loaded = loadDefinition(json, { actions: new Set(['noop', 'http']) })
 * if (!loaded.ok) throw new DefinitionError(loaded.issues)
 * loaded.definition.schemaVersion // '2.0'
 */
export function loadDefinition(
  raw: unknown,
  options: {
    actions: ReadonlySet<string>
    machines?: ReadonlySet<string>
    /** Older definitions' step types → action names (`EngineOptions.actionAliases`). */
    aliases?: ReadonlyMap<string, string>
  },
): LoadResult {
  const parsed = parseDefinition(raw)
  if (!parsed.ok) return failure(parsed.issues)
  const migrated = migrateDefinition(parsed.value, options.aliases)
  if (!migrated.ok) return failure(migrated.issues)

  const definition = migrated.definition as unknown as WorkflowDefinition
  const semantic = checkSemantics(definition, options.actions)
  const shape = checkSchema(definition)
  const reported = new Set(shape.map((issue) => issue.path))
  const issues = [...shape, ...semantic.issues.filter((issue) => !reported.has(issue.path))]
  for (const issue of [...checkBuiltinParams(definition), ...checkMachineTasks(definition, options.machines)])
    if (!reported.has(issue.path)) issues.push(issue)
  if (issues.length > 0 || !semantic.parts) {
    // Reported where the user wrote it (`steps[0].config`), not in a migrated form they never saw.
    const sources = migrated.sources
    if (!sources) return failure(issues)
    return failure(
      issues.map((issue) => ({
        ...issue,
        path: sources.sourceOf(issue.path),
        message: issue.message + aliasHint(definition, issue),
      })),
    )
  }
  rememberCompiledParts(definition, semantic.parts)
  const { migratedFrom, idFromName } = migrated
  return {
    ok: true,
    definition,
    ...(migratedFrom === undefined ? {} : { migratedFrom }),
    ...(idFromName === undefined ? {} : { idFromName }),
    issues: [],
  }
}

/**
 * A migrated step whose type is a built-in's name runs the built-in; when its params do not fit
 * it, the step type is most likely the app's own: say how to map it to the app's action.
 */
function aliasHint(definition: WorkflowDefinition, issue: ValidationIssue): string {
  if (!issue.code.startsWith('param_')) return ''
  const id = /^tasks\.([^.[]+)\.params/.exec(issue.path)?.[1]
  const action = id === undefined ? undefined : definition.tasks?.[id]?.action
  if (typeof action !== 'string') return ''
  return ` If "${action}" is a step type of your own, register your action under another name and map the type to it: createEngine({ actions: { 'my-${action}': handler }, actionAliases: { ${JSON.stringify(action)}: 'my-${action}' } }).`
}

function failure(issues: ValidationIssue[]): LoadResult {
  if (issues.length <= DEFINITION_LIMITS.maxIssues) return { ok: false, issues }
  const rest = issues.length - DEFINITION_LIMITS.maxIssues
  return {
    ok: false,
    issues: [
      ...issues.slice(0, DEFINITION_LIMITS.maxIssues),
      {
        path: '',
        code: 'too_many_issues',
        message: `${rest} more problems are not listed; fix the ones above first.`,
      },
    ],
  }
}
