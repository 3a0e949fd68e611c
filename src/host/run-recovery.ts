import { EngineClosedError } from '../errors'
import { reportUnhandledError } from '../runtime/report-unhandled-error'
import type { ExecutorHost, RunExecutor } from '../runtime/run-executor'
import { readRestorePoints, restoreFrom, restoreRun } from '../runtime/run-restore'
import type { RunRecord, Store } from '../store/store'
import type { CompiledWorkflow } from '../types'
import type { EngineScope } from './engine-scope'
import { type RunLock, tryLockRun } from './locks'
import { checkRunDefinition } from './run-definition-check'
import type { RunLocks } from './run-locks'
import { isPassive } from './run-passivation'

/** What a recovery needs from the live runs. */
export interface RecoveryHost {
  store: Store
  scope: EngineScope
  host: ExecutorHost
  executorId: string
  /** Whether the run is live or being loaded to execute: recovery leaves it alone. */
  taken(runId: string): boolean
  /** Runs being recovered: a load waits for their recovery, then looks again. */
  recovering: Map<string, Promise<void>>
  locks: RunLocks
  takeOverLater(runId: string): void
  definitionOf(record: RunRecord): Promise<CompiledWorkflow>
  /** Makes a restored run live under its lock (a queued one waits its turn). */
  keep(executor: RunExecutor, lock: RunLock): void
  /** Holds the slots of stored queued runs while they are recovered, so new runs queue behind them. */
  reserve(runIds: readonly string[]): void
  /** Ends that hold, and starts the runs waiting for a slot. */
  unreserve(runIds: readonly string[]): void
}

/**
 * Takes over stored runs all at once (recovery): their locks are asked for together, they are
 * claimed in one transaction, restored side by side, and their `workflow.recovered` entries
 * share commits. Runs another engine holds are taken over when it lets go.
 */
export async function recoverRuns(host: RecoveryHost, records: readonly RunRecord[]): Promise<RunExecutor[]> {
  const candidates = records.filter(
    (r) =>
      !host.taken(r.runId) &&
      !host.recovering.has(r.runId) &&
      // A passive run has nothing in flight: it wakes at its time, or on a call.
      !isPassive(r),
  )
  let done!: () => void
  const recovering = new Promise<void>((resolve) => {
    done = resolve
  })
  for (const r of candidates) host.recovering.set(r.runId, recovering)
  const queued = candidates.filter((r) => r.status === 'queued').map((r) => r.runId)
  host.reserve(queued)
  try {
    await Promise.all(candidates.map((r) => host.locks.releasing(r.runId)))
    const locks = await Promise.all(candidates.map((r) => tryLockRun(host.store.name, r.runId)))
    if (host.scope.closed) {
      await Promise.all(locks.map((lock) => lock?.release()))
      throw new EngineClosedError()
    }
    const mine = new Map<string, RunLock>()
    candidates.forEach((r, i) => {
      const lock = locks[i]
      if (lock) mine.set(r.runId, lock)
      else host.takeOverLater(r.runId)
    })
    if (mine.size === 0) return []
    // Each definition is looked up once, before the claim and the journal reads: asked for after
    // them, its read waits behind all of theirs in the database.
    // A failed lookup is made again for each run that needs it, so its error names that run.
    const definitions = new Map<string, Promise<CompiledWorkflow | undefined>>()
    for (const record of candidates) {
      if (!mine.has(record.runId)) continue
      const key = `${record.definitionId}@${record.version}`
      if (!definitions.has(key))
        definitions.set(
          key,
          host.definitionOf(record).catch(() => undefined),
        )
    }
    let claimed: RunRecord[]
    const claiming = host.store.claimRuns([...mine.keys()], host.executorId)
    // Asked for after the claim, the reads see every write made before it (a write asked for
    // later is refused by the new epoch), and go on while the claim commits. In key order,
    // each batch's runs lie together in the store, which reads them in bulk then.
    const points = readRestorePoints(host.store, [...mine.keys()].sort())
    try {
      claimed = await claiming
    } catch (error) {
      await Promise.all([...mine.values()].map((lock) => lock.release()))
      throw error
    }
    if (host.scope.closed) {
      await Promise.all([...mine.values()].map((lock) => lock.release()))
      throw new EngineClosedError()
    }
    // A listed run the claim did not find is gone from the store (deleted since it was listed):
    // nothing to recover, and its lock goes back.
    const found = new Set(claimed.map((r) => r.runId))
    await Promise.all([...mine].filter(([runId]) => !found.has(runId)).map(([, lock]) => lock.release()))
    const restored = await Promise.all(
      claimed.map(async (record) => {
        const lock = mine.get(record.runId)!
        try {
          const point = await points.get(record.runId)
          // The lookup is shared by the runs of a version; each run is checked against it (D19b).
          const wf = checkRunDefinition(
            record,
            (await definitions.get(`${record.definitionId}@${record.version}`)) ??
              (await host.definitionOf(record)),
          )
          const executor = point
            ? await restoreFrom(host.store, record, wf, host.host, point)
            : await restoreRun(host.store, record, wf, host.host)
          host.scope.check()
          host.keep(executor, lock)
          return executor
        } catch (error) {
          // Its definition is gone, or the store failed for it: it stays as stored, unlocked,
          // and a later recover() tries again. The others go on.
          await lock.release()
          if (!(error instanceof EngineClosedError)) reportUnhandledError(error)
          return undefined
        }
      }),
    )
    const executors = restored.filter((e) => e !== undefined)
    // The runs made live are this engine's now: close() stops them and releases their locks.
    host.scope.check()
    await Promise.all(executors.map((e) => e.resumeWork(host.executorId)))
    return executors
  } finally {
    for (const r of candidates) host.recovering.delete(r.runId)
    done()
    // Runs started during the recovery may have waited for slots no recovered run took.
    host.unreserve(queued)
  }
}
