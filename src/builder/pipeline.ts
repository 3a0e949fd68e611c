import { IdAllocator, taskIdFrom } from '../definition/ids'
import { passedOn } from '../definition/migrate-steps'
import type { TaskDefinition, WorkflowDefinition } from '../types'

/** A pipeline step: an action name, or an action with its own id, params and task options. */
export type PipelineStep =
  | string
  | ({ action: string; id?: string } & Omit<TaskDefinition, 'action' | 'dependsOn'>)

/**
 * A linear workflow whose steps pass each result on: each step runs after the one before it and
 * gets the params `{ state, previous }` — the run input and the output of the step before (none
 * for the first) — merged with its own params. The output is the last step's.
 *
 * @example
 * pipeline('process-control', '1.0.0', 'validate_inputs', 'execute_process', { action: 'update_records', retry: { maxAttempts: 3 } })
 */
export function pipeline(id: string, version: string, ...steps: PipelineStep[]): WorkflowDefinition {
  const ids = new IdAllocator()
  const tasks: Record<string, TaskDefinition> = {}
  let previous: string | undefined
  for (const step of steps) {
    const { action, id: stepId, params, ...options } = typeof step === 'string' ? { action: step } : step
    const taskId = ids.take(stepId ?? taskIdFrom(action))
    tasks[taskId] = {
      action,
      ...options,
      params: { ...passedOn(previous), ...params },
      ...(previous === undefined ? {} : { dependsOn: [previous] }),
    }
    previous = taskId
  }
  return {
    schemaVersion: '2.0',
    id,
    version,
    tasks,
    ...(previous === undefined ? {} : { output: `tasks.${previous}.output` }),
  }
}
