import { describe, expect, it } from 'vitest'
import { compileWorkflow } from '../../src/definition/compile'
import { type RunEvent, reduceRun, runEventTypes, type Step } from '../../src/engine/run-reducer'
import { initialRunState } from '../../src/engine/run-state'
import type { CompiledWorkflow, TaskDefinition, WorkflowDefinition } from '../../src/types'

/*
 * The reducer alone: events in, state and step out. No clock, no store, no engine.
 */

const fed = new Set<string>()

function workflow(tasks: Record<string, TaskDefinition>, extra: Partial<WorkflowDefinition> = {}) {
  return compileWorkflow({ schemaVersion: '2.0', id: 'wf', version: '1.0.0', tasks, ...extra })
}

/** A run of `wf` with a reducer to feed it, each event checked off as covered. */
function runOf(wf: CompiledWorkflow) {
  const s = initialRunState(wf, 'r1', 0)
  const feed = (e: RunEvent): Step => {
    fed.add(e.type)
    return reduceRun(s, e, wf)
  }
  return { s, feed }
}

function startedRun(wf: CompiledWorkflow, at = 10) {
  const run = runOf(wf)
  run.feed({ type: 'workflow.started', definitionId: 'wf', version: '1.0.0', at })
  return run
}

const types = (step: Step) => step.records.map((r) => r.type)

const chain = () =>
  workflow({ a: { action: 'noop' }, b: { action: 'noop', dependsOn: ['a'] } }, { concurrency: 1 })

