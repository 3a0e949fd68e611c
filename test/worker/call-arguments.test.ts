import { ArgumentError } from 'spindle'
import { connectEngine } from 'spindle/client'
import { afterEach, describe, expect, it } from 'vitest'
import { workerStats } from '../../worker/instrumentation'
import { fakeEngineWorker } from './fake-worker'

const workers: Worker[] = []
function connect() {
  const worker = fakeEngineWorker()
  workers.push(worker)
  return connectEngine(worker)
}

afterEach(() => {
  for (const worker of workers.splice(0)) worker.terminate()
})

function nested(depth: number): unknown {
  let value: unknown = 'leaf'
  for (let i = 0; i < depth; i++) value = { next: value }
  return value
}

async function refusal(call: Promise<unknown>): Promise<ArgumentError> {
  const error = await call.then(
    () => expect.fail('the call was sent'),
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(ArgumentError)
  expect(error).toMatchObject({ name: 'ArgumentError', code: 'INVALID_ARGUMENT' })
  return error as ArgumentError
}

describe('connectEngine: call arguments are checked on the page before they leave', () => {
  it('refuses nesting deeper than 100 levels, naming where', async () => {
    const engine = connect()
    const error = await refusal(engine.signal('r1', 'echo', nested(20_000)))
    expect(error.message).toMatch(/signal\(\).*argument 3.*deeper than 100 levels/s)
    expect(error.message).toContain('.next.next')
    // 100 levels still go through.
    await expect(engine.signal('r1', 'echo', nested(99))).resolves.toMatchObject({ runId: 'r1' })
  })

  it('refuses arguments over 32 MB, before copying them', async () => {
    const engine = connect()
    const error = await refusal(engine.start('wf', { blob: 'x'.repeat(32 * 1024 * 1024 + 1) }))
    expect(error.message).toMatch(/start\(\).*larger than 32 MB/s)
    const stats = await workerStats(engine)
    expect(stats).toMatchObject({ connections: 1 })
  })

  it('refuses functions, symbols and getters that throw, with the path', async () => {
    const engine = connect()
    const withFunction = await refusal(engine.start('wf', { nested: { onDone() {} } }))
    expect(withFunction.message).toMatch(/argument 2 at .nested.onDone/)
    expect(withFunction.message).toMatch(/a function/)
    await refusal(engine.signal('r1', 'echo', { tag: Symbol('x') }))
    const throwing = {
      get boom(): never {
        throw new Error('not readable')
      },
    }
    const getter = await refusal(engine.signal('r1', 'echo', throwing))
    expect(getter.message).toContain('not readable')
    await refusal(engine.signal('r1', 'echo', new WeakMap()))
  })

  it('lets plain data through: cycles, Map, Set, Date, typed arrays', async () => {
    const engine = connect()
    const cyclic: Record<string, unknown> = { n: 1 }
    cyclic.self = cyclic
    const payload = {
      cyclic,
      map: new Map([[1, { a: [1] }]]),
      set: new Set([1]),
      at: new Date(5),
      bytes: new Uint8Array(4),
    }
    const echoed = (await engine.signal('r1', 'echo', payload)) as unknown as { payload: typeof payload }
    expect(echoed.payload.cyclic.self).toBe(echoed.payload.cyclic)
    expect(echoed.payload.map.get(1)).toEqual({ a: [1] })
  })
})
