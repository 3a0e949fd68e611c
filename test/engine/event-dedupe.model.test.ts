import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { def, testEngine } from '../support/engine-fixtures'

const echo = def(
  { a: { action: 'noop' } },
  { id: 'echo', params: { key: { type: 'string', required: true } } },
)

/** One step: time passes, then one of two tabs emits an event of one of a few keys. */
const stepArb = fc.record({
  advanceMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 40, max: 200 })),
  key: fc.constantFrom('a', 'b', 'c'),
  tab: fc.constantFrom(0, 1),
  byId: fc.boolean(),
})

describe('event dedupe (model)', () => {
  it('a key starts a run exactly when it started none within the window, whichever tab emits', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 100 }),
        fc.array(stepArb, { minLength: 1, maxLength: 25 }),
        async (windowMs, steps) => {
          const one = testEngine()
          const two = testEngine({ store: one.store, clock: one.clock })
          const tabs = [one.engine, two.engine]
          try {
            await one.engine.register(echo)
            await one.engine.route({
              id: 'r',
              event: 'e',
              workflow: 'echo',
              input: { key: '${ event.data.key }' },
              dedupeKey: 'event.data.key',
              dedupeWindowMs: windowMs,
            })
            // The model: when each key last started a run, and the run ids so far.
            const last = new Map<string, number>()
            const ids = new Set<string>()
            for (const step of steps) {
              one.clock.advance(step.advanceMs)
              const now = one.clock.now()
              const event = step.byId
                ? { type: 'e', data: { key: step.key }, id: `id-${step.key}` }
                : { type: 'e', data: { key: step.key } }
              const runs = await tabs[step.tab]!.emit(event)
              const previous = last.get(step.key)
              const expected = previous === undefined || now - previous >= windowMs
              expect(runs.length).toBe(expected ? 1 : 0)
              if (expected) {
                last.set(step.key, now)
                const runId = runs[0]!.runId
                expect(ids.has(runId)).toBe(false)
                ids.add(runId)
                expect(runId.startsWith(`route:r:${step.key}`)).toBe(true)
              }
            }
            expect((await one.engine.listRuns({ limit: 1000 })).runs).toHaveLength(ids.size)
          } finally {
            await Promise.all([one.engine.close(), two.engine.close()])
          }
        },
      ),
      { numRuns: 40 },
    )
  })
})
