import { type JournalEntry, memoryStore, type Store } from 'spindle'
import { describe, expect, it } from 'vitest'
import { type JournalSource, JournalWriter } from '../../src/runtime/journal'
import type { CommitBatch } from '../../src/store/store'
import { approvalJournal } from '../store/approval-entries'
import { runRecord } from '../store/store-fixtures'
import { tempStores } from '../store/temp-database'

/** A run's source: its queued entries go into the next batch, fenced by its epoch. */
function runSource(runId: string, epoch = 0) {
  const queued: JournalEntry[] = []
  const heard: string[] = []
  const source: JournalSource = {
    collect: (batch: CommitBatch) => {
      batch.entries.push(...queued.splice(0))
      batch.fences!.push({ runId, epoch })
    },
    committed: () => heard.push('committed'),
    failed: (error) => heard.push(`failed: ${(error as { code?: string }).code}`),
  }
  return { source, queued, heard }
}

describe('the inbox, fed through the journal writer', () => {
  const temp = tempStores()
  const stores: [string, () => Store][] = [
    ['memoryStore', () => memoryStore()],
    ['indexedDbStore', () => temp.open()],
  ]

  it.each(stores)(
    '%s: runs committing side by side share one commit, and each approval lands',
    async (_, make) => {
      const store = make()
      for (const runId of ['a', 'b']) await store.createRun(runRecord(runId))
      const writer = new JournalWriter(store)
      const a = runSource('a')
      const b = runSource('b')
      a.queued.push(approvalJournal('a').required({ taskId: 'ok' }, { dueAt: 20 }))
      const jb = approvalJournal('b')
      b.queued.push(
        jb.required({ taskId: 'ok' }, { dueAt: 10 }),
        jb.voted({ taskId: 'ok' }, 'ann', 'rejected'),
      )
      writer.write(a.source)
      writer.write(b.source)
      await writer.settled()
      expect([a.heard, b.heard]).toEqual([['committed'], ['committed']])
      const items = await store.listApprovals()
      expect(items.map((i) => [i.approvalId, i.votes.length])).toEqual([
        ['b:ok', 1],
        ['a:ok', 0],
      ])
    },
  )

  it.each(stores)('%s: a commit refused for a stale epoch leaves the inbox as it was', async (_, make) => {
    const store = make()
    await store.createRun(runRecord('a'))
    const writer = new JournalWriter(store)
    const stale = runSource('a')
    const j = approvalJournal('a')
    stale.queued.push(j.required({ taskId: 'ok' }))
    await store.claimRun('a', 'another-tab')
    writer.write(stale.source)
    await writer.settled()
    expect(stale.heard).toEqual(['failed: STALE_EXECUTOR'])
    expect(await store.listApprovals()).toEqual([])
  })
})
