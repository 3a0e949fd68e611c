import type { ChildLink } from '../../types'
import { finishIfDone, resolveItem } from '../waits/items-wait'
import type { HandlerTable } from './run-step'
import { complete, failAttempt } from './task-outcomes'
import { disarm } from './task-scheduling'

type ChildEvent = 'child.started' | 'child.completed' | 'child.failed'

/**
 * Child runs (`subworkflow`): a task records the child it started, and the child's end, read
 * from storage by the host, ends the task's wait (or its `forEach` item's).
 */
export const childRuns = {
  'child.started': (s, e, step) => {
    step.record(s, e)
    s.children ??= []
    const children = s.children
    if (children.some((c) => c.runId === e.childRunId)) return
    const link: ChildLink = { runId: e.childRunId, taskId: e.taskId }
    if (e.index !== undefined) link.index = e.index
    if (e.onParentCancel === 'abandon') link.abandon = true
    children.push(link)
  },
  'child.completed': (s, e, step) => {
    const t = s.tasks[e.taskId]!
    step.record(s, e)
    const wait = t.wait!
    if (wait.kind === 'items') {
      resolveItem(s, step, e.taskId, t, wait, e.index!, e.output)
      finishIfDone(s, step, e.taskId, t, wait)
      return
    }
    complete(s, step, e.taskId, t, e.output)
  },
  'child.failed': (s, e, step) => {
    const t = s.tasks[e.taskId]!
    step.record(s, e)
    const message = `child run "${e.childRunId}" ${e.error.code === 'CANCELLED' ? 'was cancelled' : 'failed'}: ${e.error.message}`
    // The failure ends the whole attempt, every other item's wait (and its timer) included.
    disarm(step, e.taskId, t)
    failAttempt(s, step, e.taskId, t, {
      error: { code: 'CHILD_FAILED', message, cause: e.error },
      rand: e.rand ?? 0.5,
      noRetry: false,
    })
  },
} satisfies Pick<HandlerTable, ChildEvent>
