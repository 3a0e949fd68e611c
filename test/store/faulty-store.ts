import type { CommitBatch, Store, WorkflowEventType } from 'spindle'
import { StorageError } from 'spindle'
import { STORE_METHODS, type StoreMethod } from './store-methods'

export type { StoreMethod } from './store-methods'

interface FaultOf<M extends StoreMethod> {
  method: M
  /** Only the nth call of `method` (1-based), counting every call of it since the wrapper was made. */
  nth?: number
  /** `commit` only: only batches holding a journal entry of this type. */
  entryType?: M extends 'commit' ? WorkflowEventType : never
  /** Only calls whose arguments this accepts. */
  when?: (...args: Parameters<Store[M]>) => boolean
  /**
   * `'before'` (default): reject without calling the inner store, so nothing is written.
   * `'after'`: call the inner store, let it finish, then reject: the write happened but the
   * caller is told it failed (a lost acknowledgement).
   */
  at?: 'before' | 'after'
  /** How many matching calls fail before the fault is spent. Default 1; `Infinity` for all. */
  times?: number
  /** What the failing call rejects with. Default: a `StorageError` naming the fault. */
  error?: () => unknown
}

/** One planned failure: which calls of which method fail, and how. */
export type Fault = { [M in StoreMethod]: FaultOf<M> }[StoreMethod]

/** A failure that happened. */
export interface FiredFault {
  method: StoreMethod
  /** The call number of `method` that failed (1-based). */
  call: number
  at: 'before' | 'after'
}

export interface FaultyStore extends Store {
  /** The failures injected so far, oldest first. */
  readonly fired: readonly FiredFault[]
  /** How many times `method` was called (failed calls included). */
  calls(method: StoreMethod): number
  /** Adds faults to the plan. */
  inject(...faults: Fault[]): void
  /** Drops every fault not yet spent: the storage "recovers". */
  heal(): void
}

/**
 * Wraps a store so that chosen calls fail, to test what the engine does at each write point.
 *
 * @example
 * // The 3rd commit fails and writes nothing; later commits succeed.
 * const store = faultyStore(memoryStore(), { method: 'commit', nth: 3 })
 * @example
 * // Every commit recording a completion is written, but reported as failed.
 * const store = faultyStore(inner, { method: 'commit', entryType: 'task.completed', at: 'after', times: Infinity })
 */
export function faultyStore(inner: Store, plan: Fault | Fault[] = []): FaultyStore {
  const faults: { fault: Fault; left: number }[] = []
  const counts = new Map<StoreMethod, number>()
  const fired: FiredFault[] = []

  const inject = (...more: Fault[]) => {
    for (const fault of more) faults.push({ fault, left: fault.times ?? 1 })
  }
  inject(...(Array.isArray(plan) ? plan : [plan]))

  const matching = (method: StoreMethod, call: number, args: unknown[]) => {
    const planned = faults.find(({ fault, left }) => left > 0 && matches(fault, method, call, args))
    if (planned) planned.left -= 1
    return planned?.fault
  }

  const wrap =
    <M extends StoreMethod>(method: M) =>
    async (...args: Parameters<Store[M]>): Promise<unknown> => {
      const call = (counts.get(method) ?? 0) + 1
      counts.set(method, call)
      const fault = matching(method, call, args)
      const at = fault?.at ?? 'before'
      const fail = () => {
        fired.push({ method, call, at })
        throw (
          fault!.error?.() ??
          new StorageError(`Injected fault: ${method} call #${call} failed (${at} the inner store ran).`, {
            value: { method, call, at },
          })
        )
      }
      if (fault && at === 'before') fail()
      const result = await (inner[method] as (...a: unknown[]) => Promise<unknown>).apply(inner, args)
      if (fault) fail()
      return result
    }

  const methods = Object.fromEntries(
    STORE_METHODS.map((method) => [method, wrap(method)]),
  ) as unknown as Pick<Store, StoreMethod>

  return {
    ...methods,
    name: inner.name,
    fired,
    calls: (method) => counts.get(method) ?? 0,
    inject,
    heal: () => {
      faults.length = 0
    },
  }
}

function matches(fault: Fault, method: StoreMethod, call: number, args: unknown[]): boolean {
  if (fault.method !== method) return false
  if (fault.nth !== undefined && fault.nth !== call) return false
  if (fault.entryType !== undefined) {
    const batch = args[0] as CommitBatch
    if (!batch.entries.some((entry) => entry.type === fault.entryType)) return false
  }
  return !fault.when || (fault.when as (...a: unknown[]) => boolean)(...args)
}
