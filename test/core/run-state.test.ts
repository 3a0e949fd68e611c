import { describe, expect, it } from 'vitest'
import { machineFor, startRunActor } from '../../src/core/run-machine'
import { type RunEvent, reduceRun } from '../../src/core/run-reducer'
import { createRunReplica } from '../../src/core/run-replica'
import { can, initialRunState } from '../../src/core/run-state'
import { compileWorkflow } from '../../src/definition/compile'
import type { RunState, RunStatus, WorkflowDefinition } from '../../src/types'

const definition: WorkflowDefinition = {
  schemaVersion: '2.0',
  id: 'wf',
  version: '1.0.0',
  tasks: { a: { action: 'noop' }, b: { action: 'noop', dependsOn: ['a'] } },
}
const wf = compileWorkflow(definition)

function run(...events: RunEvent[]): RunState {
  const s = initialRunState(wf, 'r1', 0)
  for (const e of events) {
    if (!can(s, e)) throw new Error(`setup event ${e.type} refused`)
    reduceRun(s, e, wf)
  }
  return s
}

const started: RunEvent = { type: 'workflow.started', definitionId: 'wf', version: '1.0.0', at: 1 }
const states: Record<RunStatus, () => RunState> = {
  queued: () => run({ type: 'workflow.queued', definitionId: 'wf', version: '1.0.0', at: 1 }),
  running: () => run(started),
  paused: () => run(started, { type: 'workflow.paused', reason: 'p', at: 2 }),
  failed: () => run(started, { type: 'workflow.failed', error: { code: 'X', message: 'x' }, at: 2 }),
  cancelled: () => run(started, { type: 'workflow.cancelled', at: 2 }),
  completed: () =>
    run(
      started,
      { type: 'task.completed', taskId: 'a', attempt: 1, at: 2 },
      { type: 'task.completed', taskId: 'b', attempt: 1, at: 3 },
      { type: 'workflow.completed', at: 4 },
    ),
}

const controls: Record<string, RunEvent> = {
  start: { type: 'workflow.started', definitionId: 'wf', version: '1.0.0', at: 9 },
  pause: { type: 'workflow.paused', reason: 'p', at: 9 },
  resume: { type: 'workflow.resumed', at: 9 },
  cancel: { type: 'workflow.cancelled', at: 9 },
  signal: { type: 'signal.received', name: 'go', at: 9 },
  checkpoint: { type: 'checkpoint.saved', checkpointId: '', reason: 'r', at: 9 },
  skip: { type: 'task.skipped', taskId: 'b', reason: 'manual', at: 9 },
}

describe('initialRunState', () => {
  it('gives each run its own task table and rows, in the definition order', () => {
    const first = initialRunState(wf, 'r1', 5)
    const second = initialRunState(wf, 'r2', 6)
    expect(Object.keys(first.tasks)).toEqual(['a', 'b'])
    expect(first.tasks.b).toEqual({
      status: 'pending',
      attempts: 0,
      attemptBase: 0,
      failedAttempts: 0,
      deps: 1,
      dispatched: false,
      runMs: 0,
      queueMs: 0,
    })
    expect(second.tasks).not.toBe(first.tasks)
    expect(second.tasks.a).not.toBe(first.tasks.a)
    first.tasks.a!.status = 'running'
    expect(second.tasks.a!.status).toBe('pending')
    expect(initialRunState(wf, 'r3', 7).tasks.a!.status).toBe('pending')
  })

  it('holds its tasks only: no inherited key reads as a task', () => {
    const { tasks } = initialRunState(wf, 'r1', 5)
    expect(tasks.toString).toBeUndefined()
    expect('constructor' in tasks).toBe(false)
    expect(can(run(started), { type: 'task.started', taskId: 'toString', attempt: 1, at: 2 })).toBe(false)
  })
})

