import { ArgumentError, ExpressionError, memoryStore, NotFoundError } from 'spindle'
import { describe, expect, it } from 'vitest'
import { faultyStore } from '../store/faulty-store'
import { tempStores } from '../store/temp-database'
import { def, testEngines } from '../support/engine-fixtures'

const order = def(
  { a: { action: 'transform', params: { value: '${ input.orderId }' } } },
  { id: 'ship', params: { orderId: { type: 'string', required: true }, total: { type: 'number' } } },
)

describe('event routes', () => {
  const testEngine = testEngines()

  it('starts a run per matching route with input from the event, and lists and removes routes', async () => {
    const { engine } = testEngine()
    await engine.register(order)
    const exact = await engine.route({
      id: 'paid',
      event: 'order.paid',
      workflow: 'ship',
      input: { orderId: '${ event.data.id }', total: '${ event.data.total }' },
    })
    await engine.route({
      id: 'any',
      event: 'order.*',
      workflow: 'ship',
      input: { orderId: 'x-${ event.type }' },
    })
    expect(exact).toMatchObject({ id: 'paid', spec: { event: 'order.paid', workflow: 'ship' } })
    expect((await engine.listRoutes()).map((r) => r.id).sort()).toEqual(['any', 'paid'])

    const runs = await engine.emit({ type: 'order.paid', data: { id: 'A-1', total: 12 } })
    expect(runs).toHaveLength(2)
    const inputs = await Promise.all(runs.map(async (r) => (await engine.wait(r.runId)).input))
    expect(inputs).toContainEqual({ orderId: 'A-1', total: 12 })
    expect(inputs).toContainEqual({ orderId: 'x-order.paid' })
    expect(await engine.emit({ type: 'invoice.paid', data: {} })).toEqual([])
    expect(await engine.emit({ type: 'order.refunded', data: {} })).toHaveLength(1)

    await engine.unroute('any')
    expect((await engine.listRoutes()).map((r) => r.id)).toEqual(['paid'])
    expect(await engine.emit({ type: 'order.refunded', data: {} })).toEqual([])
    await expect(engine.unroute('any')).rejects.toBeInstanceOf(NotFoundError)
  })

  it('starts nothing when `when` is false', async () => {
    const { engine } = testEngine()
    await engine.register(order)
    await engine.route({
      event: 'order.paid',
      workflow: 'ship',
      when: 'event.data.total > 10',
      input: { orderId: '${ event.data.id }' },
    })
    expect(await engine.emit({ type: 'order.paid', data: { id: 'small', total: 5 } })).toEqual([])
    expect(await engine.emit({ type: 'order.paid', data: { id: 'big', total: 50 } })).toHaveLength(1)
  })

  it('a bad spec is one typed error listing every problem, and adds no route', async () => {
    const { engine } = testEngine()
    await engine.register(order)
    const error = await engine
      .route({ event: '', workflow: 'ship', when: 'event.data.(', dedupeWindowMs: -1, extra: 1 } as never)
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ArgumentError)
    const message = (error as Error).message
    for (const part of ['event must be', 'when', 'dedupeWindowMs', '"extra"']) expect(message).toContain(part)
    await expect(engine.route({ event: 'a', workflow: 'missing' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    })
    // An input the store could not keep as given (a function, a Map, NaN) is a problem of the spec.
    for (const input of [{ f: () => 1 }, { m: new Map([['k', 1]]) }, { n: Number.NaN }]) {
      await expect(engine.route({ event: 'a', workflow: 'ship', input } as never)).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        message: expect.stringContaining('input must be'),
      })
    }
    expect(await engine.listRoutes()).toEqual([])
  })

  it('an expression that fails on an event starts no route at all', async () => {
    const { engine } = testEngine()
    await engine.register(order)
    await engine.route({ event: 'order.paid', workflow: 'ship', input: { orderId: 'fixed' } })
    await engine.route({
      event: 'order.paid',
      workflow: 'ship',
      input: { orderId: '${ event.data.missing.id }' },
    })
    await expect(engine.emit({ type: 'order.paid', data: {} })).rejects.toBeInstanceOf(ExpressionError)
    expect((await engine.listRuns()).runs).toEqual([])
  })

  it('a bad event is a typed error', async () => {
    const { engine } = testEngine()
    await expect(engine.emit({ type: '' })).rejects.toBeInstanceOf(ArgumentError)
    await expect(engine.emit(null as never)).rejects.toBeInstanceOf(ArgumentError)
    await expect(engine.emit({ type: 'a', data: { n: 1n } })).rejects.toBeInstanceOf(ArgumentError)
    // Data its JSON copy would change (a Map emptied, NaN made null, a Date made a string) is refused too.
    await engine.register(order)
    await engine.route({ id: 'r', event: 'a', workflow: 'ship', input: { orderId: 'o' } })
    for (const data of [{ m: new Map([['k', 1]]) }, { n: Number.NaN }, [new Date(0)], { f: () => 1 }]) {
      await expect(engine.emit({ type: 'a', data, id: 'bad' })).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        value: data,
      })
    }
    expect(await engine.getRun('route:r:bad')).toBeUndefined()
  })
})

