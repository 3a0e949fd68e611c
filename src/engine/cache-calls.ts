import type { EngineScope } from '../host/engine-scope'
import { cacheClearLockName } from '../runtime/result-cache'
import type { CacheStore } from '../store/store'
import { checkOptions } from '../store/store-arguments'
import type { Access } from './access'
import { checkId } from './engine-arguments'

/** Which entries `clearCache` deletes: those of one action and/or one definition; all when empty. */
export interface CacheClearFilter {
  action?: string
  definitionId?: string
}

/** What the engine's cache calls need. */
export interface CacheCallsContext {
  /** The store, and its database name (part of the clear lock's name). */
  readonly store: CacheStore & { readonly name: string }
  readonly access: Access
  readonly scope: EngineScope
}

/**
 * Runs `work` holding the Web Lock `name` exclusive (at once where there are no Web Locks). A
 * wait for it ends with `ENGINE_CLOSED` when the engine closes: `close()` waits for this call,
 * and the misses holding the lock stop only after that.
 */
function exclusively<T>(name: string, signal: AbortSignal, work: () => Promise<T>): Promise<T> {
  const locks = globalThis.navigator?.locks
  if (!locks) return work()
  return locks.request(name, { mode: 'exclusive', signal }, work)
}

/**
 * `clearCache`: checks its filter, asks `authorize` (verb `clearCache`, with the filter's
 * `definitionId`), then deletes the matching result cache entries and counts them. Refused with
 * `ENGINE_CLOSED` once the engine is closing; `close()` waits for a delete in flight.
 */
export async function clearCache(
  ctx: CacheCallsContext,
  filter: CacheClearFilter | undefined,
  acting: string | undefined,
): Promise<number> {
  const { access, scope, store } = ctx
  scope.check()
  checkOptions('clearCache', filter, { action: true, definitionId: true })
  const { action, definitionId } = filter ?? {}
  if (action !== undefined) checkId('clearCache: "action"', action)
  if (definitionId !== undefined) checkId('clearCache: "definitionId"', definitionId)
  if (access.asks) {
    await access.check({
      principal: acting,
      verb: 'clearCache',
      ...(definitionId === undefined ? {} : { definitionId }),
    })
    scope.check()
  }
  const only = {
    ...(action === undefined ? {} : { action }),
    ...(definitionId === undefined ? {} : { definitionId }),
  }
  // After the misses under way have kept their entries (they began before this clear).
  return scope.run(() =>
    exclusively(cacheClearLockName(store.name), scope.signal, () => store.deleteCacheEntries(only)),
  )
}