describe('run lifecycle', () => {
  it('workflow.queued keeps the deadline and arms it, without starting anything', () => {
    const { s, feed } = runOf(chain())
    const step = feed({
      type: 'workflow.queued',
      definitionId: 'wf',
      version: '1.0.0',
      deadline: 500,
      timeoutMs: 400,
      at: 100,
    })
    expect(s).toMatchObject({ status: 'queued', deadline: 500, timeoutMs: 400, seq: 1 })
    expect(step.records).toEqual([expect.objectContaining({ type: 'workflow.queued', runId: 'r1', seq: 1 })])
    expect(step.commands).toEqual([{ type: 'arm-run', deadline: 500 }])
  })

  it('workflow.started admits the roots: a task without `when` starts in the same step', () => {
    const { s, feed } = runOf(chain())
    const step = feed({ type: 'workflow.started', definitionId: 'wf', version: '1.0.0', at: 10 })
    expect(s.status).toBe('running')
    expect(s.startedAt).toBe(10)
    expect(types(step)).toEqual(['workflow.started', 'task.started'])
    expect(step.commands).toEqual([{ type: 'start', taskId: 'a', attempt: 1 }])
    expect(s.tasks.a).toMatchObject({ status: 'running', attempts: 1, dispatched: true })
    expect(s.inFlight).toBe(1)
  })

  it('workflow.started hands a task with `when` to the engine to decide', () => {
    const { feed } = runOf(workflow({ a: { action: 'noop', when: 'true' } }))
    const step = feed({ type: 'workflow.started', definitionId: 'wf', version: '1.0.0', at: 10 })
    expect(step.commands).toEqual([{ type: 'dispatch', taskId: 'a' }])
  })

  it('workflow.paused stops admissions; workflow.resumed counts the pause and admits again', () => {
    const { s, feed } = startedRun(chain())
    feed({ type: 'workflow.paused', reason: 'by hand', at: 20 })
    feed({ type: 'task.completed', taskId: 'a', attempt: 1, output: 1, at: 30 })
    expect(s).toMatchObject({ status: 'paused', pauseReason: 'by hand' })
    expect(s.tasks.b!.status).toBe('pending')
    const step = feed({ type: 'workflow.resumed', at: 50 })
    expect(s).toMatchObject({ status: 'running', pausedMs: 30, pausedAt: undefined })
    expect(types(step)).toEqual(['workflow.resumed', 'task.started'])
    expect(step.commands).toEqual([{ type: 'start', taskId: 'b', attempt: 1 }])
  })

  it('workflow.resumed retries the task whose failure paused the run', () => {
    const wf = workflow({ a: { action: 'noop', onError: 'pause', retry: { maxAttempts: 1 } } })
    const { s, feed } = startedRun(wf)
    feed({ type: 'task.failed', taskId: 'a', attempt: 1, error: { code: 'X', message: 'x' }, at: 20 })
    expect(s.status).toBe('paused')
    const step = feed({ type: 'workflow.resumed', at: 30 })
    expect(types(step)).toEqual(['workflow.resumed', 'task.retrying', 'task.started'])
    expect(s.tasks.a).toMatchObject({ status: 'running', attempts: 2, attemptBase: 1 })
  })

  it('workflow.cancelled aborts what runs and cancels every unfinished task', () => {
    const { s, feed } = startedRun(chain())
    const step = feed({ type: 'workflow.cancelled', reason: 'no longer needed', at: 20 })
    expect(s.status).toBe('cancelled')
    expect(s.tasks.a!.status).toBe('cancelled')
    expect(s.tasks.b!.status).toBe('cancelled')
    expect(s.inFlight).toBe(0)
    expect(step.commands).toEqual([{ type: 'abort', taskId: 'a', reason: 'no longer needed' }])
    expect(types(step)).toEqual(['workflow.cancelled'])
  })

  it('workflow.completed ends the run and disarms its deadline', () => {
    const { s, feed } = runOf(workflow({ a: { action: 'noop' } }))
    feed({
      type: 'workflow.started',
      definitionId: 'wf',
      version: '1.0.0',
      deadline: 99,
      timeoutMs: 89,
      at: 10,
    })
    const last = feed({ type: 'task.completed', taskId: 'a', attempt: 1, output: 2, at: 20 })
    expect(last.commands).toContainEqual({ type: 'finish' })
    const step = feed({ type: 'workflow.completed', output: { a: 2 }, at: 21 })
    expect(s).toMatchObject({ status: 'completed', endedAt: 21 })
    expect(step.commands).toEqual([{ type: 'disarm-run' }])
  })

  it('workflow.failed stops the tasks and ends every one of them', () => {
    const { s, feed } = startedRun(chain())
    const step = feed({
      type: 'workflow.failed',
      error: { code: 'EXPRESSION_FAILED', message: 'bad' },
      at: 20,
    })
    expect(s).toMatchObject({ status: 'failed', error: { code: 'EXPRESSION_FAILED' } })
    expect([s.tasks.a!.status, s.tasks.b!.status]).toEqual(['cancelled', 'cancelled'])
    expect(step.commands[0]).toMatchObject({ type: 'abort', taskId: 'a' })
  })

  it('workflow.timed-out records itself, then fails the run with TIMEOUT and spends the deadline', () => {
    const { s, feed } = runOf(workflow({ a: { action: 'noop' } }))
    feed({
      type: 'workflow.started',
      definitionId: 'wf',
      version: '1.0.0',
      deadline: 50,
      timeoutMs: 40,
      at: 10,
    })
    const step = feed({ type: 'workflow.timed-out', deadline: 50, timeoutMs: 40, at: 50 })
    expect(types(step)).toEqual(['workflow.timed-out', 'workflow.failed'])
    expect(s.error?.code).toBe('TIMEOUT')
    expect(s.deadline).toBeUndefined()
    expect(step.commands).toContainEqual({ type: 'disarm-run' })
  })

  it('workflow.recovered on a paused run puts admitted-but-unstarted tasks back in the queue', () => {
    const { s, feed } = runOf(workflow({ a: { action: 'noop', when: 'true' } }))
    feed({ type: 'workflow.started', definitionId: 'wf', version: '1.0.0', at: 10 })
    feed({ type: 'workflow.paused', reason: 'p', at: 11 })
    expect(s.tasks.a!.dispatched).toBe(true)
    const step = feed({ type: 'workflow.recovered', executor: 'e2', at: 12 })
    expect(types(step)).toEqual(['workflow.recovered'])
    expect(s.tasks.a!.dispatched).toBe(false)
    expect(s.inFlight).toBe(0)
    expect(s.ready.slice(s.readyHead)).toEqual(['a'])
  })

  it('workflow.rolled-back leaves the run paused with nothing in flight, numbering after lastSeq', () => {
    const { s, feed } = startedRun(chain())
    const step = feed({
      type: 'workflow.rolled-back',
      checkpointId: 'r1:0',
      toSeq: 0,
      lastSeq: 40,
      compensated: [],
      at: 20,
    })
    expect(s).toMatchObject({ status: 'paused', inFlight: 0, seq: 41 })
    expect(s.tasks.a).toMatchObject({ status: 'pending', dispatched: false })
    expect(step.records[0]).toMatchObject({ type: 'workflow.rolled-back', seq: 41 })
  })

  it('checkpoint.saved is named after its own journal position', () => {
    const { feed } = startedRun(chain())
    const step = feed({ type: 'checkpoint.saved', checkpointId: '', reason: 'before deploy', at: 20 })
    expect(step.records[0]).toMatchObject({ checkpointId: 'r1:3', seq: 3 })
  })
})

