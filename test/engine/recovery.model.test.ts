import fc from 'fast-check'
import { createEngine, indexedDbStore, memoryStore, type Store } from 'spindle'
import { describe, expect, it, vi } from 'vitest'
import { faultyStore } from '../store/faulty-store'
import { deleteDatabase, tempDatabaseName } from '../store/temp-database'
import { def } from '../support/engine-fixtures'

/**
 * Random DAG: task i depends on up to three earlier tasks; some tasks yield to the event loop;
 * some have a (true) `when`, which takes the dispatch path instead of starting at admission.
 */
const shapeArb = fc.integer({ min: 2, max: 8 }).chain((n) =>
  fc.tuple(
    ...Array.from({ length: n }, (_, i) =>
      fc.record({
        deps: fc.uniqueArray(fc.integer({ min: 0, max: Math.max(0, i - 1) }), { maxLength: i === 0 ? 0 : 3 }),
        slow: fc.boolean(),
        when: fc.boolean(),
      }),
    ),
  ),
)

function definitionOf(shape: { deps: number[]; slow: boolean; when: boolean }[]) {
  const id = (i: number) => `t${i}`
  return def(
    Object.fromEntries(
      shape.map((task, i) => [
        id(i),
        {
          action: task.slow ? 'slow' : 'fast',
          dependsOn: task.deps.map(id),
          ...(task.when && { when: 'true' }),
          params: { id: id(i), from: `\${ [${task.deps.map((d) => `tasks.${id(d)}.output`).join(', ')}] }` },
        },
      ]),
    ),
  )
}

type Context = { runId: string; attempt: number }

/**
 * Deterministic actions: the output is a function of the params alone. Counts executions per run
 * and task, and keeps the attempt numbers they saw (across engines, when given the same map).
 */
function actions(executions: Map<string, number>, attempts = new Map<string, number[]>()) {
  const work = async (params: { id: string; from: string[] }, ctx: Context, wait: boolean) => {
    const key = `${ctx.runId}/${params.id}`
    executions.set(key, (executions.get(key) ?? 0) + 1)
    attempts.set(key, [...(attempts.get(key) ?? []), ctx.attempt])
    if (wait) await new Promise((resolve) => setTimeout(resolve, 1))
    return `${params.id}<${params.from.join(',')}>`
  }
  return {
    fast: (params: { id: string; from: string[] }, ctx: Context) => work(params, ctx, false),
    slow: (params: { id: string; from: string[] }, ctx: Context) => work(params, ctx, true),
  }
}

const RUNS = ['r1', 'r2', 'r3']

async function outputsOf(store: Store, shape: unknown[], runs: readonly string[] = RUNS) {
  const engine = createEngine({ store, recover: false })
  const outputs: Record<string, unknown> = {}
  for (const runId of runs) {
    const view = await engine.getRun(runId)
    for (let i = 0; i < shape.length; i++) outputs[`${runId}/t${i}`] = view?.tasks[`t${i}`]?.output
    outputs[`${runId}:status`] = view?.status
  }
  await engine.close()
  return outputs
}

/** The stores a crash is tried on: each call gives the store, a second handle on it, and cleanup. */
const kinds = [
  {
    kind: 'memory',
    runs: 40,
    commits: 24,
    open: async () => {
      const store = memoryStore()
      return { store, reopen: () => store, cleanup: async () => {} }
    },
  },
  {
    kind: 'IndexedDB',
    runs: 15,
    // Group commit writes a whole tick in one transaction: these runs take few commits.
    commits: 8,
    open: async () => {
      const name = tempDatabaseName('crash')
      const handles: Store[] = []
      const make = () => {
        const store = indexedDbStore({ name })
        handles.push(store)
        return store
      }
      return {
        store: make(),
        reopen: make,
        cleanup: async () => {
          await Promise.all(handles.map((h) => h.close()))
          await deleteDatabase(name)
        },
      }
    },
  },
]

