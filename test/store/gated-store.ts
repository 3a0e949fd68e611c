import type { Store } from 'spindle'
import { STORE_METHODS, type StoreMethod } from './store-methods'

/** One call of a store method, held until the test opens the gate. */
export interface Gate {
  /** Resolves when a matching call has reached the gate. */
  readonly reached: Promise<void>
  /** Lets the held call go on. */
  open(): void
}

export interface GatedStore extends Store {
  /**
   * Holds the next call of `method` that `when` accepts. `'before'` (default): the inner store is
   * called once the gate opens, so the call sees what was written meanwhile. `'after'`: the inner
   * store runs at once and its result is handed back only when the gate opens (a stale read).
   */
  hold<M extends StoreMethod>(
    method: M,
    when?: (...args: Parameters<Store[M]>) => boolean,
    at?: 'before' | 'after',
  ): Gate
}

/**
 * Wraps a store so that chosen calls wait for the test: to land a completion, a close() or a
 * lock loss exactly between two awaits of the engine.
 *
 * @example
 * const store = gatedStore(memoryStore())
 * const gate = store.hold('readJournal', undefined, 'after')
 * const rolling = engine.rollback(runId)
 * await gate.reached   // rollback has read the journal; finish a task now
 * gate.open()
 */
export function gatedStore(inner: Store): GatedStore {
  const gates: {
    method: StoreMethod
    when?: (...args: never[]) => boolean
    at: 'before' | 'after'
    arrive(): void
    opened: Promise<void>
  }[] = []
  const call =
    (method: StoreMethod) =>
    async (...args: unknown[]): Promise<unknown> => {
      const index = gates.findIndex(
        (g) => g.method === method && (!g.when || (g.when as (...a: unknown[]) => boolean)(...args)),
      )
      const gate = index >= 0 ? gates.splice(index, 1)[0] : undefined
      const run = () => (inner[method] as (...a: unknown[]) => Promise<unknown>).apply(inner, args)
      if (!gate) return run()
      gate.arrive()
      if (gate.at === 'before') {
        await gate.opened
        return run()
      }
      const result = await run()
      await gate.opened
      return result
    }
  const methods = Object.fromEntries(
    STORE_METHODS.map((method) => [method, call(method)]),
  ) as unknown as Pick<Store, StoreMethod>
  return {
    ...methods,
    name: inner.name,
    hold(method, when, at = 'before') {
      let arrive!: () => void
      let open!: () => void
      const reached = new Promise<void>((resolve) => {
        arrive = resolve
      })
      const opened = new Promise<void>((resolve) => {
        open = resolve
      })
      gates.push({ method, when: when as never, at, arrive, opened })
      return { reached, open }
    },
  }
}
