import { builtinActions } from '../actions/builtins'
import { isAction } from '../actions/define-action'
import { ArgumentError } from '../errors'
import type { RunnableAction } from '../runtime/task-runner'
import type { EngineOptions } from './engine-types'

/**
 * `actionAliases` checked against the engine's actions: an object of names, each mapped to a
 * registered or built-in action. Returns it as a Map (empty when not given).
 */
export function checkActionAliases(
  aliases: unknown,
  actions: ReadonlySet<string>,
): ReadonlyMap<string, string> {
  if (aliases === undefined) return new Map()
  if (typeof aliases !== 'object' || aliases === null || Array.isArray(aliases)) {
    throw new ArgumentError(
      `createEngine: "actionAliases" is an object mapping a step type of older definitions to an action name, like { transform: 'etl-transform' }.`,
      { value: aliases },
    )
  }
  const problems: string[] = []
  for (const [name, target] of Object.entries(aliases)) {
    if (typeof target !== 'string' || !actions.has(target))
      problems.push(`"${name}" maps to ${JSON.stringify(target)}, which is not a registered action`)
  }
  if (problems.length > 0) {
    throw new ArgumentError(
      `createEngine: "actionAliases": ${problems.join('; ')}. Register the action in "actions" or map to one that is.`,
      { value: aliases },
    )
  }
  return new Map(Object.entries(aliases as Record<string, string>))
}

/** The version of every built-in action in result cache keys: the engine's own (package.json). */
export const BUILTIN_VERSION = '0.1.0'

/**
 * The actions an engine runs, by name: the built-ins, then the user's `actions`, checked. A
 * user action can neither take a built-in's name nor get a built-in's capabilities.
 */
export function actionTable(actions: EngineOptions['actions'] = {}): Map<string, RunnableAction> {
  const table = new Map<string, RunnableAction>()
  for (const [name, action] of Object.entries(builtinActions))
    table.set(name, { run: action, builtin: true, version: BUILTIN_VERSION })
  for (const [name, action] of Object.entries(actions)) {
    if (builtinActions[name]) {
      throw new ArgumentError(
        `"${name}" is a built-in action; register yours under another name. If older definitions call their own step type "${name}", map it to yours: createEngine({ actions: { 'my-${name}': handler }, actionAliases: { ${JSON.stringify(name)}: 'my-${name}' } }).`,
        { value: name },
      )
    }
    if (typeof action === 'function') table.set(name, { run: action })
    // Only what an Action declares is kept: a user action never gets a built-in's capabilities.
    else if (isAction(action))
      table.set(name, {
        run: (input, ctx) => action.run(input, ctx),
        input: action.input,
        output: action.output,
        ...(action.version === undefined ? {} : { version: action.version }),
      })
    else {
      throw new ArgumentError(
        `Action "${name}" must be a function (params, ctx) => result or made with defineAction().`,
        { value: action },
      )
    }
  }
  return table
}
