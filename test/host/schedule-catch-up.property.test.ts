import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ON_TIME_MS } from '../../src/core/schedules/catch-up'
import { occurrencesBetween } from '../../src/core/schedules/schedule-times'
import { fireSchedule, type ScheduledStart } from '../../src/host/schedule-firing'
import { memoryStore } from '../../src/store/memory-store'
import type { ScheduleOccurrence } from '../../src/types'

const MINUTE = 60_000
const created = Date.UTC(2026, 0, 1)

describe('schedule catch-up over random closed periods', () => {
  it('records every occurrence exactly once, fires each run id once, and follows the policy', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 240 }).map((m) => m * MINUTE),
        fc.constantFrom('latest' as const, 'all' as const, 'none' as const),
        // The gaps between the leader's passes: short while a tab is open, days while closed.
        fc.array(
          fc.integer({ min: 1, max: 3 * 24 * 60 }).map((m) => m * MINUTE),
          { minLength: 1, maxLength: 12 },
        ),
        async (everyMs, policy, gaps) => {
          const store = memoryStore()
          await store.putSchedule({
            scheduleId: 's',
            spec: {
              id: 's',
              workflow: 'wf',
              everyMs,
              catchUp: { policy, windowMs: 24 * 60 * MINUTE },
              overlap: 'allow-all',
            },
            createdAt: created,
            updatedAt: created,
            recent: [],
          })
          const started = new Set<string>()
          const start = async ({ runId }: ScheduledStart) => {
            expect(started.has(runId)).toBe(false)
            started.add(runId)
            return 'started' as const
          }
          const recorded: ScheduleOccurrence[] = []
          let now = created
          for (const gap of gaps) {
            now += gap
            const schedule = await store.getSchedule('s')
            if (!schedule) throw new Error('the schedule is gone')
            const outcomes = await fireSchedule(store, schedule, now, start)
            const fired = outcomes.filter((o) => o.outcome === 'started')
            if (policy === 'none') expect(fired.every((o) => now - o.scheduledAt <= ON_TIME_MS)).toBe(true)
            if (policy === 'latest')
              expect(fired.filter((o) => now - o.scheduledAt > ON_TIME_MS).length).toBeLessThanOrEqual(1)
            // A pass that handled everything due (not only the oldest part of a long backlog)
            // ends with a start, unless the newest occurrence is older than the window.
            const handled = (await store.getSchedule('s'))?.handledUpTo ?? created
            const complete = occurrencesBetween({ everyMs }, created, handled, now, 1).length === 0
            if (
              complete &&
              policy !== 'none' &&
              outcomes.length > 0 &&
              now - (outcomes.at(-1)?.scheduledAt ?? 0) <= 24 * 60 * MINUTE
            ) {
              expect(outcomes.at(-1)?.outcome).toBe('started')
            }
            recorded.push(...outcomes)
          }
          // A pass handles at most OCCURRENCES_PER_PASS, the oldest first: more passes at the
          // last time record the rest, then nothing more.
          for (;;) {
            const schedule = await store.getSchedule('s')
            if (!schedule) throw new Error('the schedule is gone')
            const outcomes = await fireSchedule(store, schedule, now, start)
            if (outcomes.length === 0) break
            recorded.push(...outcomes)
          }
          const expected = occurrencesBetween({ everyMs }, created, created, now, Number.POSITIVE_INFINITY)
          // A missed entry with a count stands for that many occurrences from its time on.
          const covered = recorded.flatMap((o) =>
            Array.from({ length: o.count ?? 1 }, (_, i) => o.scheduledAt + i * everyMs),
          )
          expect(covered).toEqual(expected)
          expect(recorded.filter((o) => (o.count ?? 1) > 1).every((o) => o.outcome === 'missed')).toBe(true)
          expect(started.size).toBe(recorded.filter((o) => o.outcome === 'started').length)
        },
      ),
      { numRuns: 60 },
    )
  })
})
