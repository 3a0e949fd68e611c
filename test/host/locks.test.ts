import { ArgumentError } from 'spindle'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { lockRunWhenFree, runLockName, tryLockRun } from '../../src/host/locks'

const uniqueDb = () => `db-${crypto.randomUUID()}`

/** Whether `promise` settles within a few milliseconds. */
async function settlesSoon(promise: Promise<unknown>): Promise<boolean> {
  let settled = false
  promise.then(
    () => {
      settled = true
    },
    () => {
      settled = true
    },
  )
  await new Promise((resolve) => setTimeout(resolve, 10))
  return settled
}

describe('runLockName', () => {
  it('names the lock after the database and the run', () => {
    expect(runLockName('orders', 'run-42')).toBe('spindle:orders:run:run-42')
  })

  it('refuses an empty database name or run id with an ArgumentError', async () => {
    expect(() => runLockName('', 'r1')).toThrow(ArgumentError)
    expect(() => runLockName('orders', '')).toThrow(/non-empty runId/)
    await expect(tryLockRun('orders', undefined as unknown as string)).rejects.toThrow(ArgumentError)
    await expect(lockRunWhenFree('', 'r1')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', value: '' })
  })
})

describe.each([
  ['Web Locks', false],
  ['the in-process fallback', true],
])('run locks with %s', (_, fallback) => {
  beforeEach(() => {
    // Hides the Web Locks API the way Node lacks it; the prototype's getter stays untouched.
    if (fallback) Object.defineProperty(navigator, 'locks', { value: undefined, configurable: true })
  })
  afterEach(() => {
    if (fallback) delete (navigator as { locks?: unknown }).locks
  })

  it(`uses ${fallback ? 'its own lock table' : 'navigator.locks'}`, async () => {
    const db = uniqueDb()
    const lock = await tryLockRun(db, 'r1')
    const held = (await globalThis.navigator.locks?.query())?.held?.map((l) => l.name) ?? []
    expect(held.includes(runLockName(db, 'r1'))).toBe(!fallback)
    lock?.release()
  })

  it('gives the lock to one holder at a time', async () => {
    const db = uniqueDb()
    const first = await tryLockRun(db, 'r1')
    expect(first?.name).toBe(runLockName(db, 'r1'))
    expect(await tryLockRun(db, 'r1')).toBeUndefined()
    const other = await tryLockRun(db, 'r2')
    expect(other).toBeDefined()
    await first!.release()
    await other!.release()
    const again = await tryLockRun(db, 'r1')
    expect(again).toBeDefined()
    again!.release()
  })

  it('lets waiters in one at a time, in order, as holders release', async () => {
    const db = uniqueDb()
    const holder = (await tryLockRun(db, 'r1'))!
    const second = lockRunWhenFree(db, 'r1')
    const third = lockRunWhenFree(db, 'r1')
    expect(await settlesSoon(second)).toBe(false)
    await holder.release()
    const secondLock = await second
    expect(await settlesSoon(third)).toBe(false)
    expect(await tryLockRun(db, 'r1')).toBeUndefined()
    const releasing = secondLock.release()
    expect(secondLock.release()).toBe(releasing)
    await releasing
    await (await third).release()
    await (await tryLockRun(db, 'r1'))!.release()
  })

  it('takes a free lock at once', async () => {
    const db = uniqueDb()
    const lock = await lockRunWhenFree(db, 'r1')
    expect(await tryLockRun(db, 'r1')).toBeUndefined()
    lock.release()
  })

  it('stops waiting when the signal aborts, and rejects with its reason', async () => {
    const db = uniqueDb()
    const holder = (await tryLockRun(db, 'r1'))!
    const stop = new AbortController()
    const waiting = lockRunWhenFree(db, 'r1', stop.signal)
    const next = lockRunWhenFree(db, 'r1')
    stop.abort(new Error('gave up'))
    await expect(waiting).rejects.toThrow('gave up')
    holder.release()
    ;(await next).release()
  })

  it('rejects at once for a signal already aborted', async () => {
    const stop = new AbortController()
    stop.abort(new Error('too late'))
    await expect(lockRunWhenFree(uniqueDb(), 'r1', stop.signal)).rejects.toThrow('too late')
  })

  it('keeps `lost` pending after an ordinary release', async () => {
    const lock = (await tryLockRun(uniqueDb(), 'r1'))!
    lock.release()
    expect(await settlesSoon(lock.lost)).toBe(false)
  })
})

describe('run locks across contexts (Web Locks)', () => {
  it('reports a lock stolen by another context as lost', async () => {
    const db = uniqueDb()
    const lock = (await tryLockRun(db, 'r1'))!
    await navigator.locks.request(runLockName(db, 'r1'), { steal: true }, async () => {
      await expect(lock.lost).resolves.toBeUndefined()
    })
  })

  it("frees a worker's lock when the worker is terminated", async () => {
    const db = uniqueDb()
    const worker = new Worker(new URL('./lock-holder.worker.ts', import.meta.url), { type: 'module' })
    const reply = () =>
      new Promise((resolve) => worker.addEventListener('message', (e) => resolve(e.data), { once: true }))
    try {
      const locked = reply()
      worker.postMessage({ db, runId: 'r1' })
      expect(await locked).toBe('locked')
      expect(await tryLockRun(db, 'r1')).toBeUndefined()

      const mine = (await tryLockRun(db, 'r2'))!
      const busy = reply()
      worker.postMessage({ db, runId: 'r2' })
      expect(await busy).toBe('busy')
      mine.release()

      const waiting = lockRunWhenFree(db, 'r1')
      expect(await settlesSoon(waiting)).toBe(false)
      worker.terminate()
      ;(await waiting).release()
    } finally {
      worker.terminate()
    }
  })
})