describe('task attempts', () => {
  const retried = () =>
    workflow({
      a: { action: 'noop', retry: { maxAttempts: 2, initialDelayMs: 100, backoff: 2, jitter: 0 } },
      b: { action: 'noop', dependsOn: ['a'] },
    })

  it('task.started of a dispatched task starts it once recorded', () => {
    const { s, feed } = runOf(workflow({ a: { action: 'noop', when: 'true' } }))
    feed({ type: 'workflow.started', definitionId: 'wf', version: '1.0.0', at: 10 })
    const step = feed({ type: 'task.started', taskId: 'a', attempt: 1, at: 15 })
    expect(step.commands).toEqual([{ type: 'start', taskId: 'a', attempt: 1 }])
    expect(s.tasks.a).toMatchObject({ status: 'running', startedAt: 15, queueMs: 5 })
  })

  it('task.started again on a running task (a lost attempt) does not use up the retry budget', () => {
    const { s, feed } = startedRun(chain())
    feed({ type: 'task.started', taskId: 'a', attempt: 2, at: 15 })
    expect(s.tasks.a).toMatchObject({ attempts: 2, attemptBase: 1 })
  })

  it('task.progress and task.log are recorded and change nothing else', () => {
    const { s, feed } = startedRun(chain())
    const before = structuredClone(s.tasks)
    expect(types(feed({ type: 'task.progress', taskId: 'a', fraction: 0.5, at: 11 }))).toEqual([
      'task.progress',
    ])
    expect(types(feed({ type: 'task.log', taskId: 'a', message: 'hi', at: 12 }))).toEqual(['task.log'])
    expect(s.tasks).toEqual(before)
    expect(s.seq).toBe(4)
  })

  it('task.completed settles the task and admits its dependents', () => {
    const { s, feed } = startedRun(chain())
    const step = feed({ type: 'task.completed', taskId: 'a', attempt: 1, output: 1, at: 20 })
    expect(types(step)).toEqual(['task.completed', 'task.started'])
    expect(step.commands).toEqual([{ type: 'start', taskId: 'b', attempt: 1 }])
    expect(s.tasks.a).toMatchObject({ status: 'completed', runMs: 10, endedAt: 20 })
    expect(s.remaining).toBe(1)
  })

  it('task.item-completed counts the items done', () => {
    const { s, feed } = startedRun(workflow({ a: { action: 'noop', forEach: '[1, 2]' } }))
    feed({ type: 'task.item-completed', taskId: 'a', index: 1, output: 2, at: 11 })
    feed({ type: 'task.item-completed', taskId: 'a', index: 0, output: 1, at: 12 })
    expect(s.tasks.a!.itemsDone).toBe(2)
  })

  it('task.failed with attempts left goes into back-off and arms its timer', () => {
    const { s, feed } = startedRun(retried())
    const step = feed({
      type: 'task.failed',
      taskId: 'a',
      attempt: 1,
      error: { code: 'X', message: 'x' },
      rand: 0.3,
      at: 20,
    })
    expect(types(step)).toEqual(['task.failed', 'task.retrying'])
    expect(step.records[0]).toMatchObject({ final: false })
    expect(step.records[1]).toMatchObject({ delayMs: 100, attempt: 2 })
    expect(step.commands).toEqual([{ type: 'arm', taskId: 'a', deadline: 120 }])
    expect(s.tasks.a).toMatchObject({ status: 'retrying', failedAttempts: 1 })
    expect(s.inFlight).toBe(0)
  })

  it('task.failed for good applies onError: fail fails the run', () => {
    const { s, feed } = startedRun(chain())
    const step = feed({
      type: 'task.failed',
      taskId: 'a',
      attempt: 1,
      error: { code: 'X', message: 'x' },
      at: 20,
    })
    expect(types(step)).toEqual(['task.failed', 'workflow.failed'])
    expect(s).toMatchObject({ status: 'failed', error: { code: 'TASK_FAILED', taskId: 'a' } })
  })

  it('task.failed for good applies onError: skip and continue, letting dependents run', () => {
    for (const onError of ['skip', 'continue'] as const) {
      const wf = workflow({ a: { action: 'noop', onError }, b: { action: 'noop', dependsOn: ['a'] } })
      const { s, feed } = startedRun(wf)
      const step = feed({
        type: 'task.failed',
        taskId: 'a',
        attempt: 1,
        error: { code: 'X', message: 'x' },
        at: 20,
      })
      expect(s.tasks.a!.status).toBe(onError === 'skip' ? 'skipped' : 'failed')
      expect(s.tasks.b!.status).toBe('running')
      expect(step.records[0]).toMatchObject(onError === 'continue' ? { continued: true } : { final: true })
    }
  })

  it('task.failed with noRetry ends the task at once despite attempts left', () => {
    const { s, feed } = startedRun(retried())
    feed({
      type: 'task.failed',
      taskId: 'a',
      attempt: 1,
      error: { code: 'X', message: 'x' },
      noRetry: true,
      at: 20,
    })
    expect(s.status).toBe('failed')
  })

  it('task.timed-out records itself and fails the attempt with TIMEOUT', () => {
    const { s, feed } = startedRun(retried())
    const step = feed({ type: 'task.timed-out', taskId: 'a', attempt: 1, timeoutMs: 5, at: 15 })
    expect(types(step)).toEqual(['task.timed-out', 'task.failed', 'task.retrying'])
    expect(s.tasks.a!.error).toMatchObject({ code: 'TIMEOUT' })
  })

  it('task.retrying by hand revives a failed run from where it stopped', () => {
    const { s, feed } = startedRun(chain())
    feed({ type: 'task.failed', taskId: 'a', attempt: 1, error: { code: 'X', message: 'x' }, at: 20 })
    const step = feed({ type: 'task.retrying', taskId: 'a', attempt: 2, delayMs: 0, manual: true, at: 30 })
    expect(types(step)).toEqual(['task.retrying', 'task.started'])
    expect(s).toMatchObject({ status: 'running', error: undefined })
    expect(s.tasks.a).toMatchObject({ status: 'running', attempts: 2, attemptBase: 1 })
    expect(s.tasks.b!.status).toBe('pending')
  })

  it('task.skipped aborts a running task and lets its dependents run', () => {
    const { s, feed } = startedRun(chain())
    const step = feed({ type: 'task.skipped', taskId: 'a', reason: 'manual', at: 20 })
    expect(step.commands).toEqual([
      { type: 'abort', taskId: 'a', reason: 'skipped' },
      { type: 'start', taskId: 'b', attempt: 1 },
    ])
    expect(s.tasks.a).toMatchObject({ status: 'skipped', skipReason: 'manual' })
  })
})

