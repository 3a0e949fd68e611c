import { healthOfTasks } from '../core/monitor/health'
import { progressOfTasks } from '../core/monitor/progress'
import { recordTemplate } from '../core/record-template'
import { waitingOf } from '../core/waits/waiting-view'
import type { CompiledWorkflow, ErrorInfo, PauseReason, RunInfo, RunState, RunView, TaskView } from '../types'
import type { RunExecutor } from './run-executor'

const names = new WeakMap<CompiledWorkflow, ReadonlyMap<string, string | undefined>>()
const taskTables = new WeakMap<CompiledWorkflow, () => Record<string, TaskView>>()
const taskIds = new WeakMap<CompiledWorkflow, readonly string[]>()

/** Task display names of a definition, computed once per compiled version. */
export function taskNames(wf: CompiledWorkflow): ReadonlyMap<string, string | undefined> {
  let map = names.get(wf)
  if (!map) {
    map = new Map([...wf.tasks].map(([id, task]) => [id, task.name]))
    names.set(wf, map)
  }
  return map
}

/** Builds what the views of a version's runs share (see `DefinitionRegistry`), ahead of the first. */
export function prepareViews(wf: CompiledWorkflow): void {
  taskNames(wf)
  taskTable(wf)
}

/** A live run's summary: its state, with who started it from its record. */
export function runInfo(executor: RunExecutor): RunInfo {
  return infoOf(executor.state, executor.record)
}

/**
 * A run's summary from what carries it, its live state or its stored record (the same fields),
 * and `owner`, which says who started it.
 */
export function infoOf(
  s: Pick<
    RunInfo,
    'runId' | 'definitionId' | 'version' | 'status' | 'createdAt' | 'updatedAt' | 'startedAt' | 'endedAt'
  >,
  owner: { parentRunId?: string; principal?: string },
): RunInfo {
  const { parentRunId, principal } = owner
  return {
    runId: s.runId,
    definitionId: s.definitionId,
    version: s.version,
    status: s.status,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
    ...(s.startedAt !== undefined && { startedAt: s.startedAt }),
    ...(s.endedAt !== undefined && { endedAt: s.endedAt }),
    ...(parentRunId !== undefined && { parentRunId }),
    ...(principal !== undefined && { principal }),
  }
}

/**
 * The full view of a run: `getRun()`'s answer. It shares nothing the run can change: input,
 * outputs and state values are frozen (see `boundary.ts`), the rest is built for this view.
 */
export function runView(executor: RunExecutor, now: number): RunView {
  const s = executor.state
  const { outputs } = executor.data
  const tasks = taskTable(executor.wf)()
  const ids = taskIdsOf(executor.wf, s.tasks)
  // Written field by field rather than with conditional spreads: a view of a large run builds
  // one of these per task, and each spread allocates and copies a temporary object.
  for (const id of executor.wf.order) {
    const t = s.tasks[id]!
    const view: TaskView = { status: t.status, attempts: t.attempts }
    const output = outputs.get(id)
    if (output !== undefined || outputs.has(id)) view.output = output
    if (t.error) view.error = { ...t.error }
    if (t.startedAt !== undefined) view.startedAt = t.startedAt
    if (t.endedAt !== undefined) view.endedAt = t.endedAt
    if (t.wait !== undefined) view.waiting = waitingOf(t.wait)
    // Only while completed: a retried or rolled-back task keeps its old output record for a while.
    const cached = t.status === 'completed' ? executor.data.cached.get(id) : undefined
    if (cached !== undefined) view.cached = { ...cached }
    tasks[id] = view
  }
  return {
    ...runInfo(executor),
    input: executor.record.input,
    ...(s.status === 'completed' && { output: executor.data.output }),
    ...(s.error && { error: { ...s.error } }),
    ...(s.pauseReason !== undefined && { pauseReason: pauseReasonOf(s.pauseReason, s.pauseError) }),
    // Values are frozen records' values; the table itself changes with every completion.
    state: { ...executor.data.state },
    tasks,
    progress: progressOfTasks(s, ids, taskNames(executor.wf), now),
    health: healthOfTasks(s, now, ids),
    ...(s.children !== undefined && { children: s.children.map((c) => c.runId) }),
  }
}

/**
 * The keys of a run's task table, in the table's order: the same for every run of a version, as
 * its table is made from the definition's tasks. Read once per version from the first run's table.
 */
function taskIdsOf(wf: CompiledWorkflow, tasks: RunState['tasks']): readonly string[] {
  let ids = taskIds.get(wf)
  if (!ids) {
    ids = Object.keys(tasks)
    taskIds.set(wf, ids)
  }
  return ids
}

/** A fresh table of a view's tasks, in the definition's topological order. */
function taskTable(wf: CompiledWorkflow): () => Record<string, TaskView> {
  let table = taskTables.get(wf)
  if (!table) {
    table = recordTemplate<TaskView>(wf.order)
    taskTables.set(wf, table)
  }
  return table
}

/** The view of a pause: its message, with the code (and reason, task) of the error behind it. */
function pauseReasonOf(message: string, error: ErrorInfo | undefined): PauseReason {
  if (!error) return { code: 'PAUSED', message }
  return {
    code: error.code,
    message,
    ...(error.reason !== undefined && { reason: error.reason }),
    ...(error.taskId !== undefined && { taskId: error.taskId }),
  }
}
