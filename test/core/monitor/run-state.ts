import type { RunState, TaskState } from '../../../src/types'

/** A task state with every counter at zero, overridden by `fields`. */
export function taskState(fields: Partial<TaskState> = {}): TaskState {
  return {
    status: 'pending',
    attempts: 0,
    failedAttempts: 0,
    deps: 0,
    dispatched: false,
    attemptBase: 0,
    runMs: 0,
    queueMs: 0,
    ...fields,
  }
}

/** A running run with the given tasks, overridden by `fields`. */
export function runState(tasks: Record<string, TaskState>, fields: Partial<RunState> = {}): RunState {
  let remaining = 0
  for (const id in tasks) {
    const { status, continued } = tasks[id]!
    if (status !== 'completed' && status !== 'skipped' && !(status === 'failed' && continued)) remaining++
  }
  return {
    runId: 'run-1',
    definitionId: 'wf',
    version: '1.0.0',
    status: 'running',
    createdAt: 0,
    updatedAt: 0,
    seq: 0,
    concurrency: 8,
    inFlight: 0,
    ready: [],
    readyHead: 0,
    remaining,
    tasks,
    signals: {},
    bufferedSignals: 0,
    pausedMs: 0,
    ...fields,
  }
}
