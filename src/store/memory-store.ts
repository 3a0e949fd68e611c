import { compareSemver } from '../definition/semver'
import { ArgumentError, NotFoundError, StaleExecutorError, StorageError } from '../errors'
import { checkRunQuery, compareNewestFirst, selects } from './run-query'
import type {
  CommitBatch,
  JournalEntry,
  OutputRecord,
  RunQuery,
  RunRecord,
  SnapshotRecord,
  Store,
  StoredDefinition,
} from './store'
import { checkOptions } from './store-arguments'

/**
 * A `Store` kept in memory: nothing survives the page. For tests, and for apps that want the
 * engine without durability. Values are structured-cloned on the way in and out, as IndexedDB does.
 *
 * @example
 * const engine = createEngine({ store: memoryStore() })
 */
export function memoryStore(options: { name?: string } = {}): Store {
  checkOptions('memoryStore', options, { name: true })
  return new MemoryStore(options.name ?? `memory-${Math.random().toString(36).slice(2, 10)}`)
}

class MemoryStore implements Store {
  readonly name: string
  #definitions = new Map<string, StoredDefinition>()
  #runs = new Map<string, RunRecord>()
  #journals = new Map<string, JournalEntry[]>()
  #snapshots = new Map<string, SnapshotRecord[]>()
  /** Per run, by key: the newest output record of each task (and of each `forEach` item). */
  #outputs = new Map<string, Map<string, OutputRecord>>()

  constructor(name: string) {
    this.name = name
  }

  async putDefinition(record: StoredDefinition): Promise<void> {
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

  async listRuns(query: RunQuery = {}): Promise<RunRecord[]> {
    const checked = checkRunQuery(query)
    const runs = [...this.#runs.values()].filter((r) => selects(checked, r)).sort(compareNewestFirst)
    return structuredClone(runs.slice(0, checked.limit))
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
    // A seq is never used twice (a rollback keeps the entries it undoes): refuse before writing.
    const last = new Map<string, number>()
    for (const entry of batch.entries) {
      const previous = last.get(entry.runId) ?? this.#journals.get(entry.runId)?.at(-1)?.seq ?? 0
      if (entry.seq <= previous) {
        throw new StorageError(
          `Journal entry ${entry.seq} of run "${entry.runId}" follows entry ${previous}: a seq is never reused. This is a bug in Spindle; please report it.`,
          { value: { runId: entry.runId, seq: entry.seq } },
        )
      }
      last.set(entry.runId, entry.seq)
    }
    // A rollback's own entry marks what it undoes in the same write: there is no moment when
    // the entries are marked and the rollback is not recorded, or the other way round.
    for (const entry of batch.entries) {
      if (entry.type === 'workflow.rolled-back') this.#markRolledBack(entry.runId, entry.toSeq)
    }
    // Kept as IndexedDB keeps them, out of the caller's reach: copies, except entries already
    // frozen (the engine deep-freezes every record it journals, see boundary.ts), which nobody
    // can change and which are most of what a run writes.
    const copy = {
      runs: structuredClone(batch.runs),
      entries: batch.entries.map((entry) => (Object.isFrozen(entry) ? entry : structuredClone(entry))),
      snapshots: structuredClone(batch.snapshots),
      outputs: batch.outputs && structuredClone(batch.outputs),
    }
    for (const record of copy.runs) this.#runs.set(record.runId, record)
    for (const entry of copy.entries) {
      const journal = this.#journals.get(entry.runId)
      if (journal) journal.push(entry)
      else this.#journals.set(entry.runId, [entry])
    }
    for (const output of copy.outputs ?? []) {
      const outputs = this.#outputs.get(output.runId)
      if (outputs) outputs.set(output.key, output)
      else this.#outputs.set(output.runId, new Map([[output.key, output]]))
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

  async readEntries(runId: string, seqs: readonly number[]): Promise<JournalEntry[]> {
    const wanted = new Set(seqs)
    return structuredClone((this.#journals.get(runId) ?? []).filter((e) => wanted.has(e.seq)))
  }

  async readOutputs(runId: string, maxSeq = Number.POSITIVE_INFINITY): Promise<OutputRecord[]> {
    const outputs = [...(this.#outputs.get(runId)?.values() ?? [])]
    return structuredClone(outputs.filter((o) => o.seq <= maxSeq).sort((a, b) => a.seq - b.seq))
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
    this.#markRolledBack(runId, afterSeq)
  }

  /** Entries are frozen (see boundary.ts): a marked entry replaces the one it marks. */
  #markRolledBack(runId: string, afterSeq: number): void {
    const journal = this.#journals.get(runId) ?? []
    journal.forEach((entry, i) => {
      if (entry.seq > afterSeq && !entry.rolledBack) journal[i] = { ...entry, rolledBack: true }
    })
    const outputs = this.#outputs.get(runId)
    for (const [key, output] of outputs ?? []) if (output.seq > afterSeq) outputs!.delete(key)
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