describe('waits', () => {
  it('task.waiting until a time frees the slot and arms the timer; timer.fired completes it', () => {
    const { s, feed } = startedRun(chain())
    const step = feed({ type: 'task.waiting', taskId: 'a', until: 100, at: 20 })
    expect(step.commands).toEqual([{ type: 'arm', taskId: 'a', deadline: 100 }])
    expect(s.tasks.a!.status).toBe('waiting')
    expect(s.inFlight).toBe(0)
    const fired = feed({ type: 'timer.fired', taskId: 'a', at: 100 })
    expect(types(fired)).toEqual(['timer.fired', 'task.completed', 'task.started'])
    expect(s.tasks.a!.status).toBe('completed')
  })

  it('task.waiting for a signal already buffered completes at once from the buffer', () => {
    const { s, feed } = startedRun(chain())
    feed({ type: 'signal.received', name: 'go', payload: 1, at: 15 })
    const step = feed({ type: 'task.waiting', taskId: 'a', signal: 'go', at: 20 })
    expect(types(step)).toEqual(['task.waiting', 'task.completed', 'task.started'])
    expect(step.records[1]).toMatchObject({ signal: 3 })
    expect(s.bufferedSignals).toBe(0)
  })

  it('timer.fired on a signal wait times the task out', () => {
    const { s, feed } = startedRun(chain())
    feed({ type: 'task.waiting', taskId: 'a', signal: 'go', until: 60, at: 20 })
    const step = feed({ type: 'timer.fired', taskId: 'a', at: 60 })
    expect(types(step)).toEqual(['timer.fired', 'task.timed-out', 'task.failed', 'workflow.failed'])
    expect(s.tasks.a!.error).toMatchObject({ code: 'TIMEOUT' })
  })

  it('task.waiting of forEach items: each item resolves on its own, then the task completes', () => {
    const { s, feed } = startedRun(chain())
    const items = [
      { index: 0, until: 100 },
      { index: 1, signal: 'go' },
      { index: 2, until: 50 },
    ]
    const step = feed({ type: 'task.waiting', taskId: 'a', items, count: 4, at: 20 })
    expect(step.commands).toEqual([{ type: 'arm', taskId: 'a', deadline: 50 }])
    expect(s.tasks.a!.wait).toMatchObject({ kind: 'items', count: 4, until: 50 })
    const early = feed({ type: 'timer.fired', taskId: 'a', at: 50 })
    expect(early.records.map((r) => [r.type, 'index' in r ? r.index : undefined])).toEqual([
      ['timer.fired', undefined],
      ['task.item-completed', 2],
    ])
    expect(early.commands).toEqual([{ type: 'arm', taskId: 'a', deadline: 100 }])
    feed({ type: 'signal.received', name: 'go', payload: 'p', at: 60 })
    expect(s.tasks.a!.status).toBe('waiting')
    const last = feed({ type: 'timer.fired', taskId: 'a', at: 100 })
    expect(types(last)).toEqual(['timer.fired', 'task.item-completed', 'task.completed', 'task.started'])
    expect(last.records[2]).toMatchObject({ items: 4 })
    expect(s.tasks.a).toMatchObject({ status: 'completed', itemsDone: 3, wait: undefined })
  })

  it('timer.fired at the end of a back-off makes the task ready again', () => {
    const wf = workflow({ a: { action: 'noop', retry: { maxAttempts: 2, initialDelayMs: 50, jitter: 0 } } })
    const { s, feed } = startedRun(wf)
    feed({ type: 'task.failed', taskId: 'a', attempt: 1, error: { code: 'X', message: 'x' }, at: 20 })
    const step = feed({ type: 'timer.fired', taskId: 'a', at: 70 })
    expect(types(step)).toEqual(['timer.fired', 'task.started'])
    expect(s.tasks.a).toMatchObject({ status: 'running', attempts: 2, queueMs: 50 })
  })
})

