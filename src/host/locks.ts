import { ArgumentError } from '../errors'

/**
 * A held lock. Only its holder does what the lock guards (executes the run, runs the background
 * services); `release()` hands it to the next waiter.
 */
export interface HeldLock {
  /** The Web Lock name (see `lockName`). */
  readonly name: string
  /**
   * Gives the lock up. Resolves once the lock is free for others (the browser frees a Web Lock
   * a moment after it is given up, so a `tryLock` straight after an un-awaited `release()`
   * can still find it taken). Calling it again returns the same promise.
   */
  release(): Promise<void>
  /**
   * Resolves if the lock is taken away from this holder without `release()`: another context
   * requested it with `steal: true`, or the browser's lock manager dropped it. The holder must
   * stop at once (a run's fencing epoch is about to go stale anyway). Stays pending after a
   * `release()`.
   */
  readonly lost: Promise<void>
}

/** A held run lock: `spindle:<db>:run:<runId>`. */
export type RunLock = HeldLock

/**
 * What a lock guards: one run (`run`, with its runId), or the background services of a whole
 * database (`leader`, one holder per database).
 */
export type LockKind = 'run' | 'leader'

/**
 * The name of the Web Lock of kind `kind` in the database `db`: `spindle:<db>:run:<runId>` for a
 * run, `spindle:<db>:leader` for the leader.
 *
 * @example
 * lockName('orders', 'run', 'run-42') // 'spindle:orders:run:run-42'
 * lockName('orders', 'leader') // 'spindle:orders:leader'
 */
export function lockName(db: string, kind: 'run', id: string): string
export function lockName(db: string, kind: 'leader'): string
export function lockName(db: string, kind: LockKind, id?: string): string {
  const parts: (readonly [string, unknown])[] = [['database name', db]]
  if (kind === 'run') parts.push(['runId', id])
  for (const [what, value] of parts) {
    if (typeof value !== 'string' || value === '') {
      throw new ArgumentError(`A ${kind} lock needs a non-empty ${what}; got ${JSON.stringify(value)}.`, {
        value,
      })
    }
  }
  return kind === 'run' ? `spindle:${db}:run:${id}` : `spindle:${db}:leader`
}

/**
 * The name of the Web Lock that guards one run of the database `db`.
 *
 * @example
 * runLockName('spindle', 'run-42') // 'spindle:spindle:run:run-42'
 */
export function runLockName(db: string, runId: string): string {
  return lockName(db, 'run', runId)
}

/**
 * Takes the lock `name` if nobody holds it now; resolves `undefined` when another holder (this
 * tab, another tab, a worker) has it. Never waits.
 */
export function tryLock(name: string): Promise<HeldLock | undefined> {
  return acquire(name, { ifAvailable: true })
}

/**
 * Waits until the lock `name` is free, then takes it; resolves once it is held. Aborting `signal`
 * stops the wait and rejects with the signal's `reason`; it has no effect once the lock is held.
 */
export async function lockWhenFree(name: string, signal?: AbortSignal): Promise<HeldLock> {
  signal?.throwIfAborted()
  return (await acquire(name, signal ? { signal } : {}))!
}

/**
 * Takes the run's lock if nobody holds it now; resolves `undefined` when another holder (this
 * tab, another tab, a worker) has it. Never waits.
 *
 * @example
 * const lock = await tryLockRun(store.name, runId)
 * if (!lock) return // another tab executes this run
 * try { await execute(runId) } finally { await lock.release() }
 */
export async function tryLockRun(db: string, runId: string): Promise<RunLock | undefined> {
  return tryLock(lockName(db, 'run', runId))
}

/**
 * Waits until the run's lock is free, then takes it; resolves once it is held. Aborting `signal`
 * stops the wait and rejects with the signal's `reason`; it has no effect once the lock is held.
 *
 * @example
 * const stop = new AbortController()
 * const lock = await lockRunWhenFree(store.name, runId, stop.signal) // the other tab closed
 * lock.lost.then(() => stopExecuting(runId)) // stolen: another executor took over
 */
export async function lockRunWhenFree(db: string, runId: string, signal?: AbortSignal): Promise<RunLock> {
  return lockWhenFree(lockName(db, 'run', runId), signal)
}

/** The part of the Web Locks `LockManager` used here, so the fallback below can stand in for it. */
interface Locks {
  request(
    name: string,
    options: { ifAvailable?: boolean; signal?: AbortSignal },
    callback: (lock: { name: string } | null) => Promise<void> | undefined,
  ): Promise<unknown>
}

function acquire(
  name: string,
  options: { ifAvailable?: boolean; signal?: AbortSignal },
): Promise<HeldLock | undefined> {
  return new Promise((resolve, reject) => {
    let granted = false
    let released = false
    let freed: Promise<void> = Promise.resolve()
    let letGo = () => {}
    let markLost = () => {}
    const lost = new Promise<void>((resolveLost) => {
      markLost = resolveLost
    })
    const held = new Promise<void>((resolveHeld) => {
      letGo = resolveHeld
    })
    const lock: HeldLock = {
      name,
      lost,
      release() {
        released = true
        letGo()
        return freed
      },
    }
    const request = lockManager().request(name, options, (granting) => {
      if (!granting) {
        resolve(undefined)
        return undefined
      }
      granted = true
      resolve(lock)
      // The lock stays held for as long as this promise is pending.
      return held
    })
    freed = request.then(
      () => {},
      (error: unknown) => {
        if (!granted) reject(error)
        else if (!released) markLost()
      },
    )
  })
}

/**
 * `navigator.locks` where the platform has Web Locks (browsers, Deno). Elsewhere (Node, older
 * runtimes) an in-process lock table with the same semantics inside one JavaScript realm: it
 * keeps two engines of one process apart, but not two processes, which then need their own
 * coordination.
 */
function lockManager(): Locks {
  return (globalThis.navigator?.locks as Locks | undefined) ?? inProcessLocks
}

/**
 * First come, first served; a released lock passes straight to the oldest waiter. Nothing can
 * steal a lock here, so `HeldLock.lost` never resolves under it.
 */
class InProcessLocks implements Locks {
  readonly #held = new Set<string>()
  readonly #waiting = new Map<string, (() => void)[]>()

  async request(
    name: string,
    options: { ifAvailable?: boolean; signal?: AbortSignal },
    callback: (lock: { name: string } | null) => Promise<void> | undefined,
  ): Promise<unknown> {
    if (this.#held.has(name)) {
      if (options.ifAvailable) return callback(null)
      await this.#wait(name, options.signal)
    }
    this.#held.add(name)
    try {
      return await callback({ name })
    } finally {
      this.#handOver(name)
    }
  }

  #wait(name: string, signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve, reject) => {
      const queue = this.#waiting.get(name) ?? []
      this.#waiting.set(name, queue)
      const onAbort = () => {
        queue.splice(queue.indexOf(wake), 1)
        if (queue.length === 0) this.#waiting.delete(name)
        reject(signal!.reason)
      }
      const wake = () => {
        signal?.removeEventListener('abort', onAbort)
        resolve()
      }
      queue.push(wake)
      signal?.addEventListener('abort', onAbort, { once: true })
    })
  }

  #handOver(name: string): void {
    const queue = this.#waiting.get(name)
    const next = queue?.shift()
    if (queue?.length === 0) this.#waiting.delete(name)
    // The lock stays in `#held` while it passes to `next`, so a `tryLock` in between sees it taken.
    if (next) next()
    else this.#held.delete(name)
  }
}

const inProcessLocks = new InProcessLocks()
