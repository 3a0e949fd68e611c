import { createEngine, type Engine, memoryStore, type Store, simulatedClock } from 'spindle'
import { afterEach, describe, expect, it } from 'vitest'
import { faultyStore } from '../store/faulty-store'
import { controllable, def, flush } from '../support/engine-fixtures'

describe('attempts are recorded before their action starts (guarantee 2)', () => {
  const engines: Engine[] = []
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((e) => e.close()))
  })
  /** An engine whose actions report every attempt they see, per task. */
  const open = (store: Store, seen: Map<string, number[]>, recover = false) => {
    const note = (task: string) => (_: unknown, ctx: { attempt: number }) => {
      seen.set(task, [...(seen.get(task) ?? []), ctx.attempt])
      return new Promise(() => {})
    }
    const engine = createEngine({
      store,
      recover,
      clock: simulatedClock(),
      random: () => 0.5,
      actions: { hang: note('hang'), gated: note('gated'), start: () => 'go' },
    })
    engines.push(engine)
    return engine
  }

  it('a task with `when` starts its action only once its task.started is committed', async () => {
    const inner = memoryStore()
    // The store "crashes" at the write that records the task as started: nothing is written from then on.
    let crashed = false
    const dying = faultyStore(inner, {
      method: 'commit',
      when: (batch) => {
        crashed ||= batch.entries.some((e) => e.type === 'task.started' && e.taskId === 'b')
        return crashed
      },
      times: Number.POSITIVE_INFINITY,
    })
    const seen = new Map<string, number[]>()
    const first = open(dying, seen)
    await first.register(
      def({ a: { action: 'start' }, b: { action: 'gated', dependsOn: ['a'], when: 'true' } }),
    )
    await first.start('wf', {}, { runId: 'r1' })
    await flush()
    expect(dying.fired.length).toBeGreaterThan(0)
    await first.close()

    const second = open(inner, seen)
    await second.recover()
    await flush()
    await second.close()
    const attempts = seen.get('gated') ?? []
    expect(attempts.length).toBeGreaterThan(0)
    expect(attempts).toEqual([...new Set(attempts)].sort((x, y) => x - y))
  })

  it('a task restarted by recovery starts its action only once the new attempt is committed', async () => {
    const inner = memoryStore()
    const seen = new Map<string, number[]>()
    const first = open(inner, seen)
    await first.register(def({ a: { action: 'hang' } }))
    await first.start('wf', {}, { runId: 'r1' })
    await flush()
    expect(seen.get('hang')).toEqual([1])
    await first.close()

    // This engine recovers the run, but its store takes no writes: it "crashes" at once.
    const dying = faultyStore(inner, { method: 'commit', times: Number.POSITIVE_INFINITY })
    const second = open(dying, seen)
    await expect(second.recover()).rejects.toMatchObject({ code: 'STORAGE_FAILED' })
    await flush()
    await second.close()

    const third = open(inner, seen)
    await third.recover()
    await flush()
    await third.close()
    const attempts = seen.get('hang')!
    expect(attempts.length).toBeGreaterThan(1)
    expect(attempts).toEqual([...new Set(attempts)].sort((x, y) => x - y))
  })
})