describe('signals', () => {
  it('signal.received completes the task waiting for it with the payload', () => {
    const { s, feed } = startedRun(chain())
    feed({ type: 'task.waiting', taskId: 'a', signal: 'go', at: 20 })
    const step = feed({ type: 'signal.received', name: 'go', payload: { ok: true }, at: 30 })
    expect(types(step)).toEqual(['signal.received', 'task.completed', 'task.started'])
    expect(step.records[1]).toMatchObject({ output: { ok: true } })
    expect(s.tasks.a!.status).toBe('completed')
  })

  it('signal.received with nobody waiting is buffered', () => {
    const { s, feed } = startedRun(chain())
    const step = feed({ type: 'signal.received', name: 'later', payload: 1, at: 30 })
    expect(step.records).toEqual([expect.objectContaining({ type: 'signal.received', buffered: true })])
    expect(s.signals.later).toEqual([{ seq: 3, at: 30 }])
  })

  it('signal.dropped is derived by the buffer, so applying it again changes nothing', () => {
    const { s, feed } = startedRun(chain())
    const before = structuredClone(s)
    const step = feed({
      type: 'signal.dropped',
      name: 'x',
      signalSeq: 1,
      receivedAt: 0,
      reason: 'expired',
      at: 40,
    })
    expect(step.records).toEqual([])
    expect(step.commands).toEqual([])
    expect(s).toEqual(before)
  })
})

describe('approvals', () => {
  it('approval events are recorded as they come', () => {
    const { feed } = startedRun(chain())
    const events: RunEvent[] = [
      { type: 'approval.required', taskId: 'a', approvers: ['ann'], level: 1, at: 20 },
      { type: 'approval.escalated', taskId: 'a', level: 2, at: 21 },
      { type: 'approval.granted', taskId: 'a', by: 'ann', at: 22 },
      { type: 'approval.rejected', taskId: 'a', by: 'bob', at: 23 },
    ]
    for (const e of events) expect(types(feed(e))).toEqual([e.type])
  })
})

describe('the handler table', () => {
  it('has a handler for every event type, and every one of them is exercised above', () => {
    expect([...fed].sort()).toEqual([...runEventTypes].sort())
  })
})
