import fc from 'fast-check'
import { filter } from 'rxjs'
import { type CheckpointInfo, isRunEvent, type WorkflowEvent } from 'spindle'
import { describe, expect, it } from 'vitest'
import { def, testEngine } from '../support/engine-fixtures'

/** A random DAG: task i depends on up to two earlier tasks. */
const dagArb = fc.integer({ min: 2, max: 6 }).chain((n) =>
  fc.tuple(
    ...Array.from({ length: n }, (_, i) =>
      fc.record({
        deps: fc.uniqueArray(fc.integer({ min: 0, max: Math.max(0, i - 1) }), { maxLength: i === 0 ? 0 : 2 }),
        onError: fc.constantFrom('fail', 'pause', 'skip'),
        maxAttempts: fc.integer({ min: 1, max: 2 }),
        wait: fc.boolean(),
        approval: fc.boolean(),
        onTimeout: fc.constantFrom('reject', 'approve', 'fail'),
      }),
    ),
  ),
)

const opArb = fc.oneof(
  fc.record({ op: fc.constant('succeed' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('fail' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('timeout' as const) }),
  fc.record({ op: fc.constant('tick' as const) }),
  fc.record({ op: fc.constantFrom('pause' as const, 'resume' as const, 'cancel' as const) }),
  fc.record({ op: fc.constantFrom('retryTask' as const, 'skipTask' as const), task: fc.nat() }),
  fc.record({ op: fc.constant('signal' as const) }),
  fc.record({ op: fc.constant('cancelChild' as const) }),
  fc.record({ op: fc.constant('fork' as const), pick: fc.nat() }),
  {
    arbitrary: fc.record({
      op: fc.constantFrom('approve' as const, 'approve' as const, 'reject' as const),
      task: fc.nat(),
      by: fc.constantFrom('ann', 'bob', 'cat', 'eve'),
    }),
    weight: 3,
  },
)

/** Two levels: ann and bob both, for 500 ms; then cat, for 500 ms, then `onTimeout`. */
const approvalParams = (onTimeout: string) => ({
  title: 'Go on?',
  levels: [
    { approvers: ['ann', 'bob'], quorum: 2, timeoutMs: 500, onTimeout: 'escalate' },
    { approvers: ['cat'], timeoutMs: 500, onTimeout },
  ],
})

describe('run lifecycle (model-based)', () => {
  it('keeps its invariants under random control calls, successes, failures, timeouts, votes, a child run and forks', async () => {
    await fc.assert(
      fc.asyncProperty(
        dagArb,
        fc.array(opArb, { minLength: 1, maxLength: 30 }),
        fc.boolean(),
        async (shape, ops, withChild) => {
          const calls: { resolve(v: unknown): void; reject(e: unknown): void; done: boolean }[] = []
          const { engine, clock } = testEngine({
            actions: {
              work: () =>
                new Promise((resolve, reject) => {
                  const call = { resolve, reject, done: false }
                  calls.push(call)
                }),
            },
          })
          const ids = shape.map((_, i) => `t${i}`)
          // With a child, the first task runs workflow `kid` (one `work` task) as a child run.
          const child = withChild && !shape[0]!.wait
          const tasks = Object.fromEntries(
            shape.map((t, i) => [
              ids[i],
              t.wait && i === 0
                ? { action: 'wait-for-event', params: { event: 'go', timeoutMs: 500 }, onError: t.onError }
                : t.approval && !(child && i === 0)
                  ? {
                      action: 'approval',
                      dependsOn: t.deps.map((d) => ids[d]),
                      onError: t.onError,
                      params: approvalParams(t.onTimeout),
                    }
                  : {
                      action: child && i === 0 ? 'subworkflow' : 'work',
                      ...(child && i === 0 && { params: { workflow: 'kid' } }),
                      dependsOn: t.deps.map((d) => ids[d]),
                      onError: t.onError,
                      timeoutMs: 1000,
                      retry: { maxAttempts: t.maxAttempts, initialDelayMs: 100 },
                    },
            ]),
          )
          await engine.register(def(tasks))
          await engine.register(def({ k: { action: 'work', timeoutMs: 1000 } }, { id: 'kid' }))
          const approvalIds = ids.filter((id) => tasks[id]!.action === 'approval')
          const events: WorkflowEvent[] = []
          const childEvents: WorkflowEvent[] = []
          engine.events$
            .pipe(filter(isRunEvent))
            .subscribe((e) => (e.runId === 'r' ? events : childEvents).push(e))
          const run = await engine.start('wf', {}, { runId: 'r' })
          const deps = new Map(shape.map((t, i) => [ids[i]!, t.deps.map((d) => ids[d]!)]))
          let lastCompleted = 0
          let finalSeen = -1
          const forks: { runId: string; checkpoint: CheckpointInfo; outputs: Record<string, unknown> }[] = []

          for (const step of ops) {
            await engine.idle()
            const open = calls.filter((c) => !c.done)
            const before = events.length
            try {
              switch (step.op) {
                case 'succeed':
                case 'fail': {
                  const call = open[step.pick % Math.max(1, open.length)]
                  if (call) {
                    call.done = true
                    if (step.op === 'succeed') call.resolve('ok')
                    else call.reject(new Error('boom'))
                  }
                  break
                }
                case 'timeout':
                  clock.advance(1000)
                  break
                case 'tick':
                  clock.advance(100)
                  break
                case 'pause':
                  await engine.pause(run.runId)
                  break
                case 'resume':
                  await engine.resume(run.runId)
                  break
                case 'cancel':
                  await engine.cancel(run.runId)
                  break
                case 'retryTask':
                  await engine.retryTask(run.runId, ids[step.task % ids.length]!)
                  break
                case 'skipTask':
                  await engine.skipTask(run.runId, ids[step.task % ids.length]!)
                  break
                case 'signal':
                  await engine.signal(run.runId, 'go', 1)
                  break
                case 'fork': {
                  // From one of the run's checkpoints; what the fork carries over is checked below.
                  const checkpoints = await engine.checkpoints(run.runId)
                  const checkpoint = checkpoints[step.pick % checkpoints.length]!
                  const outputs = Object.fromEntries(
                    Object.entries((await engine.getRun(run.runId))!.tasks).map(([id, t]) => [id, t.output]),
                  )
                  const fork = await engine.fork(run.runId, checkpoint.checkpointId)
                  forks.push({ runId: fork.runId, checkpoint, outputs })
                  break
                }
                case 'cancelChild':
                  if (await engine.getRun('r/t0')) await engine.cancel('r/t0')
                  break
                case 'approve':
                case 'reject':
                  // Mostly an approval task, now and then any task.
                  await engine[step.op](
                    run.runId,
                    approvalIds.length > 0 && step.task % 4 !== 0
                      ? approvalIds[step.task % approvalIds.length]!
                      : ids[step.task % ids.length]!,
                    { by: step.by },
                  )
                  break
              }
            } catch (error) {
              // A refused call changes nothing; eve is no approver, nor is anyone of another level.
              const refusals =
                step.op === 'approve' || step.op === 'reject'
                  ? ['INVALID_STATE', 'FORBIDDEN']
                  : ['INVALID_STATE']
              expect(refusals).toContain((error as { code: string }).code)
              await engine.idle()
              // Attempts in flight go on meanwhile (a child they start, its end): no change of the call's.
              expect(
                events
                  .slice(before)
                  .filter((e) => !e.type.startsWith('task.') && !e.type.startsWith('child.')),
              ).toEqual([])
            }
            await engine.idle()
            const view = (await engine.getRun(run.runId))!
            expect(view.progress.completed).toBeGreaterThanOrEqual(lastCompleted)
            lastCompleted = view.progress.completed
            if (view.status === 'completed' || view.status === 'cancelled' || view.status === 'failed') {
              for (const task of Object.values(view.tasks)) {
                expect(['completed', 'failed', 'skipped', 'cancelled']).toContain(task.status)
              }
            }
            if (view.status === 'completed' || view.status === 'cancelled') {
              if (finalSeen === -1) finalSeen = events.length
            }
            // One child at most, under its deterministic id, whatever was retried, cancelled or failed.
            const children = (await engine.listRuns({ parentRunId: 'r' })).runs
            expect(children.map((c) => c.runId)).toEqual(child && children.length > 0 ? ['r/t0'] : [])
            expect(events.filter((e) => e.type === 'child.started').length).toBeLessThanOrEqual(1)
            const kid = await engine.getRun('r/t0')
            // Cancelling the parent cancels a child that was still going.
            if (kid && view.status === 'cancelled')
              expect(['completed', 'failed', 'cancelled']).toContain(kid.status)
            if (kid && view.tasks.t0!.status === 'completed')
              expect(view.tasks.t0!.output).toEqual(kid.output)
          }
          await engine.idle()
          // A completed or cancelled run never changes again.
          if (finalSeen !== -1) expect(events.length).toBe(finalSeen)
          // seq strictly increases.
          events.forEach((e, i) => {
            if (i > 0) expect(e.seq).toBe(events[i - 1]!.seq + 1)
          })
          // No task starts before every dependency is completed or skipped.
          const settled = new Set<string>()
          for (const e of events) {
            if (e.type === 'task.completed' || e.type === 'task.skipped') settled.add(e.taskId)
            if (e.type === 'task.started')
              for (const dep of deps.get(e.taskId)!) expect(settled.has(dep)).toBe(true)
          }
          checkApprovals(events, new Set(approvalIds))
          expect(await engine.history(run.runId)).toEqual(events)
          // A fork starts with what its checkpoint had completed, with the source's outputs, and numbers
          // its own journal from there on; the source's journal (checked above) has no trace of it.
          for (const fork of forks) {
            const journal = await engine.history(fork.runId)
            expect(journal.map((e) => e.seq)).toEqual(journal.map((_, i) => i + 1))
            const forked = journal.find((e) => e.type === 'workflow.forked')
            expect(forked).toMatchObject({ fromRunId: run.runId, checkpointId: fork.checkpoint.checkpointId })
            const carried = forked?.type === 'workflow.forked' ? forked.completed : []
            expect(carried.map((c) => c.taskId).sort()).toEqual([...fork.checkpoint.completedTasks].sort())
            for (const c of carried) expect(c.output).toEqual(fork.outputs[c.taskId] ?? null)
            const rerun = journal.filter(
              (e) => e.type === 'task.started' && carried.some((c) => c.taskId === e.taskId),
            )
            expect(rerun).toEqual([])
          }
          if (child && childEvents.length > 0) {
            const kidEvents = await engine.history('r/t0')
            expect(kidEvents.map((e) => e.seq)).toEqual(kidEvents.map((_, i) => i + 1))
            expect(kidEvents.filter((e) => e.type === 'workflow.started')).toHaveLength(1)
          }
          await engine.close()
        },
      ),
      { numRuns: 60 },
    )
  })
})

/**
 * Per attempt of each approval task: votes only while it is open, at its current level, one per
 * person and level; one decision at most; the task completes only once decided.
 */
function checkApprovals(events: WorkflowEvent[], approvalTasks: ReadonlySet<string>): void {
  const open = new Map<string, { level: number; voters: Set<string> }>()
  const decided = new Set<string>()
  for (const e of events) {
    if (!('taskId' in e) || !approvalTasks.has(e.taskId)) continue
    const current = open.get(e.taskId)
    switch (e.type) {
      case 'task.started':
        open.delete(e.taskId)
        decided.delete(e.taskId)
        break
      case 'approval.required':
        expect(current).toBeUndefined()
        open.set(e.taskId, { level: e.level, voters: new Set() })
        break
      case 'approval.voted':
        expect(current).toBeDefined()
        expect(e.level).toBe(current!.level)
        expect(current!.voters.has(e.by)).toBe(false)
        current!.voters.add(e.by)
        break
      case 'approval.escalated':
        expect(current).toBeDefined()
        expect(e.level).toBe(current!.level + 1)
        open.set(e.taskId, { level: e.level, voters: new Set() })
        break
      case 'approval.expired':
        expect(current?.level).toBe(e.level)
        break
      case 'approval.granted':
      case 'approval.rejected':
        expect(current?.level).toBe(e.level)
        open.delete(e.taskId)
        decided.add(e.taskId)
        break
      case 'task.completed':
        expect(decided.has(e.taskId)).toBe(true)
        break
    }
  }
}