describe('emit when the store fails', () => {
  const testEngine = testEngines()

  it('an event the log could not take (the disk full) starts no route run; emitting it again does', async () => {
    const store = faultyStore(memoryStore(), { method: 'appendEvent' })
    const { engine } = testEngine({ store })
    await engine.register(order)
    await engine.route({ id: 'r', event: 'a', workflow: 'ship', input: { orderId: 'o' } })
    await expect(engine.emit({ type: 'a' })).rejects.toMatchObject({ code: 'STORAGE_FAILED' })
    expect((await engine.listRuns()).runs).toEqual([])
    expect(await engine.emit({ type: 'a' })).toHaveLength(1)
  })
})

describe('event dedupe', () => {
  const testEngine = testEngines()

  it('an event id seen within the window starts nothing again; after the window it starts again', async () => {
    const { engine, clock } = testEngine()
    await engine.register(order)
    await engine.route({
      id: 'r',
      event: 'order.paid',
      workflow: 'ship',
      input: { orderId: 'o' },
      dedupeWindowMs: 60_000,
    })
    const first = await engine.emit({ type: 'order.paid', id: 'evt-1' })
    expect(first.map((r) => r.runId)).toEqual(['route:r:evt-1'])
    clock.advance(59_999)
    expect(await engine.emit({ type: 'order.paid', id: 'evt-1' })).toEqual([])
    expect(await engine.emit({ type: 'order.paid', id: 'evt-2' })).toHaveLength(1)
    clock.advance(1)
    const again = await engine.emit({ type: 'order.paid', id: 'evt-1' })
    expect(again).toHaveLength(1)
    expect(again[0]!.runId).toBe('route:r:evt-1:1')
    clock.advance(30_000)
    expect(await engine.emit({ type: 'order.paid', id: 'evt-1' })).toEqual([])
  })

  it('a long route id with a long key still starts its run, under an id of at most 200 characters, and dedupes', async () => {
    const { engine, clock } = testEngine()
    await engine.register(order)
    const id = 'r'.repeat(200)
    await engine.route({
      id,
      event: 'order.paid',
      workflow: 'ship',
      input: { orderId: 'o' },
      dedupeWindowMs: 1000,
    })
    const key = 'k'.repeat(100)
    const [run] = await engine.emit({ type: 'order.paid', id: key })
    expect(run).toBeDefined()
    expect(run!.runId.length).toBeLessThanOrEqual(200)
    expect(await engine.emit({ type: 'order.paid', id: key })).toEqual([])
    // Another key of the same route is another run.
    const [other] = await engine.emit({ type: 'order.paid', id: 'x'.repeat(100) })
    expect(other!.runId).not.toBe(run!.runId)
    clock.advance(1000)
    const [next] = await engine.emit({ type: 'order.paid', id: key })
    expect(next!.runId).toBe(`${run!.runId}:1`)
  })

  it('dedupes on the dedupeKey value, 24 h by default, and never without an id or key', async () => {
    const { engine, clock } = testEngine()
    await engine.register(order)
    await engine.route({
      id: 'k',
      event: 'order.paid',
      workflow: 'ship',
      input: { orderId: '${ event.data.id }' },
      dedupeKey: 'event.data.id',
    })
    expect(await engine.emit({ type: 'order.paid', data: { id: 'A' }, id: 'e1' })).toHaveLength(1)
    expect(await engine.emit({ type: 'order.paid', data: { id: 'A' }, id: 'e2' })).toEqual([])
    clock.advance(24 * 60 * 60 * 1000 - 1)
    expect(await engine.emit({ type: 'order.paid', data: { id: 'A' } })).toEqual([])
    clock.advance(1)
    expect(await engine.emit({ type: 'order.paid', data: { id: 'A' } })).toHaveLength(1)

    await engine.route({ id: 'plain', event: 'tick', workflow: 'ship', input: { orderId: 't' } })
    expect(await engine.emit({ type: 'tick' })).toHaveLength(1)
    expect(await engine.emit({ type: 'tick' })).toHaveLength(1)
  })

  it('two engines on one store emitting the same event at once start it once', async () => {
    const first = testEngine()
    const second = testEngine({ store: first.store })
    await first.engine.register(order)
    const spec = { id: 'r', event: 'order.paid', workflow: 'ship', input: { orderId: 'o' } }
    await first.engine.route(spec)
    await second.engine.route(spec)
    const [a, b] = await Promise.all([
      first.engine.emit({ type: 'order.paid', id: 'same' }),
      second.engine.emit({ type: 'order.paid', id: 'same' }),
    ])
    expect([...a, ...b].map((r) => r.runId)).toEqual(['route:r:same'])
    // The engine that lost the race, and a third that never saw it, both find it started.
    expect(await second.engine.emit({ type: 'order.paid', id: 'same' })).toEqual([])
    const third = testEngine({ store: first.store })
    await third.engine.route(spec)
    expect(await third.engine.emit({ type: 'order.paid', id: 'same' })).toEqual([])
  })
})

