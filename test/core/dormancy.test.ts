import type { RunState, TaskState } from 'spindle'
import { describe, expect, it } from 'vitest'
import { dormantUntil } from '../../src/core/dormancy'

function task(fields: Partial<TaskState> = {}): TaskState {
  return {
    status: 'pending',
    attempts: 0,
    failedAttempts: 0,
    deps: 0,
    dispatched: false,
    runMs: 0,
    queueMs: 0,
    attemptBase: 0,
    ...fields,
  }
}

function run(tasks: Record<string, TaskState>, fields: Partial<RunState> = {}): RunState {
  const open = Object.values(tasks).filter((t) => !['completed', 'skipped'].includes(t.status)).length
  return {
    runId: 'r1',
    definitionId: 'wf',
    version: '1.0.0',
    status: 'running',
    createdAt: 0,
    updatedAt: 0,
    seq: 1,
    concurrency: 10,
    inFlight: Object.values(tasks).filter((t) => t.status === 'running' || t.dispatched).length,
    ready: [],
    readyHead: 0,
    remaining: open,
    tasks,
    signals: {},
    bufferedSignals: 0,
    pausedMs: 0,
    ...fields,
  }
}

const sleeping = (until: number) => task({ status: 'waiting', attempts: 1, wait: { kind: 'timer', until } })
const onSignal = (name: string) => task({ status: 'waiting', attempts: 1, wait: { kind: 'signal', name } })

describe('dormantUntil', () => {
  it('gives the earliest deadline of the waiting tasks and the run', () => {
    expect(dormantUntil(run({ a: sleeping(5_000), b: sleeping(3_000) }))).toBe(3_000)
    expect(dormantUntil(run({ a: sleeping(5_000), b: onSignal('go') }))).toBe(5_000)
    expect(dormantUntil(run({ a: sleeping(5_000) }, { deadline: 4_000 }))).toBe(4_000)
    expect(dormantUntil(run({ a: onSignal('go') }, { deadline: 4_000 }))).toBe(4_000)
  })

  it("is 'signal' when every waiting task waits for an event without a deadline", () => {
    expect(dormantUntil(run({ a: onSignal('go'), b: onSignal('stop') }))).toBe('signal')
  })

  it('counts tasks behind a waiting one as waiting, and settled tasks as nothing to do', () => {
    const tasks = {
      done: task({ status: 'completed', attempts: 1 }),
      a: sleeping(5_000),
      after: task({ deps: 1 }),
    }
    expect(dormantUntil(run(tasks))).toBe(5_000)
  })

  it('is undefined while any task runs, is about to, or backs off', () => {
    expect(dormantUntil(run({ a: sleeping(5_000), b: task({ status: 'running', attempts: 1 }) }))).toBe(
      undefined,
    )
    expect(dormantUntil(run({ a: sleeping(5_000), b: task({ dispatched: true }) }))).toBe(undefined)
    expect(dormantUntil(run({ a: sleeping(5_000), b: task() }, { ready: ['b'] }))).toBe(undefined)
    expect(dormantUntil(run({ a: sleeping(5_000), b: task() }))).toBe(undefined)
    const backingOff = task({
      status: 'retrying',
      attempts: 1,
      failedAttempts: 1,
      wait: { kind: 'backoff', until: 100 },
    })
    expect(dormantUntil(run({ a: sleeping(5_000), b: backingOff }))).toBe(undefined)
  })

  it('is undefined for a run that is not running, or has nothing that waits', () => {
    for (const status of ['queued', 'paused', 'completed', 'failed', 'cancelled'] as const)
      expect(dormantUntil(run({ a: sleeping(5_000) }, { status }))).toBe(undefined)
    expect(dormantUntil(run({ a: task({ status: 'completed', attempts: 1 }) }))).toBe(undefined)
    expect(dormantUntil(run({ a: task({ deps: 1 }) }))).toBe(undefined)
  })
})
