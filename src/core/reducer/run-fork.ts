import type { HandlerTable } from './run-step'
import { enqueue, triggered } from './task-scheduling'

/**
 * A forked run's first event: the tasks completed at the source's checkpoint are completed here
 * too, and the tasks they free by their trigger rule are ready once the run starts. Unlike a
 * completion, it ends nothing: a run all of whose tasks were carried over finishes when it starts.
 */
export const runFork = {
  'workflow.forked': (s, e, step) => {
    step.record(s, e)
    // All carried tasks first: a dependent carried too is no candidate to start.
    for (const { taskId } of e.completed) {
      const t = s.tasks[taskId]!
      t.status = 'completed'
      t.endedAt = e.at
      s.remaining -= 1
    }
    for (const { taskId } of e.completed) {
      for (const child of step.wf.tasks.get(taskId)!.children) {
        const c = s.tasks[child]!
        // Ready before this dependency (a one-success join freed by an earlier one): queued already.
        const before = triggered(step, child, c)
        c.deps -= 1
        if (c.status === 'pending' && !before && triggered(step, child, c)) enqueue(s, step, child, c)
      }
    }
  },
} satisfies Pick<HandlerTable, 'workflow.forked'>
