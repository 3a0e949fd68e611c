import { deleteDB } from 'idb'
import type { Engine, ModelSpec } from 'spindle'
import { connectEngine } from 'spindle/client'
import { afterEach } from 'vitest'

export interface EngineWorkerConfig {
  /** The store name: an IndexedDB database, or the name of a memory store. */
  db: string
  store: 'memory' | 'idb'
  /** `record` tasks with `params.hang` never finish in this worker. */
  hang?: boolean
  /** Calls `authorize` refuses, as `<principal>:<verb>` (`-` for none). */
  refused?: string[]
  /** The engine's `limits`: plain data, as an app's worker reads them from its configuration. */
  limits?: Record<string, { concurrency?: number; perSecond?: number }>
  /** The engine's `files` option. */
  files?: { root: string }
  /** The engine's `models` (for `ai`). */
  models?: ModelSpec[]
  /** The first write of a journal entry of this type fails as on a full disk (`QuotaExceededError`). */
  quotaAt?: string
}

/** A worker serving a real engine with the test actions of `engine.worker.ts`. */
export function engineWorker(config: EngineWorkerConfig): Worker {
  return new Worker(new URL('./engine.worker.ts', import.meta.url), {
    type: 'module',
    name: JSON.stringify(config),
  })
}

/**
 * Connects the page to a fresh engine worker (memory store) per call; after each test, closes
 * every engine and terminates every worker it made. Call it once at the top of a test file.
 */
export function connectedWorkers(): () => Engine {
  const workers: Worker[] = []
  const engines: Engine[] = []
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((engine) => engine.close()))
    for (const worker of workers.splice(0)) worker.terminate()
  })
  return () => {
    const worker = engineWorker({ db: uniqueDb(), store: 'memory' })
    workers.push(worker)
    const engine = connectEngine(worker)
    engines.push(engine)
    return engine
  }
}

/** A database (or memory store) name no other test uses. */
export function uniqueDb(prefix = 'worker'): string {
  return `${prefix}-${crypto.randomUUID()}`
}

/** Deletes a test database; every worker using it must be terminated or closed first. */
export function deleteDatabase(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    deleteDB(name, {
      blocked: () => reject(new Error(`Database "${name}" is still open; terminate its workers first.`)),
    }).then(resolve, reject)
  })
}

/** What `record` tasks announced: `taskId` per execution, in order. */
export function executionLog(db: string): {
  executions: { taskId: string; attempt: number; key: string }[]
  close(): void
} {
  const channel = new BroadcastChannel(`log:${db}`)
  const executions: { taskId: string; attempt: number; key: string }[] = []
  channel.onmessage = ({ data }) => executions.push(data)
  return { executions, close: () => channel.close() }
}

/**
 * Runs `body` with two tabs: two engine workers on one new IndexedDB database, each connected.
 * Terminates both and deletes the database afterwards.
 */
export async function withTwoTabs(prefix: string, body: (tab: Engine, other: Engine) => Promise<void>) {
  const db = uniqueDb(prefix)
  const first = engineWorker({ db, store: 'idb' })
  const second = engineWorker({ db, store: 'idb' })
  try {
    await body(connectEngine(first), connectEngine(second))
  } finally {
    first.terminate()
    second.terminate()
    await deleteDatabase(db)
  }
}
