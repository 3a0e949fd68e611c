import { checkpointsOf } from '../core/checkpoints'
import type { RunSnapshot } from '../core/run-replica'
import { NotFoundError } from '../errors'
import type { EngineStreams } from '../host/engine-streams'
import type { LiveRuns } from '../host/live-runs'
import type { JournalWriter } from '../runtime/journal'
import type { RunExecutor } from '../runtime/run-executor'
import { runInfo, runView } from '../runtime/run-view'
import type { Store } from '../store/store'
import type { CheckpointInfo, HistoryEntry, RunFilter, RunPage, RunView } from '../types'
import { checkId, recordInfo, runQuery } from './engine-arguments'
import type { EngineOptions } from './engine-types'
import { encodeRunCursor } from './run-cursor'

/** What the engine's store reads need. */
export interface RunReadsContext {
  readonly store: Store
  readonly journal: JournalWriter
  readonly runs: LiveRuns
  readonly streams: EngineStreams
  readonly defaults: EngineOptions['defaults']
  now(): number
}

/**
 * The engine's reads of runs: a run as it is now, pages of runs, a run's checkpoints and history.
 * The store reads wait for the journal writes accepted before them, so they see every record the
 * engine published.
 */
export class RunReads {
  readonly #store: Store
  readonly #journal: JournalWriter
  readonly #runs: LiveRuns
  readonly #streams: EngineStreams
  readonly #defaults: EngineOptions['defaults']
  readonly #now: () => number

  constructor(ctx: RunReadsContext) {
    this.#store = ctx.store
    this.#journal = ctx.journal
    this.#runs = ctx.runs
    this.#streams = ctx.streams
    this.#defaults = ctx.defaults
    this.#now = () => ctx.now()
  }

  /** A run to read: live, recently finished, or restored from the store without executing it. */
  async find(runId: string): Promise<RunExecutor | undefined> {
    checkId('runId', runId)
    const executor =
      this.#runs.get(runId) ?? this.#streams.recent(runId) ?? (await this.#runs.load(runId, false))
    return executor === 'held' ? undefined : executor
  }

  /** See `Engine.getRun`. */
  async view(runId: string): Promise<RunView | undefined> {
    const executor = await this.find(runId)
    return executor && runView(executor, this.#now())
  }

  /** See `Engine.runSnapshot`. */
  async runSnapshot(runId: string): Promise<RunSnapshot | undefined> {
    const executor = await this.find(runId)
    if (!executor) return undefined
    const state = structuredClone(executor.state)
    return { definition: executor.wf.definition, defaults: this.#defaults, state, seq: state.seq }
  }

  /** See `Engine.listRuns`. */
  async listRuns(filter: RunFilter = {}): Promise<RunPage> {
    const query = runQuery(filter)
    await this.#journal.committed()
    // One run more than the page holds says whether there is a next page.
    const records = await this.#store.listRuns({ ...query, limit: query.limit + 1 })
    const runs = records.slice(0, query.limit).map((r) => {
      const live = this.#runs.get(r.runId)
      return live ? runInfo(live) : recordInfo(r)
    })
    const last = records.length > query.limit ? records[query.limit - 1] : undefined
    return last ? { runs, next: encodeRunCursor(last) } : { runs }
  }

  /** See `Engine.checkpoints`. */
  async checkpoints(runId: string): Promise<CheckpointInfo[]> {
    await this.requireRecord(runId)
    await this.#journal.committed()
    return checkpointsOf(runId, await this.#store.readJournal(runId))
  }

  /** See `Engine.history`. */
  async history(runId: string): Promise<HistoryEntry[]> {
    await this.requireRecord(runId)
    await this.#journal.committed()
    return this.#store.readJournal(runId)
  }

  /** Throws `NotFoundError` unless the run is live or stored. */
  async requireRecord(runId: string): Promise<void> {
    checkId('runId', runId)
    if (this.#runs.get(runId)) return
    if (!(await this.#store.getRun(runId))) {
      throw new NotFoundError(`No run "${runId}" in store "${this.#store.name}".`, { value: runId })
    }
  }
}
