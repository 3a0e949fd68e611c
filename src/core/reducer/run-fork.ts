import type { HandlerTable } from './run-step'
import { enqueue } from './task-scheduling'

/**
 * A forked run's first event: the tasks completed at the source's checkpoint are completed here
 * too, and the tasks they free are ready once the run starts. Unlike a completion, it ends
 * nothing: a run all of whose tasks were carried over finishes when it starts.
 */
export const runFork = {
  'workflow.forked': (s, e, step) => {
    step.record(s, e)
    for (const { taskId } of e.completed) {
      const t = s.tasks[taskId]!
      t.status = 'completed'
      t.endedAt = e.at
      s.remaining -= 1
      for (const child of step.wf.tasks.get(taskId)!.children) {
        const c = s.tasks[child]!
        c.deps -= 1
        if (c.deps === 0 && c.status === 'pending') enqueue(s, step, child, c)
      }
    }
  },
} satisfies Pick<HandlerTable, 'workflow.forked'>
