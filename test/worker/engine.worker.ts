/**
 * A worker serving a real engine with test actions. Its `name` is a JSON {@link EngineWorkerConfig}
 * (read synchronously, so `serveEngine` listens before the page's first message arrives).
 */
import { createEngine, memoryStore, TaskError } from 'spindle'
import { serveEngine } from 'spindle/worker'
import { indexedDbStore } from '../../src/store/indexeddb-store'
import { type Fault, faultyStore } from '../store/faulty-store'
import { orderMachine } from '../support/order-machine'
import type { EngineWorkerConfig } from './engine-worker'

const config = JSON.parse(self.name) as EngineWorkerConfig
/** Every `record` execution is announced here, so the page can count executions across workers. */
const log = new BroadcastChannel(`log:${config.db}`)

const refused = new Set(config.refused)

const inner = config.store === 'idb' ? indexedDbStore({ name: config.db }) : memoryStore({ name: config.db })
const quotaFault = {
  method: 'commit',
  entryType: config.quotaAt,
  error: () => new DOMException('The quota has been exceeded.', 'QuotaExceededError'),
} as Fault

const engine = createEngine({
  authorize: ({ principal, verb }) => !refused.has(`${principal ?? '-'}:${verb}`),
  store: config.quotaAt === undefined ? inner : faultyStore(inner, quotaFault),
  // Machines are code: they are given to the worker's engine, never sent from the page.
  machines: { order: orderMachine },
  ...(config.limits ? { limits: config.limits } : {}),
  files: config.files,
  models: config.models,
  actions: {
    add: ({ a, b }: { a: number; b: number }) => a + b,
    /** The length of secret `name` (null when not set): the value never leaves the action. */
    secretLength: async ({ name }: { name: string }, ctx) => (await ctx.secrets.get(name))?.length ?? null,
    fail: ({ message }: { message: string }) => {
      throw new TaskError('ACTION_FAILED', message)
    },
    /** Announces itself; with `hang` (and a worker told to hang) it never finishes until aborted. */
    record: (params: { hang?: boolean; value?: unknown }, ctx) => {
      log.postMessage({ taskId: ctx.taskId, attempt: ctx.attempt, key: ctx.idempotencyKey })
      if (params.hang && config.hang) {
        return new Promise((_, reject) =>
          ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)),
        )
      }
      return params.value ?? ctx.taskId
    },
  },
})

serveEngine(engine, { broadcast: `spindle:${config.db}` })