describe('can', () => {
  // Which control call each status takes: one table, the same for machine, engine and replica.
  const table: Record<RunStatus, string[]> = {
    queued: ['start', 'cancel', 'signal'],
    running: ['pause', 'cancel', 'signal', 'checkpoint', 'skip'],
    paused: ['resume', 'cancel', 'signal', 'checkpoint', 'skip'],
    failed: ['cancel', 'signal', 'checkpoint', 'skip'],
    completed: [],
    cancelled: [],
  }
  for (const [status, accepted] of Object.entries(table) as [RunStatus, string[]][]) {
    it(`a ${status} run takes ${accepted.join(', ') || 'nothing'}`, () => {
      const s = states[status]()
      expect(s.status).toBe(status)
      const taken = Object.keys(controls).filter((name) => can(s, controls[name]!))
      expect(taken).toEqual(accepted)
    })
  }

  it('takes workflow.completed only once every task settled', () => {
    const s = run(started)
    expect(can(s, { type: 'workflow.completed', at: 5 })).toBe(false)
  })

  it('takes workflow.timed-out only at or after the deadline', () => {
    const s = run({ ...started, deadline: 100, timeoutMs: 99 } as RunEvent)
    expect(can(s, { type: 'workflow.timed-out', deadline: 100, timeoutMs: 99, at: 99 })).toBe(false)
    expect(can(s, { type: 'workflow.timed-out', deadline: 100, timeoutMs: 99, at: 100 })).toBe(true)
  })

  it('takes a task event only for the attempt in flight', () => {
    const s = run(started)
    expect(can(s, { type: 'task.completed', taskId: 'a', attempt: 1, at: 5 })).toBe(true)
    expect(can(s, { type: 'task.completed', taskId: 'a', attempt: 2, at: 5 })).toBe(false)
    expect(can(s, { type: 'task.completed', taskId: 'b', attempt: 1, at: 5 })).toBe(false)
    expect(can(s, { type: 'task.completed', taskId: 'nope', attempt: 1, at: 5 })).toBe(false)
  })

  it('refuses approval events for a task whose wait they do not resolve (S5)', () => {
    const s = run(
      started,
      { type: 'task.completed', taskId: 'a', attempt: 1, at: 2 },
      { type: 'task.waiting', taskId: 'b', until: 100, at: 3 },
    )
    const events: RunEvent[] = [
      {
        type: 'approval.required',
        taskId: 'a',
        title: 'Ship?',
        approvers: ['ann'],
        groups: [],
        quorum: 1,
        level: 0,
        at: 5,
      },
      { type: 'approval.granted', taskId: 'a', level: 0, by: 'ann', at: 5 },
      { type: 'approval.rejected', taskId: 'b', level: 0, by: 'ann', at: 5 },
      { type: 'approval.escalated', taskId: 'b', level: 1, approvers: [], groups: ['ops'], quorum: 1, at: 5 },
      { type: 'approval.voted', taskId: 'b', level: 0, by: 'ann', decision: 'approved', at: 5 },
      { type: 'approval.expired', taskId: 'b', level: 0, at: 5 },
    ]
    for (const e of events) expect(can(s, e)).toBe(false)
  })
})

