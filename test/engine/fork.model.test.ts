import fc from 'fast-check'
import type { Engine, HistoryEntry } from 'spindle'
import { describe, expect, it } from 'vitest'
import { def, testEngine } from '../support/engine-fixtures'

/** A random DAG: task i depends on up to two earlier tasks. */
const dagArb = fc
  .integer({ min: 1, max: 6 })
  .chain((n) =>
    fc.tuple(
      ...Array.from({ length: n }, (_, i) =>
        fc.uniqueArray(fc.integer({ min: 0, max: Math.max(0, i - 1) }), { maxLength: i === 0 ? 0 : 2 }),
      ),
    ),
  )

interface Call {
  runId: string
  taskId: string
  done: boolean
  resolve(value: unknown): void
}

/** Finishes, in the order `picks` says, up to `picks.length` of the calls of `runId` the engine made. */
async function finishSome(
  engine: Engine,
  calls: Call[],
  runId: string,
  picks: readonly number[],
): Promise<void> {
  for (const pick of picks) {
    await engine.idle()
    const pending = calls.filter((c) => c.runId === runId && !c.done)
    if (pending.length === 0) return
    const call = pending[pick % pending.length]!
    call.done = true
    // The output says which run made it, and the input it was made with.
    call.resolve(`${call.taskId}@${runId}#${pick}`)
  }
  await engine.idle()
}

/** The output of `taskId`'s last completion at or before `seq`. */
function outputAt(history: HistoryEntry[], taskId: string, seq: number): unknown {
  const completions = history.filter(
    (e) => e.type === 'task.completed' && e.taskId === taskId && e.seq <= seq,
  )
  return (completions.at(-1) as { output?: unknown } | undefined)?.output
}

describe('fork (model-based)', () => {
  it('carries the outputs completed at the checkpoint, runs the rest again, and leaves the source as it was', async () => {
    await fc.assert(
      fc.asyncProperty(
        dagArb,
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.nat(),
        fc.option(fc.integer({ min: 1, max: 9 }), { nil: undefined }),
        async (shape, picks, checkpointPick, seed) => {
          const calls: Call[] = []
          const { engine } = testEngine({
            actions: {
              work: (_params: unknown, ctx: { runId: string; taskId: string }) =>
                new Promise((resolve) =>
                  calls.push({ runId: ctx.runId, taskId: ctx.taskId, done: false, resolve }),
                ),
            },
          })
          const ids = shape.map((_, i) => `t${i}`)
          const tasks = Object.fromEntries(
            shape.map((deps, i) => [
              ids[i],
              { action: 'work', dependsOn: deps.map((d) => ids[d]), params: { seed: '${ input.seed }' } },
            ]),
          )
          await engine.register(def(tasks, { params: { seed: { type: 'number', default: 0 } } }))
          await engine.start('wf', { seed: 0 }, { runId: 'src' })
          await finishSome(engine, calls, 'src', picks)

          const source = { history: await engine.history('src'), view: await engine.getRun('src') }
          const checkpoints = await engine.checkpoints('src')
          const checkpoint = checkpoints[checkpointPick % checkpoints.length]!
          await engine.fork('src', checkpoint.checkpointId, {
            runId: 'fork',
            ...(seed && { input: { seed } }),
          })
          await engine.idle()

          const carried = new Set(checkpoint.completedTasks)
          const forked = (await engine.getRun('fork'))!
          expect(forked.input).toEqual({ seed: seed ?? 0 })
          for (const id of carried) {
            expect(forked.tasks[id]).toMatchObject({
              status: 'completed',
              output: outputAt(source.history, id, checkpoint.seq),
            })
          }
          // Only what followed the checkpoint runs again; the fork ends as a run of its own does.
          await finishSome(engine, calls, 'fork', Array(ids.length).fill(0))
          const ended = await engine.getRun('fork')
          expect(ended!.status).toBe('completed')
          const rerun = calls.filter((c) => c.runId === 'fork').map((c) => c.taskId)
          expect(rerun.sort()).toEqual(ids.filter((id) => !carried.has(id)).sort())
          for (const id of carried) expect(ended!.tasks[id]!.output).toBe(forked.tasks[id]!.output)
          const history = await engine.history('fork')
          expect(history[0]).toMatchObject({ type: 'workflow.forked', fromRunId: 'src', seq: 1 })
          expect(history.map((e) => e.seq)).toEqual(history.map((_, i) => i + 1))

          expect(await engine.history('src')).toEqual(source.history)
          expect(await engine.getRun('src')).toEqual(source.view)
          await engine.close()
        },
      ),
      { numRuns: 60 },
    )
  })
})
