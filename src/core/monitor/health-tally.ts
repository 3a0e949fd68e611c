import type { Health } from '../../types'
import { healthOf } from './health'

type Parts = Health['parts']
const PARTS = ['time', 'success', 'errors', 'efficiency'] as const

/** Changes after which the sums are added up again, so rounding errors cannot pile up. */
const RESUM_EVERY = 1024

/**
 * Engine-wide health kept as running sums of the runs' health parts: replacing one run's health
 * and reading the engine's are O(1), however many runs there are. The engine's health equals
 * `aggregateHealth` of the runs' healths held.
 *
 * @example
 * const tally = new HealthTally()
 * tally.set('r1', computeHealth(state, now))
 * tally.health().score
 */
export class HealthTally {
  readonly #runs = new Map<string, Parts>()
  #sums: Parts = { time: 0, success: 0, errors: 0, efficiency: 0 }
  #changes = 0
  #turn: Iterator<string> | undefined

  get size(): number {
    return this.#runs.size
  }

  /**
   * Brings up to `count` runs up to date, taking the runs held in turn from where the last call
   * stopped: health changes with time for runs without events too. `read` gives a run's health
   * now, or undefined when the run is gone (it is dropped); runs in `skip` are passed over.
   */
  refreshInTurn(
    count: number,
    read: (runId: string) => Health | undefined,
    skip?: ReadonlySet<string>,
  ): void {
    const visits = Math.min(count, this.#runs.size)
    for (let i = 0; i < visits; i++) {
      let next = this.#turn?.next()
      if (!next || next.done) {
        this.#turn = this.#runs.keys()
        next = this.#turn.next()
      }
      if (next.done) return
      const runId = next.value
      if (skip?.has(runId)) continue
      const health = read(runId)
      if (health) this.set(runId, health)
      else this.delete(runId)
    }
  }

  set(runId: string, health: Health): void {
    const old = this.#runs.get(runId)
    if (old) this.#add(old, -1)
    this.#runs.set(runId, health.parts)
    this.#add(health.parts, 1)
    this.#changed()
  }

  delete(runId: string): void {
    const old = this.#runs.get(runId)
    if (!old) return
    this.#runs.delete(runId)
    this.#add(old, -1)
    this.#changed()
  }

  clear(): void {
    this.#runs.clear()
    this.#turn = undefined
    this.#sums = { time: 0, success: 0, errors: 0, efficiency: 0 }
    this.#changes = 0
  }

  /** The mean of each part over the runs held, and its score; every part 100 with none. */
  health(): Health {
    const n = this.#runs.size
    if (n === 0) return healthOf({ time: 100, success: 100, errors: 100, efficiency: 100 })
    const s = this.#sums
    return healthOf({
      time: s.time / n,
      success: s.success / n,
      errors: s.errors / n,
      efficiency: s.efficiency / n,
    })
  }

  #add(parts: Parts, sign: 1 | -1): void {
    for (const part of PARTS) this.#sums[part] += sign * parts[part]
  }

  #changed(): void {
    if (++this.#changes < RESUM_EVERY) return
    this.#changes = 0
    const sums: Parts = { time: 0, success: 0, errors: 0, efficiency: 0 }
    for (const held of this.#runs.values()) for (const part of PARTS) sums[part] += held[part]
    this.#sums = sums
  }
}
