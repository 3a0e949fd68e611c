import { ArgumentError, NotFoundError } from '../errors'
import type { RunQuery, RunRecord, RunStore, Wakeup } from './ports/run-store'
import { checkRunQuery, compareNewestFirst, selects } from './run-query'
import { checkLimit } from './store-arguments'

/**
 * The `RunStore` of a memory store over `runs`, the map its journal port fences and writes too.
 */
export function memoryRunStore(runs: Map<string, RunRecord>, name: string): RunStore {
  const claimRun = async (runId: string, executor: string): Promise<RunRecord> => {
    const run = runs.get(runId)
    if (!run) throw new NotFoundError(`No run "${runId}" in store "${name}".`, { value: runId })
    run.epoch += 1
    run.executor = executor
    return structuredClone(run)
  }
  return {
    async createRun(record: RunRecord): Promise<void> {
      if (runs.has(record.runId)) {
        throw new ArgumentError(`A run with id "${record.runId}" exists already; pick another runId.`, {
          value: record.runId,
        })
      }
      runs.set(record.runId, structuredClone(record))
    },

    async setRunFormat(runId: string, formatVersion: number): Promise<boolean> {
      const run = runs.get(runId)
      if (run) run.formatVersion = formatVersion
      return run !== undefined
    },

    async getRun(runId: string): Promise<RunRecord | undefined> {
      return structuredClone(runs.get(runId))
    },

    async listRuns(query: RunQuery = {}): Promise<RunRecord[]> {
      const checked = checkRunQuery(query)
      const listed = [...runs.values()].filter((r) => selects(checked, r)).sort(compareNewestFirst)
      return structuredClone(listed.slice(0, checked.limit))
    },

    claimRun,

    async claimRuns(runIds: readonly string[], executor: string): Promise<RunRecord[]> {
      const claimed: RunRecord[] = []
      for (const runId of runIds) if (runs.has(runId)) claimed.push(await claimRun(runId, executor))
      return claimed
    },

    async listWakeups(limit?: number): Promise<Wakeup[]> {
      const max = checkLimit(limit, 'listWakeups')
      const wakeups: Wakeup[] = []
      for (const { runId, wakeAt } of runs.values())
        if (wakeAt !== undefined && Number.isFinite(wakeAt)) wakeups.push({ runId, wakeAt })
      wakeups.sort((a, b) => a.wakeAt - b.wakeAt || (a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0))
      return wakeups.slice(0, max)
    },

    async listEventWaiters(type: string): Promise<string[]> {
      const waiters: string[] = []
      for (const { runId, eventWaits } of runs.values()) if (eventWaits?.includes(type)) waiters.push(runId)
      return waiters.sort()
    },
  }
}
