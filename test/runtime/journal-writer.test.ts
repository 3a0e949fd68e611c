import { memoryStore, type Store } from 'spindle'
import { describe, expect, it, vi } from 'vitest'
import { type JournalSource, JournalWriter } from '../../src/runtime/journal'
import type { CommitBatch } from '../../src/store/store'

/** A source with nothing to write whose `failed` calls `onFailed`. */
function source(onFailed: (error: unknown) => void): JournalSource {
  return { collect: (_batch: CommitBatch) => {}, committed: () => {}, failed: onFailed }
}

describe('JournalWriter', () => {
  it('tells every source of a failed commit, also when one of them throws on hearing it', async () => {
    const store: Store = { ...memoryStore(), commit: () => Promise.reject(new Error('disk full')) }
    const reported: unknown[] = []
    const spy = vi.spyOn(globalThis, 'reportError').mockImplementation((error) => reported.push(error))
    try {
      const journal = new JournalWriter(store)
      const told: string[] = []
      journal.write(
        source(() => {
          told.push('first')
          throw new Error('cannot stop')
        }),
      )
      journal.write(source(() => told.push('second')))
      await journal.settled()
      expect(told).toEqual(['first', 'second'])
      expect(reported).toEqual([expect.objectContaining({ message: 'cannot stop' })])
    } finally {
      spy.mockRestore()
    }
  })
})
