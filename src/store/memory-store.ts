import { compareSemver } from '../definition/semver'
import { ArgumentError, NotFoundError, StaleExecutorError } from '../errors'
import type { RunFilter } from '../types'
import type { CommitBatch, JournalEntry, RunRecord, SnapshotRecord, Store, StoredDefinition } from './store'
import { versionExists } from './store-arguments'

/**
 * A `Store` kept in memory: nothing survives the page. For tests, and for apps that want the
 * engine without durability. Values are structured-cloned on the way in and out, as IndexedDB does.
 *
 * @example
 * const engine = createEngine({ store: memoryStore() })
 */
export function memoryStore(options: { name?: string } = {}): Store {
  return new MemoryStore(options.name ?? `memory-${Math.random().toString(36).slice(2, 10)}`)
}

class MemoryStore implements Store {
  readonly name: string
  #definitions = new Map<string, StoredDefinition>()
  #runs = new Map<string, RunRecord>()
  #journals = new Map<string, JournalEntry[]>()
  #snapshots = new Map<string, SnapshotRecord[]>()

  constructor(name: string) {
    this.name = name
  }

  async putDefinition(record: StoredDefinition): Promise<void> {
    if (this.#definitions.has(`${record.id}@${record.version}`)) throw versionExists(record)
    this.#definitions.set(`${record.id}@${record.version}`, structuredClone(record))
  }

  async getDefinition(id: string, version?: string): Promise<StoredDefinition | undefined> {
    if (version !== undefined) return clone(this.#definitions.get(`${id}@${version}`))
    let best: StoredDefinition | undefined
    for (const record of this.#definitions.values()) {
      if (record.id === id && (!best || compareSemver(record.version, best.version) > 0)) best = record
    }
    return clone(best)
  }

  async latestVersion(id: string): Promise<string | undefined> {
    let best: string | undefined
    for (const record of this.#definitions.values()) {
      if (record.id === id && (best === undefined || compareSemver(record.version, best) > 0))
        best = record.version
    }
    return best
  }

  async listDefinitions(): Promise<StoredDefinition[]> {
    return [...this.#definitions.values()].map((r) => structuredClone(r))
  }

  async deleteDefinition(id: string, version?: string): Promise<number> {
    let deleted = 0
    for (const [key, record] of this.#definitions) {
      if (record.id === id && (version === undefined || record.version === version)) {
        this.#definitions.delete(key)
        deleted++
      }
    }
    return deleted
  }

  async createRun(record: RunRecord): Promise<void> {
    if (this.#runs.has(record.runId)) {
      throw new ArgumentError(`A run with id "${record.runId}" exists already; pick another runId.`, {
        value: record.runId,
      })
    }
    this.#runs.set(record.runId, structuredClone(record))
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    return clone(this.#runs.get(runId))
  }

  async listRuns(filter: RunFilter = {}): Promise<RunRecord[]> {
    const runs = [...this.#runs.values()]
      .filter(
        (r) =>
          (!filter.status || filter.status.includes(r.status)) &&
          (!filter.definitionId || r.definitionId === filter.definitionId),
      )
      .sort((a, b) => b.createdAt - a.createdAt)
    return structuredClone(filter.limit === undefined ? runs : runs.slice(0, filter.limit))
  }

  async claimRun(runId: string, executor: string): Promise<RunRecord> {
    const run = this.#runs.get(runId)
    if (!run) throw new NotFoundError(`No run "${runId}" in store "${this.name}".`, { value: runId })
    run.epoch += 1
    run.executor = executor
    return structuredClone(run)
  }

  async claimRuns(runIds: readonly string[], executor: string): Promise<RunRecord[]> {
    const claimed: RunRecord[] = []
    for (const runId of runIds) if (this.#runs.has(runId)) claimed.push(await this.claimRun(runId, executor))
    return claimed
  }

  async commit(batch: CommitBatch): Promise<void> {
    for (const { runId, epoch } of [...batch.runs, ...(batch.fences ?? [])]) {
      const stored = this.#runs.get(runId)
      if (stored && stored.epoch !== epoch) throw stale(runId, epoch, stored.epoch)
    }
    // The batch is ours (see Store.commit); reads hand out copies.
    const copy = batch
    for (const record of copy.runs) this.#runs.set(record.runId, record)
    for (const entry of copy.entries) {
      const journal = this.#journals.get(entry.runId)
      if (journal) journal.push(entry)
      else this.#journals.set(entry.runId, [entry])
    }
    for (const snapshot of copy.snapshots) {
      const list = this.#snapshots.get(snapshot.runId)
      if (list) list.push(snapshot)
      else this.#snapshots.set(snapshot.runId, [snapshot])
    }
  }

  async readJournal(runId: string, afterSeq = 0): Promise<JournalEntry[]> {
    const journal = this.#journals.get(runId) ?? []
    return structuredClone(journal.filter((e) => e.seq > afterSeq))
  }

  async latestSnapshot(
    runId: string,
    maxSeq = Number.POSITIVE_INFINITY,
  ): Promise<SnapshotRecord | undefined> {
    const list = this.#snapshots.get(runId) ?? []
    for (let i = list.length - 1; i >= 0; i--) {
      if (list[i]!.seq <= maxSeq) return structuredClone(list[i])
    }
    return undefined
  }

  async rollBack(runId: string, afterSeq: number, epoch: number): Promise<void> {
    const stored = this.#runs.get(runId)
    if (stored && stored.epoch !== epoch) throw stale(runId, epoch, stored.epoch)
    for (const entry of this.#journals.get(runId) ?? []) if (entry.seq > afterSeq) entry.rolledBack = true
    const list = this.#snapshots.get(runId)
    if (list)
      this.#snapshots.set(
        runId,
        list.filter((s) => s.seq <= afterSeq),
      )
  }

  async close(): Promise<void> {}
}

function clone<T>(value: T | undefined): T | undefined {
  return value === undefined ? undefined : structuredClone(value)
}

function stale(runId: string, epoch: number, current: number): StaleExecutorError {
  return new StaleExecutorError(
    `Run "${runId}" was taken over by another executor (epoch ${current}, this one holds ${epoch}); this engine may no longer write it.`,
    { value: { runId, epoch, current } },
  )
}
