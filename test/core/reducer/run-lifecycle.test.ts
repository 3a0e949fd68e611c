import { describe, expect, it } from 'vitest'
import { runLifecycle } from '../../../src/core/reducer/run-lifecycle'
import { chain, fed, runOf, startedRun, types, workflow } from './reducer-fixtures'

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

describe('the runLifecycle handlers', () => {
  it('are each exercised above', () => {
    expect([...fed].filter((type) => type in runLifecycle).sort()).toEqual(Object.keys(runLifecycle).sort())
  })
})
