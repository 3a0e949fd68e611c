import { TaskError } from '../errors'
import type { BuiltinContext, ChildRunRequest } from './builtin-context'

interface SubworkflowParams {
  workflow?: unknown
  version?: unknown
  input?: unknown
  wait?: unknown
  onParentCancel?: unknown
}

/**
 * Runs another workflow as a child run: `params.workflow` (a definition id), `version`
 * (default: the highest registered, resolved once as the child starts), `input`, `wait`
 * (default true: the task waits durably for the child and its output is the child's output;
 * false: the output is `{ runId }` at once) and `onParentCancel` (`cancel`, the default, or
 * `abandon`). The child's run id is `<runId>/<taskId>` (`[<index>]` under `forEach`), so a
 * retried or recovered attempt finds its child instead of starting a second one. A failed child
 * fails the attempt with `CHILD_FAILED`, its error as `cause`.
 */
export async function subworkflow(params: SubworkflowParams, ctx: BuiltinContext) {
  const request = requestOf(params ?? {})
  const child = await ctx.runs.start(request)
  if (params.wait === false) return { runId: child.runId }
  return ctx.waitFor({ kind: 'child', runId: child.runId })
}

function requestOf(params: SubworkflowParams): ChildRunRequest {
  const { workflow, version, input, wait, onParentCancel } = params
  if (typeof workflow !== 'string' || workflow === '') {
    throw invalid('needs params.workflow: the id of the workflow to run as a child', workflow)
  }
  if (version !== undefined && (typeof version !== 'string' || version === '')) {
    throw invalid('params.version must be a version string; leave it out for the highest', version)
  }
  if (input !== undefined && (typeof input !== 'object' || input === null || Array.isArray(input))) {
    throw invalid("params.input must be an object: the child run's input", input)
  }
  if (wait !== undefined && typeof wait !== 'boolean') {
    throw invalid('params.wait must be true (wait for the child) or false', wait)
  }
  if (onParentCancel !== undefined && onParentCancel !== 'cancel' && onParentCancel !== 'abandon') {
    throw invalid('params.onParentCancel must be "cancel" or "abandon"', onParentCancel)
  }
  return {
    workflow,
    ...(version !== undefined && { version }),
    input: (input ?? {}) as Record<string, unknown>,
    onParentCancel: onParentCancel ?? 'cancel',
  }
}

function invalid(what: string, value: unknown): TaskError {
  return new TaskError('INPUT_INVALID', `subworkflow ${what}; got ${JSON.stringify(value)}.`, { value })
}
