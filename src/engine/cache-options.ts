import { ArgumentError } from '../errors'
import { checkOptions } from '../store/store-arguments'

/** The default `EngineOptions.cache.maxBytes`: 50 MB. */
export const DEFAULT_CACHE_MAX_BYTES = 50 * 1024 * 1024

/** `EngineOptions.cache`: `{ maxBytes? }`, a whole number of bytes ≥ 0 (0 keeps nothing). */
export function checkCacheOption(cache: unknown): void {
  if (cache === undefined) return
  checkOptions('createEngine: "cache"', cache, { maxBytes: true })
  const { maxBytes } = cache as { maxBytes?: unknown }
  if (maxBytes !== undefined && !(Number.isSafeInteger(maxBytes) && (maxBytes as number) >= 0)) {
    throw new ArgumentError(
      `createEngine: "cache.maxBytes" must be a whole number of bytes ≥ 0 (the result cache's size cap; default ${DEFAULT_CACHE_MAX_BYTES}), got ${JSON.stringify(maxBytes) ?? String(maxBytes)}.`,
      { value: maxBytes },
    )
  }
}
