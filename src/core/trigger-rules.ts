import type { TriggerRule } from '../types'

/**
 * How a task's dependencies have ended so far. A dependency that failed under
 * `onError: 'continue'` counts as completed; one that failed for good never reaches a rule
 * (its run fails, or pauses until it is retried or skipped), so it is still `pending` here.
 */
export interface DependencyTally {
  /** Dependencies in all. */
  total: number
  completed: number
  skipped: number
}

/** What a task's trigger rule says about it now: start it, skip it, or wait for more ends. */
export type TriggerVerdict = 'ready' | 'skip' | 'wait'

/**
 * The trigger rule of a task, given how its dependencies ended (Airflow's semantics, DESIGN §2):
 *
 * - `all-success`: ready once every dependency completed; skipped as soon as one is skipped,
 *   so the untaken branch of a `when` stays dark down to its join.
 * - `none-failed`: ready once every dependency ended and at least one completed; skipped when
 *   all of them were skipped (the join after a branch).
 * - `all-done`: ready once every dependency ended, whatever its end.
 * - `one-success`: ready as soon as one dependency completed; skipped when all ended skipped.
 *
 * A task without dependencies is ready under every rule. Pure and O(1).
 *
 * @example
 * triggerVerdict('all-success', { total: 2, completed: 1, skipped: 1 }) // 'skip'
 * triggerVerdict('none-failed', { total: 2, completed: 1, skipped: 1 }) // 'ready'
 */
export function triggerVerdict(rule: TriggerRule, deps: DependencyTally): TriggerVerdict {
  const { total, completed, skipped } = deps
  const ended = completed + skipped
  switch (rule) {
    case 'all-success':
      if (skipped > 0) return 'skip'
      return completed === total ? 'ready' : 'wait'
    case 'none-failed':
      if (ended < total) return 'wait'
      return completed > 0 || total === 0 ? 'ready' : 'skip'
    case 'all-done':
      return ended === total ? 'ready' : 'wait'
    case 'one-success':
      if (completed > 0 || total === 0) return 'ready'
      return ended === total ? 'skip' : 'wait'
  }
}
