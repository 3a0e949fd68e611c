import type { Wakeup } from '../store/store'

/**
 * A binary min-heap of passive runs by the time they wake at (runs due at the same time by
 * `runId`): O(log n) to add and to take the earliest, one array for all of them.
 */
export class DeadlineHeap {
  readonly #items: Wakeup[] = []

  get size(): number {
    return this.#items.length
  }

  /** The earliest wakeup, without taking it. */
  peek(): Wakeup | undefined {
    return this.#items[0]
  }

  add(wakeup: Wakeup): void {
    const items = this.#items
    items.push(wakeup)
    let i = items.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!before(items[i]!, items[parent]!)) break
      swap(items, i, parent)
      i = parent
    }
  }

  /** Takes the earliest wakeup out. */
  take(): Wakeup | undefined {
    const items = this.#items
    const first = items[0]
    const last = items.pop()
    if (items.length === 0 || last === undefined) return first
    items[0] = last
    let i = 0
    for (;;) {
      const left = 2 * i + 1
      const right = left + 1
      let least = i
      if (left < items.length && before(items[left]!, items[least]!)) least = left
      if (right < items.length && before(items[right]!, items[least]!)) least = right
      if (least === i) return first
      swap(items, i, least)
      i = least
    }
  }

  clear(): void {
    this.#items.length = 0
  }
}

function before(a: Wakeup, b: Wakeup): boolean {
  return a.wakeAt < b.wakeAt || (a.wakeAt === b.wakeAt && a.runId < b.runId)
}

function swap(items: Wakeup[], i: number, j: number): void {
  const item = items[i]!
  items[i] = items[j]!
  items[j] = item
}
