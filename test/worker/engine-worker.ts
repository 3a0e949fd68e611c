import { deleteDB } from 'idb'

export interface EngineWorkerConfig {
  /** The store name: an IndexedDB database, or the name of a memory store. */
  db: string
  store: 'memory' | 'idb'
  /** `record` tasks with `params.hang` never finish in this worker. */
  hang?: boolean
}

/** A worker serving a real engine with the test actions of `engine.worker.ts`. */
export function engineWorker(config: EngineWorkerConfig): Worker {
  return new Worker(new URL('./engine.worker.ts', import.meta.url), {
    type: 'module',
    name: JSON.stringify(config),
  })
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
