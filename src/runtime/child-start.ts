import type { ChildRunRequest, ChildRunStarted } from '../actions/builtin-context'
import type { RunEvent } from '../core/run-reducer'
import { TaskError } from '../errors'
import type { RunRecord } from '../store/store'
import type { RunState } from '../types'

/** What the engine is asked to start: a child run of `parent`, with its deterministic id. */
export interface ChildStart extends ChildRunRequest {
  /** `<parent runId>/<taskId>`, with `[<index>]` under `forEach`. */
  runId: string
  parent: RunRecord
  taskId: string
  index?: number
}

/** Starts (or finds) child runs for an engine's runs. */
export type ChildStarter = (start: ChildStart) => Promise<ChildRunStarted>

/** What starting a child needs from the parent run: its executor. */
export interface ChildParent {
  readonly runId: string
  readonly record: RunRecord
  readonly state: RunState
  now(): number
  post(event: RunEvent): void
}

/** A child run's id: the same for every attempt of its task (and item). */
export function childRunId(parentRunId: string, taskId: string, index?: number): string {
  return index === undefined ? `${parentRunId}/${taskId}` : `${parentRunId}/${taskId}[${index}]`
}

/**
 * Starts the child run of an attempt of `taskId` (or finds the one an earlier attempt started)
 * and records `child.started` in the parent's journal, once per child: the child's record is
 * stored before the parent's entry, so a parent cut off in between finds the child by its id.
 */
export async function startChild(
  parent: ChildParent,
  starter: ChildStarter | undefined,
  taskId: string,
  index: number | undefined,
  request: ChildRunRequest,
): Promise<ChildRunStarted> {
  if (!starter) {
    throw new TaskError('INVALID_STATE', `Task "${taskId}": this engine cannot start child runs.`, { taskId })
  }
  const runId = childRunId(parent.runId, taskId, index)
  const child = await starter({
    ...request,
    runId,
    parent: parent.record,
    taskId,
    ...(index !== undefined && { index }),
  })
  if (!parent.state.children?.some((c) => c.runId === child.runId)) {
    parent.post({
      type: 'child.started',
      taskId,
      ...(index !== undefined && { index }),
      childRunId: child.runId,
      workflow: request.workflow,
      version: child.version,
      onParentCancel: request.onParentCancel,
      at: parent.now(),
    })
  }
  return child
}
