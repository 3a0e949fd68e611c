import { describe, expect, it } from 'vitest'
import { machineFor, startRunActor } from '../../../src/core/run-machine'
import type { Step } from '../../../src/core/run-reducer'
import { initialRunState } from '../../../src/core/run-state'
import { upgradeTaskWaits } from '../../../src/core/waits/upgrade-task-waits'
import { compileWorkflow } from '../../../src/definition/compile'
import type { RunState } from '../../../src/types'

const wf = compileWorkflow({
  schemaVersion: '2.0',
  id: 'wf',
  version: '1.0.0',
  tasks: {
    nap: { action: 'delay', params: { ms: 100 } },
    vote: { action: 'wait-for-event', params: { event: 'go', timeoutMs: 500 } },
    flaky: { action: 'noop', retry: { maxAttempts: 3 } },
  },
})

/** A run state as the code before waits were data persisted it: flat `deadline` and `signal`. */
function flatState(): RunState {
  const s = initialRunState(wf, 'r1', 0)
  s.status = 'running'
  s.seq = 9
  s.remaining = 3
  Object.assign(s.tasks.nap!, { status: 'waiting', attempts: 1, startedAt: 1, deadline: 101 })
  Object.assign(s.tasks.vote!, { status: 'waiting', attempts: 1, startedAt: 1, deadline: 501, signal: 'go' })
  Object.assign(s.tasks.flaky!, { status: 'retrying', attempts: 1, failedAttempts: 1, deadline: 50 })
  return s
}

/** A snapshot as the machine with one state node per run status persisted it. */
const oldSnapshot = (context: RunState) =>
  ({ status: 'active', value: 'running', historyValue: {}, context, children: {} }) as never

describe('snapshots written before waits were data', () => {
  it('turn each task’s flat deadline and signal into its wait, leaving the snapshot as it was', () => {
    const old = flatState()
    const kept = structuredClone(old)
    const s = upgradeTaskWaits(old)
    expect(s.tasks.nap!.wait).toEqual({ kind: 'timer', until: 101 })
    expect(s.tasks.vote!.wait).toEqual({ kind: 'signal', name: 'go', until: 501 })
    expect(s.tasks.flaky!.wait).toEqual({ kind: 'backoff', until: 50 })
    for (const t of Object.values(s.tasks)) expect(t).not.toHaveProperty('deadline')
    expect(old).toEqual(kept)
    expect(upgradeTaskWaits(s)).toBe(s)
  })

  it('restore into a run whose waits go on: timers fire, signals resolve, back-offs end', () => {
    const actor = startRunActor(machineFor(wf), 'r1', 0, oldSnapshot(flatState()))
    const steps: Step[] = []
    actor.on('step', ({ step }) => steps.push(step))
    actor.send({ type: 'timer.fired', taskId: 'nap', at: 101 })
    actor.send({ type: 'signal.received', name: 'go', payload: 'yes', at: 102 })
    actor.send({ type: 'timer.fired', taskId: 'flaky', at: 103 })
    const s = actor.getSnapshot().context
    expect(s.tasks.nap!.status).toBe('completed')
    expect(s.tasks.vote).toMatchObject({ status: 'completed' })
    expect(s.tasks.vote!.wait).toBeUndefined()
    expect(s.tasks.flaky).toMatchObject({ status: 'running', attempts: 2 })
    expect(steps.flatMap((step) => step.records.map((r) => r.type))).toEqual([
      'timer.fired',
      'task.completed',
      'signal.received',
      'task.completed',
      'timer.fired',
      'task.started',
    ])
    actor.stop()
  })

  it('restore a signal wait that still times out at its old deadline', () => {
    const actor = startRunActor(machineFor(wf), 'r1', 0, oldSnapshot(flatState()))
    actor.send({ type: 'timer.fired', taskId: 'vote', at: 500 })
    expect(actor.getSnapshot().context.tasks.vote!.status).toBe('waiting')
    actor.send({ type: 'timer.fired', taskId: 'vote', at: 501 })
    expect(actor.getSnapshot().context.tasks.vote).toMatchObject({ error: { code: 'TIMEOUT' } })
    actor.stop()
  })
})
