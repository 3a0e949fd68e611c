import { describe, expect, it } from 'vitest'
import type { RunEvent } from '../../../src/core/run-reducer'
import { can } from '../../../src/core/run-state'
import { runOf, startedRun, types, workflow } from './reducer-fixtures'

/*
 * Trigger rules in the reducer: what a dependency's end does to the tasks that depend on it.
 */

/** `decide`, then a `when` branch on each side (`yes`, `no`), each two tasks long, joined by `join`. */
const branches = (join: 'none-failed' | 'all-success' | 'all-done' | 'one-success') =>
  workflow({
    decide: { action: 'noop' },
    yes: { action: 'noop', dependsOn: ['decide'], when: 'tasks.decide.output == 1' },
    yesNext: { action: 'noop', dependsOn: ['yes'] },
    no: { action: 'noop', dependsOn: ['decide'], when: 'tasks.decide.output != 1' },
    noNext: { action: 'noop', dependsOn: ['no'] },
    join: { action: 'noop', dependsOn: ['yesNext', 'noNext'], trigger: join },
  })

const done = (taskId: string, at: number): RunEvent => ({
  type: 'task.completed',
  taskId,
  attempt: 1,
  output: 2,
  at,
})

/** Runs `branches(join)` to the point where `no` is taken and `yes` skipped by its condition. */
function untakenYes(join: Parameters<typeof branches>[0]) {
  const run = startedRun(branches(join))
  run.feed(done('decide', 11))
  const skipped = run.feed({ type: 'task.skipped', taskId: 'yes', reason: 'condition', at: 12 })
  return { ...run, skipped }
}

