import fc from 'fast-check'
import { simulatedClock } from 'spindle'
import { describe, expect, it } from 'vitest'
import { ActionLimiter, type LimitSlot } from '../../src/runtime/action-limiter'

function limiter(limits: ConstructorParameters<typeof ActionLimiter>[0]) {
  const clock = simulatedClock()
  return { clock, limiter: new ActionLimiter(limits, clock) }
}

/** Asks for a slot and keeps what was granted, in order, named by `name`. */
function ask(l: ActionLimiter, key: string, name: string, granted: { name: string; slot: LimitSlot }[]) {
  return l.acquire(key, (slot) => granted.push({ name, slot }))
}

describe('ActionLimiter', () => {
  it('grants a free slot synchronously, then queues first come, first served', () => {
    const { limiter: l } = limiter({ http: { concurrency: 2 } })
    const granted: { name: string; slot: LimitSlot }[] = []
    for (const name of ['a', 'b', 'c', 'd']) ask(l, 'http', name, granted)
    expect(granted.map((g) => g.name)).toEqual(['a', 'b'])
    expect(l.usage('http')).toEqual({ running: 2, queued: 2 })
    granted[1]!.slot.release()
    granted[1]!.slot.release()
    expect(granted.map((g) => g.name)).toEqual(['a', 'b', 'c'])
    expect(l.usage('http')).toEqual({ running: 2, queued: 1 })
    // A newcomer queues behind the waiter even when a slot frees as it asks.
    ask(l, 'http', 'e', granted)
    granted[0]!.slot.release()
    expect(granted.map((g) => g.name)).toEqual(['a', 'b', 'c', 'd'])
  })

  it('a cancelled waiter leaves the queue; a cancelled holder gives its slot back', () => {
    const { limiter: l } = limiter({ http: { concurrency: 1 } })
    const granted: { name: string; slot: LimitSlot }[] = []
    const a = ask(l, 'http', 'a', granted)
    const b = ask(l, 'http', 'b', granted)
    ask(l, 'http', 'c', granted)
    b.cancel()
    a.cancel()
    expect(granted.map((g) => g.name)).toEqual(['a', 'c'])
    expect(l.usage('http')).toEqual({ running: 1, queued: 0 })
  })

  it('hands out at most perSecond starts in any second of the injected clock', () => {
    const { limiter: l, clock } = limiter({ ai: { perSecond: 2 } })
    const granted: { name: string; slot: LimitSlot }[] = []
    for (const name of ['a', 'b', 'c', 'd', 'e']) ask(l, 'ai', name, granted)
    for (const g of granted) g.slot.release()
    expect(granted.map((g) => g.name)).toEqual(['a', 'b'])
    clock.advance(999)
    expect(granted).toHaveLength(2)
    clock.advance(1)
    expect(granted.map((g) => g.name)).toEqual(['a', 'b', 'c', 'd'])
    clock.advance(1000)
    expect(granted.map((g) => g.name)).toEqual(['a', 'b', 'c', 'd', 'e'])
  })

  it('a grant handed back within its callback takes no place in the perSecond window', () => {
    const { limiter: l, clock } = limiter({ ai: { perSecond: 1 } })
    const granted: { name: string; slot: LimitSlot }[] = []
    ask(l, 'ai', 'a', granted)
    // A waiter that no longer wants the slot once it is granted (its run ended): nothing starts.
    l.acquire('ai', (slot) => slot.release())
    ask(l, 'ai', 'b', granted)
    granted[0]!.slot.release()
    expect(granted.map((g) => g.name)).toEqual(['a'])
    clock.advance(1000)
    expect(granted.map((g) => g.name)).toEqual(['a', 'b'])
  })

  it('limits only the keys it has; agent_task tasks by their static agent when it has a limit of its own', () => {
    const { limiter: l } = limiter({ http: { concurrency: 1 }, 'agent_task:writer': { concurrency: 1 } })
    const task = (action: string, params?: Record<string, unknown>) =>
      ({ id: 't', action, ...(params ? { params: { static: true, value: params } } : {}) }) as never
    expect(l.keyOf(task('http'))).toBe('http')
    expect(l.keyOf(task('noop'))).toBeUndefined()
    expect(l.keyOf(task('agent_task', { agent: 'writer' }))).toBe('agent_task:writer')
    expect(l.keyOf(task('agent_task', { agent: 'editor' }))).toBeUndefined()
  })

  it('never has more than concurrency slots out nor more than perSecond starts a second (model)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 4 }),
        fc.array(
          fc.oneof(
            fc.constant({ op: 'ask' as const }),
            fc.record({ op: fc.constant('release' as const), pick: fc.nat() }),
            fc.record({ op: fc.constant('cancel' as const), pick: fc.nat() }),
            fc.record({ op: fc.constant('tick' as const), ms: fc.integer({ min: 1, max: 700 }) }),
          ),
          { maxLength: 80 },
        ),
        (concurrency, perSecond, ops) => {
          const { limiter: l, clock } = limiter({ x: { concurrency, perSecond } })
          const held = new Set<LimitSlot>()
          const startedAt: number[] = []
          const tickets: { cancel(): void }[] = []
          const order: number[] = []
          let asked = 0
          for (const step of ops) {
            if (step.op === 'ask') {
              const n = asked++
              tickets.push(
                l.acquire('x', (slot) => {
                  held.add(slot)
                  startedAt.push(clock.now())
                  order.push(n)
                }),
              )
            } else if (step.op === 'release' && held.size > 0) {
              const slot = [...held][step.pick % held.size]!
              held.delete(slot)
              slot.release()
            } else if (step.op === 'cancel' && tickets.length > 0) {
              tickets[step.pick % tickets.length]!.cancel()
            } else if (step.op === 'tick') clock.advance(step.ms)
            expect(l.usage('x').running).toBeLessThanOrEqual(concurrency)
            const now = clock.now()
            expect(startedAt.filter((t) => t > now - 1000).length).toBeLessThanOrEqual(perSecond)
          }
          // First come, first served: grants follow the order of asking.
          expect(order).toEqual([...order].sort((a, b) => a - b))
        },
      ),
    )
  })
})

describe('ActionLimiter.close', () => {
  it('grants nothing more and arms no timer once closed', () => {
    const { limiter: l, clock } = limiter({ x: { concurrency: 1, perSecond: 1 } })
    const granted: { name: string; slot: LimitSlot }[] = []
    ask(l, 'x', 'a', granted)
    ask(l, 'x', 'b', granted)
    l.close()
    granted[0]!.slot.release()
    ask(l, 'x', 'c', granted)
    clock.advance(5_000)
    expect(granted.map((g) => g.name)).toEqual(['a'])
    expect(clock.pending).toBe(0)
  })
})
