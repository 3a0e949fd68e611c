import fc from 'fast-check'
import type { Engine } from 'spindle'
import { describe, expect, it } from 'vitest'
import { def, testEngine } from '../support/engine-fixtures'

const HOUR = 60 * 60 * 1000
const DAY = 24 * HOUR

/** Two waits one after the other, each for an `order.paid` of the run's order. */
const waiter = def(
  {
    first: {
      action: 'wait-for-event',
      params: { event: 'order.paid', match: 'event.data.orderId == run.input.orderId' },
    },
    second: {
      action: 'wait-for-event',
      params: { event: 'order.paid', match: 'event.data.orderId == run.input.orderId' },
      dependsOn: ['first'],
    },
  },
  { params: { orderId: { type: 'string', required: true } } },
)

type Step =
  | { kind: 'emit'; orderId: string }
  | { kind: 'start'; orderId: string }
  | { kind: 'advance'; hours: number }

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('emit' as const), orderId: fc.constantFrom('A', 'B') }),
  fc.record({ kind: fc.constant('start' as const), orderId: fc.constantFrom('A', 'B') }),
  fc.record({ kind: fc.constant('advance' as const), hours: fc.integer({ min: 1, max: 30 }) }),
)

async function takenBy(engine: Engine, runId: string): Promise<string[]> {
  return (await engine.history(runId)).flatMap((e) =>
    e.type === 'task.completed' && e.emitted !== undefined ? [(e.output as { id: string }).id] : [],
  )
}

describe('wait-for-event on emitted events (model)', () => {
  it('each wait takes the oldest matching event of the last 24 h that its run did not take, once', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 14 }), async (steps) => {
        const { engine, clock } = testEngine()
        try {
          await engine.register(waiter)
          // The model: the events (id, order, time) and, per run, its order and the events it took.
          const events: { id: string; orderId: string; at: number }[] = []
          const runs: { runId: string; orderId: string; taken: string[] }[] = []
          /** A run's open wait takes what it can now: the oldest in the window it has not taken. */
          const settle = () => {
            for (const run of runs) {
              while (run.taken.length < 2) {
                const next = events.find(
                  (e) => e.orderId === run.orderId && e.at > clock.now() - DAY && !run.taken.includes(e.id),
                )
                if (!next) break
                run.taken.push(next.id)
              }
            }
          }
          let n = 0
          for (const step of steps) {
            if (step.kind === 'advance') {
              clock.advance(step.hours * HOUR)
              continue
            }
            if (step.kind === 'emit') {
              const id = `e${n++}`
              events.push({ id, orderId: step.orderId, at: clock.now() })
              await engine.emit({ type: 'order.paid', data: { orderId: step.orderId }, id })
            } else {
              const { runId } = await engine.start('wf', { orderId: step.orderId })
              runs.push({ runId, orderId: step.orderId, taken: [] })
            }
            await engine.idle()
            settle()
          }
          for (const run of runs) expect(await takenBy(engine, run.runId)).toEqual(run.taken)
        } finally {
          await engine.close()
        }
      }),
      { numRuns: 40 },
    )
  })
})