describe('trigger rules in the reducer', () => {
  it('all-success (the default) skips the untaken branch down to its end, at once', () => {
    const { s, skipped } = untakenYes('none-failed')
    expect(types(skipped)).toEqual(['task.skipped', 'task.skipped'])
    expect(skipped.records[1]).toMatchObject({
      taskId: 'yesNext',
      reason: 'trigger',
      seq: skipped.records[0]!.seq + 1,
    })
    expect(s.tasks.yesNext).toMatchObject({ status: 'skipped', skipReason: 'trigger', endedAt: 12 })
    // The join waits for the taken branch.
    expect(s.tasks.join!.status).toBe('pending')
    expect(s.remaining).toBe(3)
  })

  it('none-failed runs the join after the taken branch', () => {
    const { s, feed } = untakenYes('none-failed')
    feed({ type: 'task.started', taskId: 'no', attempt: 1, at: 13 })
    feed(done('no', 14))
    const step = feed(done('noNext', 15))
    expect(step.commands).toEqual([{ type: 'start', taskId: 'join', attempt: 1 }])
    expect(s.tasks.join!.status).toBe('running')
  })

  it('all-success at the join skips it, and the run can still finish', () => {
    const { s, feed } = untakenYes('all-success')
    expect(s.tasks.join).toMatchObject({ status: 'skipped', skipReason: 'trigger' })
    feed({ type: 'task.started', taskId: 'no', attempt: 1, at: 13 })
    feed(done('no', 14))
    const step = feed(done('noNext', 15))
    expect(step.commands).toEqual([{ type: 'finish' }])
    expect(s.remaining).toBe(0)
  })

  it('none-failed skips the join when every dependency was skipped', () => {
    const run = startedRun(
      workflow({
        a: { action: 'noop', when: 'false' },
        b: { action: 'noop', when: 'false' },
        join: { action: 'noop', dependsOn: ['a', 'b'], trigger: 'none-failed' },
        after: { action: 'noop', dependsOn: ['join'], trigger: 'all-done' },
      }),
    )
    run.feed({ type: 'task.skipped', taskId: 'a', reason: 'condition', at: 11 })
    const step = run.feed({ type: 'task.skipped', taskId: 'b', reason: 'condition', at: 12 })
    expect(types(step)).toEqual(['task.skipped', 'task.skipped', 'task.started'])
    expect(run.s.tasks.join).toMatchObject({ status: 'skipped', skipReason: 'trigger' })
    // all-done runs whatever its dependencies' ends.
    expect(run.s.tasks.after!.status).toBe('running')
  })

  it('one-success starts at the first completion; the other dependencies end on their own', () => {
    const { s, feed } = startedRun(
      workflow({
        fast: { action: 'noop' },
        slow: { action: 'noop' },
        first: { action: 'noop', dependsOn: ['fast', 'slow'], trigger: 'one-success' },
      }),
    )
    const step = feed(done('fast', 11))
    expect(step.commands).toEqual([{ type: 'start', taskId: 'first', attempt: 1 }])
    expect(s.tasks.slow!.status).toBe('running')
    // A later completion neither starts it again nor queues it twice.
    const later = feed(done('slow', 12))
    expect(later.commands).toEqual([])
    expect(s.ready.length - s.readyHead).toBe(0)
    expect(s.tasks.first).toMatchObject({ status: 'running', attempts: 1 })
  })

  it('one-success is skipped when every dependency ended without a completion', () => {
    const { s, feed } = startedRun(
      workflow({
        a: { action: 'noop', when: 'false' },
        b: { action: 'noop', when: 'false' },
        c: { action: 'noop', dependsOn: ['a', 'b'], trigger: 'one-success' },
      }),
    )
    feed({ type: 'task.skipped', taskId: 'a', reason: 'condition', at: 11 })
    expect(s.tasks.c!.status).toBe('pending')
    feed({ type: 'task.skipped', taskId: 'b', reason: 'condition', at: 12 })
    expect(s.tasks.c).toMatchObject({ status: 'skipped', skipReason: 'trigger' })
  })

  it('a failure under onError: continue counts as completed for every rule', () => {
    for (const trigger of ['all-success', 'none-failed', 'all-done', 'one-success'] as const) {
      const { s, feed } = startedRun(
        workflow({
          a: { action: 'noop', onError: 'continue' },
          b: { action: 'noop', dependsOn: ['a'], trigger },
        }),
      )
      feed({ type: 'task.failed', taskId: 'a', attempt: 1, error: { code: 'X', message: 'x' }, at: 11 })
      expect(s.tasks.b!.status).toBe('running')
    }
  })

  it('skips a chain of 20,000 tasks after a skipped head without deepening the stack', () => {
    const tasks: Record<string, { action: string; dependsOn?: string[]; when?: string }> = {
      t0: { action: 'noop', when: 'false' },
    }
    for (let i = 1; i < 20_000; i++) tasks[`t${i}`] = { action: 'noop', dependsOn: [`t${i - 1}`] }
    const { s, feed } = startedRun(workflow(tasks))
    const step = feed({ type: 'task.skipped', taskId: 't0', reason: 'condition', at: 11 })
    expect(step.records).toHaveLength(20_000)
    expect(step.commands).toEqual([{ type: 'finish' }])
    expect(s.remaining).toBe(0)
  })

  it('a replay of the recorded events restores the same state: derived skips are not taken twice', () => {
    const wf = branches('none-failed')
    const live = untakenYes('none-failed')
    const recorded = [
      ...startedRunRecords(wf),
      ...live.feed({ type: 'task.started', taskId: 'no', attempt: 1, at: 13 }).records,
    ]
    const replayed = runOf(wf)
    for (const record of [...recorded].sort((a, b) => a.seq - b.seq)) {
      // As RunRounds.replay does: entries the state derived itself are already counted in its seq.
      if (record.seq <= replayed.s.seq) continue
      const { seq: _seq, runId: _runId, ...event } = record
      if (can(replayed.s, event as RunEvent)) replayed.feed(event as RunEvent)
    }
    expect(replayed.s).toEqual(live.s)

    function startedRunRecords(w: typeof wf) {
      const run = runOf(w)
      return [
        ...run.feed({ type: 'workflow.started', definitionId: 'wf', version: '1.0.0', at: 10 }).records,
        ...run.feed(done('decide', 11)).records,
        ...run.feed({ type: 'task.skipped', taskId: 'yes', reason: 'condition', at: 12 }).records,
      ]
    }
  })

  it('takes no task.skipped with reason trigger from outside: only a dependency end derives it', () => {
    const { s } = startedRun(branches('none-failed'))
    expect(can(s, { type: 'task.skipped', taskId: 'join', reason: 'trigger', at: 11 })).toBe(false)
    expect(can(s, { type: 'task.skipped', taskId: 'join', reason: 'manual', at: 11 })).toBe(true)
  })
})
