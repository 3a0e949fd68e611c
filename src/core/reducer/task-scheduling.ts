import type { CompiledTask, RunState, TaskState, TaskStatus } from '../../types'
import { type TriggerVerdict, triggerVerdict } from '../trigger-rules'
import type { RunEvent, RunStep } from './run-step'

/*
 * Admission and settlement of tasks: the ready queue, the concurrency slots, and what a task's
 * end does to its dependents. Each function changes the run state in place.
 */

/** Time from `from` to the step, less the pause going on (health leaves paused time out). */
export function waited(s: RunState, step: RunStep, from: number): number {
  const end = s.pausedAt !== undefined && s.pausedAt < step.at ? s.pausedAt : step.at
  return end > from ? end - from : 0
}

/** A task stops waiting for a slot or its back-off: the wait so far is queue time. */
export function stopWaiting(s: RunState, step: RunStep, t: TaskState): void {
  if (t.readyAt === undefined || (t.status !== 'pending' && t.status !== 'retrying')) return
  t.queueMs += waited(s, step, Math.max(t.readyAt, t.endedAt ?? t.readyAt))
  t.readyAt = undefined
}

/** The run leaves a pause: waits that went on through it resume as if it had not happened. */
export function endPause(s: RunState, step: RunStep): void {
  if (s.pausedAt === undefined) return
  const pausedAt = s.pausedAt
  s.pausedMs += step.at - pausedAt
  s.pausedAt = undefined
  for (const id in s.tasks) {
    const t = s.tasks[id]!
    if (t.readyAt !== undefined) t.readyAt = t.readyAt < pausedAt ? t.readyAt + (step.at - pausedAt) : step.at
  }
}

/** The task became ready to run (deps done, back-off over): it waits for a slot. */
export function enqueue(s: RunState, step: RunStep, id: string, t: TaskState): void {
  t.readyAt ??= step.at
  s.ready.push(id)
}

/** Frees the concurrency slot the task held, if it held one. */
export function releaseSlot(s: RunState, t: TaskState): void {
  if (!t.dispatched) return
  t.dispatched = false
  s.inFlight -= 1
}

/** Ends the task's wait, if any, and tells the engine to clear its timer. */
export function disarm(step: RunStep, id: string, t: TaskState): void {
  const until = t.wait?.until
  t.wait = undefined
  if (until !== undefined) step.command({ type: 'disarm', taskId: id })
}

/** Admits ready tasks while the run is running and has free slots. */
export function fill(s: RunState, step: RunStep): void {
  while (s.status === 'running' && s.inFlight < s.concurrency && s.readyHead < s.ready.length) {
    const id = s.ready[s.readyHead++]!
    const t = s.tasks[id]!
    if (t.status !== 'pending' || t.dispatched) continue
    if ((t.deps > 0 || t.depsSkipped !== undefined) && !triggered(step, id, t)) continue
    t.dispatched = true
    s.inFlight += 1
    // Without a `when`, admitting a task is starting it: one transition, no round trip. A task
    // under an engine limit starts once the engine grants it a slot, so it waits as queued.
    if (step.wf.tasks.get(id)!.when || (s.gated !== undefined && s.gated[id] === true))
      step.command({ type: 'dispatch', taskId: id })
    else {
      start(s, step, id, t, t.attempts + 1)
      step.command({ type: 'start', taskId: id, attempt: t.attempts })
    }
  }
  if (s.readyHead > 1024 && s.readyHead * 2 > s.ready.length) {
    s.ready = s.ready.slice(s.readyHead)
    s.readyHead = 0
  }
}

/** Starts attempt `attempt` of the task, recording `input` or a `task.started` of its own. */
export function start(
  s: RunState,
  step: RunStep,
  id: string,
  t: TaskState,
  attempt: number,
  input?: RunEvent,
): void {
  // The lost attempt did not fail: it does not use up the retry budget.
  if (t.status === 'running') t.attemptBase += 1
  t.status = 'running'
  t.attempts = attempt
  t.startedAt = step.at
  t.endedAt = undefined
  if (t.readyAt !== undefined) t.queueMs += waited(s, step, t.readyAt)
  t.readyAt = undefined
  step.record(s, input ?? { type: 'task.started', taskId: id, attempt, at: step.at })
}

/** Adds the time the current attempt ran to the task's running time. */
export function stopClock(step: RunStep, t: TaskState): void {
  if (t.status === 'running' && t.startedAt !== undefined) t.runMs += step.at - t.startedAt
}

/** The task ended for good: its dependents may become ready (or be skipped), and the run may be done. */
export function settle(
  s: RunState,
  step: RunStep,
  id: string,
  t: TaskState,
  status: 'completed' | 'skipped' | 'failed',
): void {
  // Tasks skipped by their rule whose dependents are still to hear of it: a worklist rather
  // than recursion, as a skip goes down a branch of any length.
  let skipped: string[] | undefined
  let parent = id
  let outcome = end(s, step, t, status)
  for (;;) {
    for (const child of step.wf.tasks.get(parent)!.children) {
      const c = s.tasks[child]!
      const task = step.wf.tasks.get(child)!
      const before = verdict(task, c)
      c.deps -= 1
      if (outcome === 'skipped') c.depsSkipped = (c.depsSkipped ?? 0) + 1
      if (c.status !== 'pending' || c.dispatched) continue
      const after = verdict(task, c)
      if (after === 'skip') {
        c.skipReason = 'trigger'
        step.record(s, { type: 'task.skipped', taskId: child, reason: 'trigger', at: step.at })
        end(s, step, c, 'skipped')
        skipped ??= []
        skipped.push(child)
      } else if (after === 'ready' && before !== 'ready') enqueue(s, step, child, c)
    }
    const next = skipped?.pop()
    if (next === undefined) break
    parent = next
    outcome = 'skipped'
  }
  if (s.remaining === 0) step.command({ type: 'finish' })
}

/** Marks the task ended; a failure settled here is one under `continue`, which counts as completed. */
function end(s: RunState, step: RunStep, t: TaskState, status: TaskStatus): 'completed' | 'skipped' {
  t.status = status
  t.endedAt = step.at
  s.remaining -= 1
  return status === 'skipped' ? 'skipped' : 'completed'
}

/** Whether a pending task's trigger rule lets it start now (its dependencies ended as the rule asks). */
export function triggered(step: RunStep, id: string, t: TaskState): boolean {
  return verdict(step.wf.tasks.get(id)!, t) === 'ready'
}

function verdict(task: CompiledTask, t: TaskState): TriggerVerdict {
  // No dependency skipped: every rule but one-success waits for them all, and then runs. The
  // common case, decided without a tally (settle asks twice per edge).
  if (t.depsSkipped === undefined && (t.deps === 0 || task.trigger !== 'one-success'))
    return t.deps === 0 ? 'ready' : 'wait'
  const total = task.dependsOn.length
  const skipped = t.depsSkipped ?? 0
  return triggerVerdict(task.trigger, { total, completed: total - t.deps - skipped, skipped })
}
