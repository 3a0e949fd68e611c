import type { ValidationIssue } from '../errors'
import type { ParamSpec, TaskDefinition, WorkflowDefinition } from '../types'

/** What a template makes from its params: a definition without its id, version and name. */
export type TemplateBody = Omit<WorkflowDefinition, 'schemaVersion' | 'id' | 'version' | 'name'>

/** A built-in template: what it is (`TemplateInfo`) and how its definition is made. */
export interface Template {
  readonly id: string
  readonly name: string
  readonly description: string
  readonly tags: readonly string[]
  /** The actions the app registers for it (built-ins are not listed). */
  readonly actions: readonly string[]
  readonly params: Readonly<Record<string, ParamSpec>>
  /** Problems of params that their types alone do not show (a channel list with an unknown channel). */
  check?(params: Record<string, any>): ValidationIssue[]
  /** The body, from params already checked and completed with their defaults. */
  build(params: Record<string, any>): TemplateBody
}

/** A param spec with a default. */
export function optional(type: ParamSpec['type'], value: unknown, description: string): ParamSpec {
  return { type, default: value, description }
}

/** A param spec the caller must give. */
export function required(type: ParamSpec['type'], description: string): ParamSpec {
  return { type, required: true, description }
}

/**
 * Tasks that run one after another: each depends on the one before it. `tasks` in order.
 *
 * @example
 * chain({ a: { action: 'x' }, b: { action: 'y' } }) // b gets dependsOn: ['a']
 */
export function chain(tasks: Record<string, TaskDefinition>): Record<string, TaskDefinition> {
  let previous: string | undefined
  const out: Record<string, TaskDefinition> = {}
  for (const [id, task] of Object.entries(tasks)) {
    out[id] = previous === undefined ? task : { ...task, dependsOn: [previous, ...(task.dependsOn ?? [])] }
    previous = id
  }
  return out
}

/** The retry policy a template's `retries` and `retryDelayMs` params give. */
export function retryOf(params: Record<string, any>) {
  return { maxAttempts: params.retries + 1, initialDelayMs: params.retryDelayMs, backoff: 2 }
}
