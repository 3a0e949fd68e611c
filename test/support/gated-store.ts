import type { CommitBatch, Store } from 'spindle'

export interface GatedStore extends Store {
  /** How many commits wait at the closed gate. */
  readonly held: number
  /** From now on every commit waits at the gate until `release`. */
  shut(): void
  /** From now on commits go straight through again; those held still wait for `release`. */
  open(): void
  /** Lets the oldest held commit through; resolves once the inner store wrote it. */
  release(): Promise<void>
}

/**
 * Wraps a store so that commits can be held at a gate: a slow disk whose commits end only when
 * the test says so. Every other call goes straight to the inner store.
 *
 * @example
 * const store = gatedStore(memoryStore())
 * store.shut()          // commits now wait
 * await store.release() // the oldest one goes through
 */
export function gatedStore(inner: Store): GatedStore {
  let shut = false
  const queue: (() => Promise<void>)[] = []
  const own = {
    get held() {
      return queue.length
    },
    shut: () => {
      shut = true
    },
    open: () => {
      shut = false
    },
    commit(batch: CommitBatch): Promise<void> {
      if (!shut) return inner.commit(batch)
      return new Promise<void>((resolve, reject) => {
        queue.push(() => inner.commit(batch).then(resolve, reject))
      })
    },
    async release(): Promise<void> {
      const next = queue.shift()
      if (!next) throw new Error('no commit waits at the gate')
      await next()
    },
  }
  return new Proxy(inner, {
    get(target, property) {
      if (property in own) return own[property as keyof typeof own]
      const value = Reflect.get(target, property)
      return typeof value === 'function' ? value.bind(target) : value
    },
  }) as GatedStore
}
