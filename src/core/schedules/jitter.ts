/**
 * The delay of one occurrence under `jitterMs`: in `[0, jitterMs)`, from an FNV-1a hash of its
 * run id, so every tab (and a reload) computes the same delay and the run id does not change.
 *
 * @example
 * jitterOf('sched:nightly:1767225600000', 30_000) // the same number of ms in every tab
 */
export function jitterOf(runId: string, jitterMs: number | undefined): number {
  if (!jitterMs || jitterMs <= 1) return 0
  let hash = 0x811c9dc5
  for (let i = 0; i < runId.length; i++) {
    hash ^= runId.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return (hash >>> 0) % jitterMs
}
