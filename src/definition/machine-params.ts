import type { ValidationIssue } from '../errors'
import type { WorkflowDefinition } from '../types'
import { nearlyEqual } from './graph'
import { issueAt, show } from './issue-path'

/**
 * Register-time checks of `state-machine` tasks: `params.machine` is required, a literal one
 * must name a machine of `machines` (`unknown_machine`, with the name it likely means), and the
 * action does not run under `forEach` (`unsupported`). A name written as `${ }` is checked when
 * the task runs (`INPUT_INVALID`); without `machines` (a page that does not know the worker's
 * machines) names are not checked.
 *
 * @example
 * checkMachineTasks(def, new Set(['door']))
 * // [{ path: 'tasks.t.params.machine', code: 'unknown_machine', message: 'No state machine "dor"; did you mean "door"? …' }]
 */
export function checkMachineTasks(
  def: WorkflowDefinition,
  machines: ReadonlySet<string> | undefined,
): ValidationIssue[] {
  const issues: ValidationIssue[] = []
  const tasks = typeof def.tasks === 'object' && def.tasks !== null ? def.tasks : {}
  for (const [id, task] of Object.entries(tasks)) {
    if (typeof task !== 'object' || task === null || task.action !== 'state-machine') continue
    if (task.forEach !== undefined) {
      issues.push(
        issueAt(
          ['tasks', id, 'forEach'],
          'unsupported',
          'state-machine runs one machine per task and does not run under forEach; remove forEach, or start a subworkflow per item.',
        ),
      )
    }
    const name = (task.params as { machine?: unknown } | undefined)?.machine
    if (typeof name !== 'string' || name === '') {
      issues.push(
        issueAt(
          ['tasks', id, 'params', 'machine'],
          'required',
          `state-machine needs params.machine, the name of a machine in EngineOptions.machines; got ${show(name)}.`,
        ),
      )
      continue
    }
    if (machines === undefined || name.includes('${') || machines.has(name)) continue
    const close = [...machines].filter(
      (known) => known.toLowerCase() === name.toLowerCase() || nearlyEqual(known, name),
    )
    const hint = close.length > 0 ? ` did you mean ${close.map((c) => `"${c}"`).join(' or ')}?` : ''
    const known = machines.size > 0 ? [...machines].sort().join(', ') : 'none'
    issues.push(
      issueAt(
        ['tasks', id, 'params', 'machine'],
        'unknown_machine',
        `No state machine "${name}";${hint} pass it in createEngine({ machines: { ${JSON.stringify(name)}: machine } }) (in the worker's engine when it runs in a worker). Known machines: ${known}.`,
      ),
    )
  }
  return issues
}