describe('can: events a task cannot take (S5)', () => {
  const waitingB = () =>
    run(
      started,
      { type: 'task.completed', taskId: 'a', attempt: 1, at: 2 },
      { type: 'task.waiting', taskId: 'b', until: 100, at: 3 },
    )
  // One row per event: the state it meets, and whether it is taken. Every row names a type the
  // reducer knows or a shape it must never see.
  const rows: [string, () => RunState, unknown, boolean][] = [
    ['an unknown event type', () => run(started), { type: 'task.approved', taskId: 'a', at: 5 }, false],
    ['an unknown event type about no task', () => run(started), { type: 'run.poked', at: 5 }, false],
    [
      'a task event without a taskId',
      () => run(started),
      { type: 'task.completed', attempt: 1, at: 5 },
      false,
    ],
    [
      'a task event with a non-string taskId',
      () => run(started),
      { type: 'task.log', taskId: 1, message: 'm', at: 5 },
      false,
    ],
    [
      'a task event for an inherited key',
      () => run(started),
      { type: 'task.log', taskId: 'constructor', message: 'm', at: 5 },
      false,
    ],
    [
      'a task event for __proto__',
      () => run(started),
      { type: 'task.skipped', taskId: '__proto__', reason: 'manual', at: 5 },
      false,
    ],
    [
      'approval.granted for a running task',
      () => run(started),
      { type: 'approval.granted', taskId: 'a', level: 0, by: 'ann', at: 5 },
      false,
    ],
    [
      'approval.granted for a completed task',
      waitingB,
      { type: 'approval.granted', taskId: 'a', level: 0, by: 'ann', at: 5 },
      false,
    ],
    [
      'approval.granted for a timer wait',
      waitingB,
      { type: 'approval.granted', taskId: 'b', level: 0, by: 'ann', at: 5 },
      false,
    ],
    ['task.log for a waiting task', waitingB, { type: 'task.log', taskId: 'b', message: 'm', at: 5 }, false],
    ['timer.fired before the deadline', waitingB, { type: 'timer.fired', taskId: 'b', at: 99 }, false],
    ['timer.fired at the deadline', waitingB, { type: 'timer.fired', taskId: 'b', at: 100 }, true],
    [
      'task.log for a running task',
      () => run(started),
      { type: 'task.log', taskId: 'a', message: 'm', at: 5 },
      true,
    ],
    [
      'signal.received in a running run',
      () => run(started),
      { type: 'signal.received', name: 'go', at: 5 },
      true,
    ],
    ['checkpoint.saved in a running run', () => run(started), controls.checkpoint, true],
  ]
  for (const [name, state, event, taken] of rows) {
    it(`${taken ? 'takes' : 'refuses'} ${name}`, () => {
      expect(can(state(), event as RunEvent)).toBe(taken)
    })
  }
})

describe('the run machine', () => {
  it('applies exactly the events can() takes, leaving the state untouched otherwise', () => {
    const actor = startRunActor(machineFor(wf), 'r1', 0)
    actor.send(started)
    const before = structuredClone(actor.getSnapshot().context)
    actor.send({ type: 'workflow.resumed', at: 5 })
    actor.send({ type: 'task.completed', taskId: 'b', attempt: 1, at: 5 })
    expect(actor.getSnapshot().context).toEqual(before)
    actor.send({ type: 'workflow.paused', reason: 'p', at: 6 })
    expect(actor.getSnapshot().context.status).toBe('paused')
    actor.stop()
  })

  it('restores a snapshot persisted with a state node per status', () => {
    const context = states.paused()
    const old = { status: 'active', value: 'paused', historyValue: {}, context, children: {} }
    const actor = startRunActor(machineFor(wf), 'r1', 0, old as never)
    actor.send({ type: 'workflow.resumed', at: 10 })
    expect(actor.getSnapshot().context).toMatchObject({ status: 'running', pausedMs: 8 })
    actor.stop()
  })

  it('restores a finished run persisted as a final state, and it takes nothing more', () => {
    const context = states.completed()
    const old = { status: 'done', value: 'completed', historyValue: {}, context, children: {} }
    const actor = startRunActor(machineFor(wf), 'r1', 0, old as never)
    actor.send({ type: 'workflow.cancelled', at: 10 })
    expect(actor.getSnapshot().context.status).toBe('completed')
    actor.stop()
  })
})

describe('the run replica', () => {
  it('asks for a new snapshot when an event does not fit the state it holds', () => {
    const state = states.running()
    const replica = createRunReplica({ definition, state, seq: state.seq })
    const stray = { type: 'task.completed', taskId: 'b', attempt: 1, runId: 'r1', seq: state.seq + 1, at: 5 }
    expect(replica.apply(stray as never)).toBe(false)
    expect(replica.state.tasks.b!.status).toBe('pending')
  })
})
