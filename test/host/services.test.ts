import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { EngineScope } from '../../src/host/engine-scope'
import { lockName } from '../../src/host/locks'
import { type HostService, HostServices } from '../../src/host/services'

const uniqueDb = () => `db-${crypto.randomUUID()}`

/** A service that records each term it runs: started, and whether its signal was aborted since. */
function recordingService() {
  const terms: AbortSignal[] = []
  let started = () => {}
  let next = new Promise<void>((resolve) => {
    started = resolve
  })
  const service: HostService = {
    name: 'recording',
    start(signal) {
      terms.push(signal)
      const resolve = started
      next = new Promise<void>((r) => {
        started = r
      })
      resolve()
    },
  }
  return {
    service,
    terms,
    /** Resolves at the next start. */
    nextStart(): Promise<void> {
      return next
    },
  }
}

/** One engine's services on `db`, with its own scope (as `createEngine` makes them). */
function engineServices(db: string) {
  const scope = new EngineScope()
  const services = new HostServices(db, scope)
  const recorder = recordingService()
  services.register(recorder.service)
  const firstStart = recorder.nextStart()
  services.open()
  const close = async () => {
    await scope.close()
    await services.close()
  }
  return { services, recorder, firstStart, close }
}

const tick = (ms = 10) => new Promise((resolve) => setTimeout(resolve, ms))

describe('lockName', () => {
  it('names the leader lock after the database', () => {
    expect(lockName('orders', 'leader')).toBe('spindle:orders:leader')
    expect(lockName('orders', 'run', 'r1')).toBe('spindle:orders:run:r1')
    expect(() => lockName('', 'leader')).toThrow(/non-empty database name/)
  })
})

describe.each([
  ['Web Locks', false],
  ['the in-process fallback', true],
])('host services with %s', (_, fallback) => {
  beforeEach(() => {
    if (fallback) Object.defineProperty(navigator, 'locks', { value: undefined, configurable: true })
  })
  afterEach(() => {
    if (fallback) delete (navigator as { locks?: unknown }).locks
  })

  it('runs the services in one engine per database only, and hands over when the leader closes', async () => {
    const db = uniqueDb()
    const first = engineServices(db)
    await first.firstStart
    const second = engineServices(db)
    const other = engineServices(uniqueDb())
    await other.firstStart
    await tick()
    expect(first.services.leading).toBe(true)
    expect(second.services.leading).toBe(false)
    expect(second.recorder.terms).toHaveLength(0)
    expect(other.services.leading).toBe(true)

    await first.close()
    expect(first.recorder.terms[0]!.aborted).toBe(true)
    await second.firstStart
    expect(second.services.leading).toBe(true)
    expect(second.recorder.terms[0]!.aborted).toBe(false)
    await second.close()
    await other.close()
    expect(second.recorder.terms[0]!.aborted).toBe(true)
  })

  it('starts a service registered while leading at once, and nothing after close()', async () => {
    const db = uniqueDb()
    const first = engineServices(db)
    await first.firstStart
    const late = recordingService()
    first.services.register(late.service)
    expect(late.terms).toHaveLength(1)

    const waiting = engineServices(db)
    await waiting.close()
    await first.close()
    const after = recordingService()
    first.services.register(after.service)
    await tick()
    expect(after.terms).toHaveLength(0)
    expect(waiting.recorder.terms).toHaveLength(0)
    expect(waiting.services.leading).toBe(false)
  })
})

describe('host services across contexts (Web Locks)', () => {
  it('stops the services when the leader lock is stolen, and leads again once it is free', async () => {
    const db = uniqueDb()
    const leader = engineServices(db)
    await leader.firstStart
    const again = leader.recorder.nextStart()
    await navigator.locks.request(lockName(db, 'leader'), { steal: true }, async () => {
      await tick()
      expect(leader.recorder.terms[0]!.aborted).toBe(true)
      expect(leader.services.leading).toBe(false)
    })
    await again
    expect(leader.services.leading).toBe(true)
    expect(leader.recorder.terms).toHaveLength(2)
    await leader.close()
  })
})