describe.each(kinds)('recovery after a crash, $kind store (model-based)', ({ runs, commits: most, open }) => {
  it('finishes every run with the outputs of an uninterrupted run, re-running only work in flight', {
    timeout: 120_000,
  }, async () => {
    let crashes = 0
    await fc.assert(
      fc.asyncProperty(
        shapeArb,
        fc.integer({ min: 1, max: most }),
        fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
        async (shape, killAt, killAgain) => {
          const definition = definitionOf(shape)

          // The reference: the same runs, never interrupted.
          const reference = memoryStore()
          const plain = createEngine({ store: reference, recover: false, actions: actions(new Map()) })
          await plain.register(definition)
          for (const runId of RUNS) await plain.start('wf', {}, { runId })
          for (const runId of RUNS) await plain.wait(runId)
          await plain.close()

          // The crash: from the killAt-th commit on, nothing reaches the store any more.
          const { store: inner, reopen, cleanup } = await open()
          let commits = 0
          const dying = faultyStore(inner, {
            method: 'commit',
            when: () => ++commits >= killAt,
            times: Infinity,
          })
          const before = new Map<string, number>()
          const attempts = new Map<string, number[]>()
          // A run that cannot even be reloaded and paused on the dying store is reported, not swallowed.
          const reported: unknown[] = []
          const spy = vi.spyOn(globalThis, 'reportError').mockImplementation((error) => reported.push(error))
          const first = createEngine({ store: dying, recover: false, actions: actions(before, attempts) })
          await first.register(definition)
          // A start() refused by the dying store leaves nothing behind; the others must finish.
          const started: string[] = []
          for (const runId of RUNS) {
            await first.start('wf', {}, { runId }).then(
              () => started.push(runId),
              (error) => expect(error).toMatchObject({ code: 'STORAGE_FAILED' }),
            )
          }
          for (let i = 0; i < 100 && dying.fired.length === 0; i++) {
            const done = await Promise.all(
              RUNS.map(async (r) => (await inner.getRun(r))?.status === 'completed'),
            )
            if (done.every(Boolean)) break
            await new Promise((resolve) => setTimeout(resolve, 1))
          }
          if (dying.fired.length > 0) crashes++
          await first.close()
          const durable = new Set(
            (await Promise.all(RUNS.map((r) => inner.readJournal(r))))
              .flat()
              .filter((e) => e.type === 'task.completed')
              .map((e) => `${e.runId}/${(e as { taskId: string }).taskId}`),
          )

          // Optionally a second crash: an engine recovers the runs and dies at its killAgain-th commit.
          const after = new Map<string, number>()
          if (killAgain !== undefined) {
            let again = 0
            const dyingAgain = faultyStore(reopen(), {
              method: 'commit',
              when: () => ++again >= killAgain,
              times: Infinity,
            })
            const middle = createEngine({
              store: dyingAgain,
              recover: false,
              actions: actions(after, attempts),
            })
            await middle.recover().catch(() => {})
            for (let i = 0; i < 20 && dyingAgain.fired.length === 0; i++) {
              await new Promise((resolve) => setTimeout(resolve, 1))
            }
            await middle.close()
          }
          spy.mockRestore()
          for (const error of reported) expect(error).toMatchObject({ code: 'STORAGE_FAILED' })

          // The restart: a new engine on what the store kept.
          const restarted = reopen()
          const second = createEngine({ store: restarted, actions: actions(after, attempts) })
          for (const runId of RUNS) {
            const run = await second.getRun(runId)
            if (run && run.status !== 'completed')
              expect((await second.wait(runId, { timeoutMs: 10_000 })).status).toBe('completed')
          }
          await second.close()

          expect(await outputsOf(restarted, shape, started)).toEqual(
            await outputsOf(reference, shape, started),
          )
          for (const runId of RUNS.filter((r) => !started.includes(r))) {
            expect(await restarted.getRun(runId)).toBeUndefined()
            expect([...after.keys()].some((key) => key.startsWith(`${runId}/`))).toBe(false)
          }
          for (const key of new Set([...before.keys(), ...after.keys()])) {
            const total = (before.get(key) ?? 0) + (after.get(key) ?? 0)
            if (durable.has(key)) {
              expect(after.get(key) ?? 0).toBe(0)
              expect(before.get(key)).toBe(1)
            } else {
              expect(total).toBeLessThanOrEqual(killAgain === undefined ? 2 : 3)
            }
            // Guarantee 2: a re-run after the crash never repeats an attempt number.
            const seen = attempts.get(key)!
            for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThan(seen[i - 1]!)
          }
          await cleanup()
        },
      ),
      { numRuns: runs },
    )
    // Many cases crash before the runs finish; a test that never crashed would prove nothing.
    expect(crashes).toBeGreaterThan(runs / 3)
  })
})