describe('event routes in IndexedDB', () => {
  const testEngine = testEngines()
  const temp = tempStores()

  it('routes and dedupe marks outlive the engine: a later engine on the database routes and dedupes', async () => {
    const name = temp.open().name
    const first = testEngine({ store: temp.open(name) })
    await first.engine.register(order)
    await first.engine.route({
      id: 'r',
      event: 'order.*',
      workflow: 'ship',
      input: { orderId: '${ event.data.id }' },
    })
    const [run] = await first.engine.emit({ type: 'order.paid', data: { id: 'A' }, id: 'e1' })
    await first.engine.wait(run!.runId)
    await first.engine.close()

    const later = testEngine({ store: temp.open(name), clock: first.clock })
    expect((await later.engine.listRoutes()).map((r) => r.spec.event)).toEqual(['order.*'])
    expect(await later.engine.emit({ type: 'order.paid', data: { id: 'A' }, id: 'e1' })).toEqual([])
    const runs = await later.engine.emit({ type: 'order.shipped', data: { id: 'B' }, id: 'e2' })
    expect(runs.map((r) => r.runId)).toEqual(['route:r:e2'])
    expect((await later.engine.wait('route:r:e2')).input).toEqual({ orderId: 'B' })
    await later.engine.close()
  })

  it('a route added in one tab routes the events another tab emits; unroute in either removes it', async () => {
    const name = temp.open().name
    const one = testEngine({ store: temp.open(name) })
    const two = testEngine({ store: temp.open(name), clock: one.clock })
    await one.engine.register(order)
    await one.engine.route({ id: 'r', event: 'order.paid', workflow: 'ship', input: { orderId: 'o' } })
    expect(await two.engine.emit({ type: 'order.paid', id: 'x' })).toHaveLength(1)
    expect(await one.engine.emit({ type: 'order.paid', id: 'x' })).toEqual([])
    await two.engine.unroute('r')
    expect(await one.engine.listRoutes()).toEqual([])
    expect(await one.engine.emit({ type: 'order.paid', id: 'y' })).toEqual([])
    await Promise.all([one.engine.idle(), two.engine.idle()])
    await Promise.all([one.engine.close(), two.engine.close()])
  })
})

describe('event routes and authorize', () => {
  const testEngine = testEngines()

  it('asks authorize about route, unroute and each run an emit starts, as the calling principal', async () => {
    const asked: string[] = []
    const { engine } = testEngine({
      authorize: (request) => {
        asked.push(`${request.principal ?? '-'} ${request.verb} ${request.definitionId ?? ''}`.trim())
        return request.principal !== 'eve'
      },
    })
    await engine.register(order)
    const ann = engine.as('ann')
    await expect(engine.as('eve').route({ event: 'a', workflow: 'ship' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    })
    expect(await engine.listRoutes()).toEqual([])
    await ann.route({ id: 'r', event: 'a', workflow: 'ship', input: { orderId: 'o' } })
    const [run] = await ann.emit({ type: 'a' })
    expect(run!.principal).toBe('ann')
    await expect(engine.as('eve').emit({ type: 'a' })).rejects.toMatchObject({ code: 'FORBIDDEN' })
    // An event with an id is deduplicated: its run has a fixed id, and is still the caller's.
    await expect(engine.as('eve').emit({ type: 'a', id: 'e1' })).rejects.toMatchObject({ code: 'FORBIDDEN' })
    expect(await engine.getRun('route:r:e1')).toBeUndefined()
    const [keyed] = await ann.emit({ type: 'a', id: 'e1' })
    expect(keyed).toMatchObject({ runId: 'route:r:e1', principal: 'ann' })
    await expect(engine.as('eve').unroute('r')).rejects.toMatchObject({ code: 'FORBIDDEN' })
    await ann.unroute('r')
    expect(asked.filter((line) => !line.includes('register'))).toEqual([
      'eve route ship',
      'ann route ship',
      'ann start ship',
      'eve start ship',
      'eve start ship',
      'ann start ship',
      'eve unroute',
      'ann unroute',
    ])
  })
})
