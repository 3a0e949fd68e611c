import type { CompiledWorkflow, ErrorInfo, RunState, TaskState, WorkflowEvent } from '../types'
import type { RunCommand, RunEvent } from './run-events'
import { canRetry } from './run-state'
import { bufferSignal, takeSignal } from './signal-buffer'

export type { RunCommand, RunEvent } from './run-events'

/**
 * Applies one event to the run state (in place: an O(1) change for most events, where copying
 * the task table on every event would make a run of n tasks cost O(n²)) and returns what the
 * engine must do. Deterministic: the same state and event always give the same result, which is
 * what makes replaying the journal restore a run exactly.
 */
export function reduceRun(s: RunState, e: RunEvent, wf: CompiledWorkflow): RunCommand[] {
  const out: RunCommand[] = []
  const at = e.at
  const record = (event: RunEvent) => {
    s.seq += 1
    s.updatedAt = Math.max(s.updatedAt, at)
    out.push({ type: 'record', event: { ...event, runId: s.runId, seq: s.seq } as WorkflowEvent })
  }
  const releaseSlot = (t: TaskState) => {
    if (!t.dispatched) return
    t.dispatched = false
    s.inFlight -= 1
  }
  const disarm = (id: string, t: TaskState) => {
    if (t.deadline === undefined) return
    t.deadline = undefined
    out.push({ type: 'disarm', taskId: id })
  }
  /** Time from `from` to now, less the pause going on (health leaves paused time out). */
  const waited = (from: number) => {
    const end = s.pausedAt !== undefined && s.pausedAt < at ? s.pausedAt : at
    return end > from ? end - from : 0
  }
  /** A task stops waiting for a slot or its back-off: the wait so far is queue time. */
  const stopWaiting = (t: TaskState) => {
    if (t.readyAt === undefined || (t.status !== 'pending' && t.status !== 'retrying')) return
    t.queueMs += waited(Math.max(t.readyAt, t.endedAt ?? t.readyAt))
    t.readyAt = undefined
  }
  /** The run leaves a pause: waits that went on through it resume as if it had not happened. */
  const endPause = () => {
    if (s.pausedAt === undefined) return
    const pausedAt = s.pausedAt
    s.pausedMs += at - pausedAt
    s.pausedAt = undefined
    for (const id in s.tasks) {
      const t = s.tasks[id]!
      if (t.readyAt !== undefined) t.readyAt = t.readyAt < pausedAt ? t.readyAt + (at - pausedAt) : at
    }
  }
  const enqueue = (id: string, t: TaskState) => {
    t.readyAt ??= at
    s.ready.push(id)
  }
  const fill = () => {
    while (s.status === 'running' && s.inFlight < s.concurrency && s.readyHead < s.ready.length) {
      const id = s.ready[s.readyHead++]!
      const t = s.tasks[id]!
      if (t.status !== 'pending' || t.dispatched || t.deps > 0) continue
      t.dispatched = true
      s.inFlight += 1
      // Without a `when`, admitting a task is starting it: one transition, no round trip.
      if (wf.tasks.get(id)!.when) out.push({ type: 'dispatch', taskId: id })
      else {
        start(id, t, t.attempts + 1)
        out.push({ type: 'start', taskId: id, attempt: t.attempts })
      }
    }
    if (s.readyHead > 1024 && s.readyHead * 2 > s.ready.length) {
      s.ready = s.ready.slice(s.readyHead)
      s.readyHead = 0
    }
  }
  const settle = (id: string, t: TaskState, status: 'completed' | 'skipped' | 'failed') => {
    t.status = status
    t.endedAt = at
    s.remaining -= 1
    for (const child of wf.tasks.get(id)!.children) {
      const c = s.tasks[child]!
      c.deps -= 1
      if (c.deps === 0 && c.status === 'pending') enqueue(child, c)
    }
    if (s.remaining === 0) out.push({ type: 'finish' })
  }
  const complete = (id: string, t: TaskState, output: unknown, input?: RunEvent) => {
    if (t.status === 'running' && t.startedAt !== undefined) t.runMs += at - t.startedAt
    releaseSlot(t)
    disarm(id, t)
    t.signal = undefined
    t.error = undefined
    // The completion's journal position is also a checkpoint (see checkpointsOf).
    record(input ?? { type: 'task.completed', taskId: id, attempt: t.attempts, output, at })
    settle(id, t, 'completed')
  }
  const stopTasks = (reason: string) => {
    for (const id in s.tasks) {
      const t = s.tasks[id]!
      if (t.status === 'running' || t.status === 'waiting' || t.status === 'retrying' || t.dispatched) {
        if (t.status === 'running' || t.status === 'waiting') out.push({ type: 'abort', taskId: id, reason })
        if (t.status === 'running' && t.startedAt !== undefined) t.runMs += at - t.startedAt
        stopWaiting(t)
        disarm(id, t)
        releaseSlot(t)
        t.status = 'cancelled'
        t.endedAt = at
      }
    }
    s.ready = []
    s.readyHead = 0
  }
  const failRun = (error: ErrorInfo) => {
    stopTasks(`the run failed: ${error.message}`)
    // Every task ends in a terminal status; `retryTask`/`skipTask` revive the cancelled ones.
    for (const id in s.tasks) {
      const t = s.tasks[id]!
      if (t.status === 'pending') t.status = 'cancelled'
    }
    s.status = 'failed'
    s.error = error
    s.endedAt = at
    if (s.deadline !== undefined) out.push({ type: 'disarm-run' })
    record({ type: 'workflow.failed', error, at })
  }
  /** Arms the run's deadline while the run can still time out (queued, running or paused). */
  const armRun = () => {
    if (s.deadline !== undefined) out.push({ type: 'arm-run', deadline: s.deadline })
  }
  /** After `retryTask` or `skipTask` on a failed run: it runs again from where it stopped. */
  const revive = () => {
    if (s.status !== 'failed') return
    s.status = 'running'
    s.error = undefined
    s.endedAt = undefined
    armRun()
    for (const id of wf.order) {
      const t = s.tasks[id]!
      if (t.status === 'cancelled') {
        t.status = 'pending'
        t.readyAt = undefined
      }
      if (t.status === 'pending' && t.deps === 0 && !t.dispatched) enqueue(id, t)
    }
  }
  const failAttempt = (
    id: string,
    t: TaskState,
    error: ErrorInfo,
    rand: number,
    noRetry: boolean,
    input?: RunEvent,
  ) => {
    if (t.status === 'running' && t.startedAt !== undefined) t.runMs += at - t.startedAt
    t.failedAttempts += 1
    releaseSlot(t)
    disarm(id, t)
    t.error = error
    t.endedAt = at
    const task = wf.tasks.get(id)!
    const retry = task.retry
    const used = t.attempts - t.attemptBase
    const final = noRetry || used >= retry.maxAttempts
    // With `continue`, the error becomes the task's output (the record carries the verdict).
    const continued = final && task.onError === 'continue' ? { continued: true } : {}
    record(
      input && input.type === 'task.failed'
        ? { ...input, final, ...continued }
        : { type: 'task.failed', taskId: id, attempt: t.attempts, error, final, ...continued, at },
    )
    if (!final) {
      const base = retry.initialDelayMs * retry.backoff ** (used - 1)
      const spread = base * (1 + retry.jitter * (2 * rand - 1))
      const delayMs = Math.max(0, Math.round(Math.min(retry.maxDelayMs, spread)))
      t.status = 'retrying'
      t.readyAt = at
      t.deadline = at + delayMs
      record({ type: 'task.retrying', taskId: id, attempt: t.attempts + 1, delayMs, at })
      out.push({ type: 'arm', taskId: id, deadline: t.deadline })
      return
    }
    switch (task.onError) {
      case 'fail':
        t.status = 'failed'
        failRun({
          code: error.code === 'TIMEOUT' ? 'TIMEOUT' : 'TASK_FAILED',
          message: `Task "${id}" failed: ${error.message}`,
          taskId: id,
        })
        return
      case 'skip':
        t.skipReason = 'on-error'
        record({ type: 'task.skipped', taskId: id, reason: 'on-error', at })
        settle(id, t, 'skipped')
        return
      case 'continue':
        t.continued = true
        settle(id, t, 'failed')
        return
      case 'pause':
        t.status = 'failed'
        if (s.status === 'running') {
          s.status = 'paused'
          s.pausedAt = at
          s.pauseReason = `Task "${id}" failed: ${error.message}. Fix the cause, then resume (retries it) or skip the task.`
          record({ type: 'workflow.paused', reason: s.pauseReason, error: { ...error, taskId: id }, at })
        }
        return
    }
  }

  switch (e.type) {
    case 'checkpoint.saved':
      record({ ...e, checkpointId: `${s.runId}:${s.seq + 1}` })
      break
    case 'workflow.rolled-back':
      rollBack(e.lastSeq)
      record(e)
      armRun()
      break
    case 'workflow.recovered':
      // Admitted before the restart but never started: a paused run starts them on resume.
      if (s.status === 'paused') {
        for (const id of wf.order) {
          const t = s.tasks[id]!
          if (t.status === 'pending' && t.dispatched) {
            releaseSlot(t)
            enqueue(id, t)
          }
        }
      }
      record(e)
      break
    case 'workflow.queued':
      setDeadline(e)
      record(e)
      break
    case 'task.progress':
    case 'task.log':
      record(e)
      break
    case 'workflow.started':
      s.status = 'running'
      s.startedAt ??= at
      setDeadline(e)
      record(e)
      for (const id of wf.roots) enqueue(id, s.tasks[id]!)
      if (s.remaining === 0) out.push({ type: 'finish' })
      break
    case 'workflow.paused':
      s.status = 'paused'
      s.pausedAt = at
      s.pauseReason = e.reason
      record(e)
      break
    case 'workflow.resumed':
      s.status = 'running'
      endPause()
      s.pauseReason = undefined
      record(e)
      // After a rollback the run was restored without its timers.
      armRun()
      for (const id of wf.order) {
        const t = s.tasks[id]!
        if (canRetry(s, t)) retryTask(id, t, true)
      }
      // Rolled back to its last completion: nothing is left to run, but the run must still end.
      if (s.remaining === 0) out.push({ type: 'finish' })
      break
    case 'workflow.cancelled':
      stopTasks(e.reason ?? 'the run was cancelled')
      for (const id in s.tasks) {
        const t = s.tasks[id]!
        if (t.status === 'pending') {
          stopWaiting(t)
          t.status = 'cancelled'
          t.endedAt = at
        }
      }
      s.status = 'cancelled'
      s.endedAt = at
      endPause()
      if (s.deadline !== undefined) out.push({ type: 'disarm-run' })
      record(e)
      break
    case 'workflow.completed':
      s.status = 'completed'
      s.endedAt = at
      endPause()
      s.pauseReason = undefined
      if (s.deadline !== undefined) out.push({ type: 'disarm-run' })
      record(e)
      break
    case 'workflow.failed':
      failRun(e.error)
      break
    case 'workflow.timed-out':
      record(e)
      if (s.status === 'paused' && s.pausedAt !== undefined) s.pausedMs += at - s.pausedAt
      s.pausedAt = undefined
      s.pauseReason = undefined
      failRun({
        code: 'TIMEOUT',
        message: `Run "${s.runId}" did not finish within its timeoutMs of ${e.timeoutMs} ms; its in-flight tasks were aborted.`,
      })
      // Spent: a run continued by hand afterwards (skipTask, retryTask) runs without a deadline.
      s.deadline = undefined
      break
    case 'task.started':
      start(e.taskId, s.tasks[e.taskId]!, e.attempt, e)
      // Like an admission in fill(): the action starts once this record is committed, so a
      // crash before the commit cannot hand the next executor the same attempt number.
      out.push({ type: 'start', taskId: e.taskId, attempt: e.attempt })
      break
    case 'task.completed':
      complete(e.taskId, s.tasks[e.taskId]!, e.output, e)
      break
    case 'task.item-completed': {
      const t = s.tasks[e.taskId]!
      t.itemsDone = (t.itemsDone ?? 0) + 1
      record(e)
      break
    }
    case 'task.failed':
      failAttempt(e.taskId, s.tasks[e.taskId]!, e.error, e.rand ?? 0.5, e.noRetry ?? false, e)
      break
    case 'task.timed-out': {
      record(e)
      const error = { code: 'TIMEOUT', message: `Task "${e.taskId}" timed out after ${e.timeoutMs} ms` }
      failAttempt(e.taskId, s.tasks[e.taskId]!, error, e.rand ?? 0.5, false)
      break
    }
    case 'task.retrying':
      retryTask(e.taskId, s.tasks[e.taskId]!, false, e)
      break
    case 'task.skipped': {
      const t = s.tasks[e.taskId]!
      if (t.status === 'running' || t.status === 'waiting')
        out.push({ type: 'abort', taskId: e.taskId, reason: 'skipped' })
      if (t.status === 'running' && t.startedAt !== undefined) t.runMs += at - t.startedAt
      releaseSlot(t)
      disarm(e.taskId, t)
      t.skipReason = e.reason === 'condition' ? 'condition' : 'manual'
      record(e)
      revive()
      settle(e.taskId, t, 'skipped')
      break
    }
    case 'task.waiting': {
      const t = s.tasks[e.taskId]!
      if (t.startedAt !== undefined) t.runMs += at - t.startedAt
      t.status = 'waiting'
      releaseSlot(t)
      t.deadline = e.until
      t.signal = e.signal
      record(e)
      if (e.until !== undefined) out.push({ type: 'arm', taskId: e.taskId, deadline: e.until })
      const buffered = e.signal === undefined ? undefined : takeSignal(s, e.signal, at, record)
      // The payload is not in the run state: the executor adds it to the record from RunData.
      if (buffered) {
        const completed = {
          type: 'task.completed',
          taskId: e.taskId,
          attempt: t.attempts,
          signal: buffered.seq,
          at,
        }
        complete(e.taskId, t, undefined, completed as RunEvent)
      }
      break
    }
    case 'timer.fired': {
      const t = s.tasks[e.taskId]!
      t.deadline = undefined
      record(e)
      if (t.status === 'retrying') {
        t.status = 'pending'
        enqueue(e.taskId, t)
      } else if (t.signal !== undefined) {
        const timeoutMs = at - (t.startedAt ?? at)
        record({ type: 'task.timed-out', taskId: e.taskId, attempt: t.attempts, timeoutMs, at })
        const message = `Task "${e.taskId}" waited ${timeoutMs} ms for signal "${t.signal}", which did not come`
        t.signal = undefined
        failAttempt(e.taskId, t, { code: 'TIMEOUT', message }, 0.5, false)
      } else {
        complete(e.taskId, t, undefined)
      }
      break
    }
    case 'signal.received': {
      const waiter = wf.order.find(
        (id) => s.tasks[id]!.status === 'waiting' && s.tasks[id]!.signal === e.name,
      )
      const { buffered: _buffered, ...received } = e
      record(waiter ? received : { ...received, buffered: true })
      if (waiter) complete(waiter, s.tasks[waiter]!, e.payload)
      else bufferSignal(s, e.name, s.seq, at, record)
      break
    }
    case 'signal.dropped':
      // Recorded only as a consequence of another event: the replay derives it again.
      break
    case 'approval.required':
    case 'approval.granted':
    case 'approval.rejected':
    case 'approval.escalated':
      record(e)
      break
  }
  fill()
  return out

  /** The deadline comes with the run's first event; a queued run that starts keeps it. */
  function setDeadline(event: { deadline?: number; timeoutMs?: number }) {
    if (event.deadline === undefined) return
    s.deadline = event.deadline
    s.timeoutMs = event.timeoutMs
    armRun()
  }

  function start(id: string, t: TaskState, attempt: number, input?: RunEvent) {
    // The lost attempt did not fail: it does not use up the retry budget.
    if (t.status === 'running') t.attemptBase += 1
    t.status = 'running'
    t.attempts = attempt
    t.startedAt = at
    t.endedAt = undefined
    if (t.readyAt !== undefined) t.queueMs += waited(t.readyAt)
    t.readyAt = undefined
    record(input ?? { type: 'task.started', taskId: id, attempt, at })
  }

  /** The state replayed up to a checkpoint, made ready to resume: nothing is in flight any more. */
  function rollBack(lastSeq: number) {
    s.seq = Math.max(s.seq, lastSeq)
    s.ready = []
    s.readyHead = 0
    s.inFlight = 0
    for (const id of wf.order) {
      const t = s.tasks[id]!
      if (
        t.status === 'running' ||
        t.status === 'waiting' ||
        t.status === 'retrying' ||
        t.status === 'cancelled'
      ) {
        t.status = 'pending'
        t.readyAt = undefined
        t.startedAt = undefined
      }
      t.dispatched = false
      t.deadline = undefined
      t.signal = undefined
      if (t.status === 'pending' && t.deps === 0) enqueue(id, t)
    }
    s.status = 'paused'
    s.pausedAt = at
    s.pauseReason = 'rolled back to a checkpoint; resume to continue'
    s.error = undefined
    s.endedAt = undefined
  }

  function retryTask(id: string, t: TaskState, derived: boolean, input?: RunEvent) {
    t.status = 'pending'
    t.error = undefined
    t.endedAt = undefined
    t.readyAt = undefined
    t.attemptBase = t.attempts
    record(
      input ?? { type: 'task.retrying', taskId: id, attempt: t.attempts + 1, delayMs: 0, manual: true, at },
    )
    if (!derived) revive()
    if (t.deps === 0) enqueue(id, t)
  }
}
