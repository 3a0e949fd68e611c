import { ArgumentError } from '../errors'
import type { ParamSpec, TaskDefinition, WorkflowDefinition } from '../types'
import type { WorkflowBuilder } from './workflow-builder'

type Part = WorkflowDefinition | WorkflowBuilder<any, any, any>

/**
 * Chains whole definitions into one: the tasks of each part run after every task of the part
 * before it that nothing depends on (its sinks). Their params (the run input) are merged: a
 * param required by one part is required; one declared by two parts with different types is an
 * `ArgumentError`. A task id used by two parts is prefixed with its part's id
 * (`troubleshooting__analyze_symptoms`) and its references renamed. Each part's `defaults` move
 * onto its tasks. The output is the last part's.
 *
 * @example
 * compose('maintenance', '1.0.0', processControl, troubleshooting) // process control, then troubleshooting
 */
export function compose(id: string, version: string, ...parts: Part[]): WorkflowDefinition {
  const definitions = parts.map((part) => ('build' in part ? part.build() : structuredClone(part)))
  if (definitions.length === 0)
    throw new ArgumentError('compose needs at least one definition.', { value: parts })
  const counts = new Map<string, number>()
  for (const def of definitions)
    for (const taskId of Object.keys(def.tasks)) counts.set(taskId, (counts.get(taskId) ?? 0) + 1)
  const tasks: Record<string, TaskDefinition> = {}
  const params: Record<string, ParamSpec> = {}
  let sinks: string[] = []
  let output: string | undefined
  definitions.forEach((def, index) => {
    const rename = new Map<string, string>()
    for (const taskId of Object.keys(def.tasks))
      rename.set(taskId, (counts.get(taskId) ?? 0) > 1 ? `${prefixOf(def.id, index)}__${taskId}` : taskId)
    const renamed: Record<string, TaskDefinition> = {}
    for (const [taskId, task] of Object.entries(def.tasks)) {
      const copy = JSON.parse(renameRefs(JSON.stringify(withDefaults(task, def)), rename)) as TaskDefinition
      const own = (task.dependsOn ?? []).map((d) => rename.get(d) ?? d)
      const roots = own.length === 0 ? sinks : []
      if (own.length + roots.length > 0) copy.dependsOn = [...roots, ...own]
      renamed[rename.get(taskId)!] = copy
    }
    Object.assign(tasks, renamed)
    mergeParams(params, def, id)
    const depended = new Set(Object.values(renamed).flatMap((task) => task.dependsOn ?? []))
    sinks = Object.keys(renamed).filter((taskId) => !depended.has(taskId))
    output = def.output === undefined ? undefined : renameRefs(def.output, rename)
  })
  return {
    schemaVersion: '2.0',
    id,
    version,
    ...(Object.keys(params).length > 0 ? { params } : {}),
    tasks,
    ...(output === undefined ? {} : { output }),
  }
}

function prefixOf(id: string, index: number): string {
  const prefix = id.replace(/[^A-Za-z0-9_]/g, '_')
  return /^[A-Za-z_]/.test(prefix) ? prefix : `part${index + 1}_${prefix}`
}

/** A part's `defaults` written onto its task, where the task has not its own. */
function withDefaults(task: TaskDefinition, def: WorkflowDefinition): TaskDefinition {
  const { timeoutMs, retry, onError } = def.defaults ?? {}
  return {
    ...task,
    ...(task.timeoutMs === undefined && timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(task.retry === undefined && retry !== undefined ? { retry } : {}),
    ...(task.onError === undefined && onError !== undefined ? { onError } : {}),
  }
}

/** `tasks.a` and `tasks["a"]` in expressions (JSON text or CEL) renamed as `rename` says. */
function renameRefs(text: string, rename: ReadonlyMap<string, string>): string {
  return text.replace(
    /\btasks(?:\.([A-Za-z_][A-Za-z0-9_]*)|\[\s*(\\?["'])([^"'\\]+)\2\s*\])/g,
    (match, dotted: string | undefined, quote: string | undefined, quoted: string | undefined) => {
      const taskId = dotted ?? quoted!
      const to = rename.get(taskId)
      if (to === undefined || to === taskId) return match
      return dotted !== undefined ? `tasks.${to}` : `tasks[${quote}${to}${quote}]`
    },
  )
}

function mergeParams(into: Record<string, ParamSpec>, def: WorkflowDefinition, id: string): void {
  for (const [name, spec] of Object.entries(def.params ?? {})) {
    const known = into[name]
    if (known === undefined) {
      into[name] = { ...spec }
      continue
    }
    if (known.type !== spec.type) {
      throw new ArgumentError(
        `compose "${id}": param "${name}" is ${known.type} in one part and ${spec.type} in "${def.id}"; rename one of them.`,
        { value: name },
      )
    }
    if (spec.required) known.required = true
  }
}
