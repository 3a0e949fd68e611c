import * as Comlink from 'comlink'
import { merge, type Observable, type Subscription } from 'rxjs'
import { ArgumentError, InvalidStateError } from '../src/errors'
import { type Engine, type EngineEvent, offerOnDeviceModel } from '../src/index'
import { EventBatcher } from './event-batcher'
import { EventMirror } from './event-mirror'
import { bridgedOnDeviceModel } from './on-device-bridge'
import {
  broadcastChannelName,
  type CallResult,
  type ConnectionApi,
  type ConnectMessage,
  type EngineDescription,
  FORWARDED_METHODS,
  MIGRATION_CALLS,
  type StreamMessage,
  type WorkerStats,
} from './protocol'
import { toWireError } from './wire-error'

export interface ServeOptions {
  /**
   * The `BroadcastChannel` on which this worker mirrors its events and hears those of other
   * workers on the same database, or `false` for none. Default: `spindle:<store name>` when the
   * engine tells its store name (`engine.storeName`), otherwise none.
   */
  broadcast?: string | false
}

const forwarded: ReadonlySet<string> = new Set(FORWARDED_METHODS)
let serving = false

/**
 * Serves `engine` to the pages that connect to this worker with `connectEngine(worker)`. Call it
 * once, synchronously while the worker module first runs, so no connection request arrives
 * before it listens.
 *
 * Events leave in batches (one message per task, or per 500 events), in order, none dropped.
 * Errors keep their class, `code`, `value` and `issues` on the page.
 *
 * @example
 * // my.worker.ts
 * import { createEngine, indexedDbStore } from 'spindle'
 * import { serveEngine } from 'spindle/worker'
 *
 * serveEngine(createEngine({ store: indexedDbStore({ name: 'orders' }), actions: { ship } }))
 *
 * // main.ts
 * import { connectEngine } from 'spindle/client'
 * const engine = connectEngine(new Worker(new URL('./my.worker.ts', import.meta.url), { type: 'module' }))
 */
export function serveEngine(engine: Engine, options: ServeOptions = {}): void {
  const scope = globalThis as typeof globalThis & { WorkerGlobalScope?: abstract new () => unknown }
  if (scope.WorkerGlobalScope === undefined || !(globalThis instanceof scope.WorkerGlobalScope)) {
    throw new ArgumentError(
      'serveEngine must run inside a Web Worker: on a page it would answer messages from any window. ' +
        'Call it in the worker module and connectEngine(worker) on the page.',
    )
  }
  if (serving) {
    throw new InvalidStateError(
      'serveEngine was already called in this worker: both would answer every connection. ' +
        'Serve one engine per worker; start another worker for a second engine.',
    )
  }
  const server = new EngineServer(engine, options)
  serving = true
  globalThis.addEventListener('message', (event: MessageEvent<ConnectMessage>) => {
    if (event.data?.type === 'spindle.connect' && event.data.port instanceof MessagePort) {
      const { languageModel } = event.data
      server.connect(
        event.data.port,
        event.data.lock,
        event.data.principal,
        languageModel instanceof MessagePort ? languageModel : undefined,
      )
    }
  })
}

/** One engine, the connections of the pages that use it, and the mirror to other workers. */
class EngineServer {
  readonly #engine: Engine
  readonly #mirror: EventMirror | undefined
  readonly #streams = new Set<EventStream>()
  readonly #description: EngineDescription
  readonly #stats: WorkerStats = {
    connections: 0,
    subscriptions: 0,
    batchesPosted: 0,
    eventsPosted: 0,
    eventsMirroredIn: 0,
  }

  constructor(engine: Engine, options: ServeOptions) {
    this.#engine = engine
    this.#description = describe(engine)
    const { storeName } = this.#description
    const channel = options.broadcast ?? (storeName === undefined ? false : broadcastChannelName(storeName))
    this.#mirror = channel === false ? undefined : new EventMirror(channel, engine.events$)
  }

  connect(
    port: MessagePort,
    lock: string | undefined,
    principal: unknown,
    languageModel?: MessagePort,
  ): void {
    // The connection's calls are made as its principal, named once when it opened: a call
    // carries none, so nothing sent over the connection can act as someone else.
    const acting = this.#acting(principal)
    const streams = new Map<number, EventStream>()
    this.#stats.connections++
    // The page's built-in model serves this worker's engine while the page stays connected.
    const offered = languageModel === undefined ? undefined : bridgedOnDeviceModel(languageModel)
    const withdraw = offered === undefined ? undefined : offerOnDeviceModel(offered.model)
    let connected = true
    let releaseLock: (() => void) | undefined
    // Held until the connection is dropped, or the worker ends: then the page's request gets it.
    const held = new Promise<void>((acquired) => {
      if (typeof lock !== 'string' || globalThis.navigator?.locks === undefined) return acquired()
      navigator.locks
        .request(lock, () => {
          acquired()
          return connected ? new Promise<void>((release) => (releaseLock = release)) : undefined
        })
        .catch((error: unknown) => {
          // Without the lock the page cannot tell when this worker ends; it still gets its answers.
          reportError(error)
          acquired()
        })
    })
    const api: ConnectionApi & { [Comlink.finalizer](): void } = {
      call: (method, args) => this.#call(acting, method, args),
      subscribe: (id, eventPort) => {
        streams.get(id)?.stop()
        streams.set(id, this.#subscribe(eventPort))
      },
      unsubscribe: (id) => {
        streams.get(id)?.stop()
        streams.delete(id)
      },
      close: () => this.#close(),
      describe: async () => {
        await held
        return this.#description
      },
      stats: () => ({
        ...this.#stats,
        subscriptions: this.#streams.size,
        eventsMirroredIn: this.#mirror?.received ?? 0,
      }),
      disconnect: () => drop(),
      // Comlink calls this once the page released its proxy, also when it was garbage-collected.
      [Comlink.finalizer]: () => drop(),
    }
    const drop = () => {
      if (!connected) return
      connected = false
      for (const stream of streams.values()) stream.stop()
      streams.clear()
      releaseLock?.()
      withdraw?.()
      offered?.close()
      this.#stats.connections--
    }
    Comlink.expose(api, port)
  }

  /** The engine as `principal`, or why the connection's calls fail: its principal is no good. */
  #acting(principal: unknown): Engine | { error: unknown } {
    if (principal === undefined) return this.#engine
    try {
      return this.#engine.as(principal as string)
    } catch (error) {
      return { error }
    }
  }

  async #call(engine: Engine | { error: unknown }, method: string, args: unknown[]): Promise<CallResult> {
    try {
      if ('error' in engine) throw engine.error
      const migration = /^migrations\.(\w+)$/.exec(method)?.[1]
      if (migration !== undefined && (MIGRATION_CALLS as readonly string[]).includes(migration)) {
        const value = await (engine.migrations as any)[migration](...args)
        return { ok: true, value }
      }
      if (!forwarded.has(method) || typeof (engine as any)[method] !== 'function') {
        throw new ArgumentError(
          `Unknown engine method ${JSON.stringify(method)}. Call one of: ${[...forwarded].join(', ')}.`,
          { value: method },
        )
      }
      const value = await (engine as any)[method](...args)
      return { ok: true, value }
    } catch (error) {
      return { ok: false, error: toWireError(error) }
    }
  }

  /** Closes the engine; every event subscription then gets what was buffered and its end. */
  async #close(): Promise<CallResult> {
    try {
      await this.#engine.close()
      return { ok: true, value: undefined }
    } catch (error) {
      return { ok: false, error: toWireError(error) }
    } finally {
      this.#mirror?.close()
      for (const stream of this.#streams) stream.end()
    }
  }

  #subscribe(port: MessagePort): EventStream {
    const source: Observable<EngineEvent> = this.#mirror
      ? merge(this.#engine.events$, this.#mirror.remote$)
      : this.#engine.events$
    const stream = new EventStream(port, this.#stats, () => this.#streams.delete(stream))
    this.#streams.add(stream)
    stream.start(source)
    return stream
  }
}

/** Facts an engine may tell about itself beyond the `Engine` interface. */
function describe(engine: Engine): EngineDescription {
  const facts = engine as Engine & { storeName?: unknown; actionNames?: unknown }
  const description: EngineDescription = {}
  if (typeof facts.storeName === 'string') description.storeName = facts.storeName
  if (Array.isArray(facts.actionNames)) description.actionNames = facts.actionNames.map(String)
  return description
}

/** One page subscription: events of `source` posted in batches on `port`, then an end or an error. */
class EventStream {
  readonly #port: MessagePort
  readonly #batcher: EventBatcher
  readonly #onStop: () => void
  #subscription: Subscription | undefined
  #ended = false
  #stopped = false

  constructor(port: MessagePort, stats: WorkerStats, onStop: () => void) {
    this.#port = port
    this.#onStop = onStop
    this.#batcher = new EventBatcher((events) => {
      this.#post({ type: 'spindle.events', events })
      stats.batchesPosted++
      stats.eventsPosted += events.length
    })
  }

  start(source: Observable<EngineEvent>): void {
    this.#subscription = source.subscribe({
      next: (event) => this.#batcher.push(event),
      complete: () => this.end(),
      error: (error: unknown) => this.end(error),
    })
  }

  /** Sends what is buffered and tells the page that nothing follows (`error`: why). */
  end(error?: unknown): void {
    if (this.#ended) return
    this.#ended = true
    this.#subscription?.unsubscribe()
    this.#batcher.flush()
    this.#batcher.close()
    this.#post(
      error === undefined ? { type: 'spindle.end' } : { type: 'spindle.error', error: toWireError(error) },
    )
  }

  /** The page left: drops what is buffered and closes the port. */
  stop(): void {
    if (this.#stopped) return
    this.#stopped = true
    this.#ended = true
    this.#subscription?.unsubscribe()
    this.#batcher.close()
    this.#port.close()
    this.#onStop()
  }

  #post(message: StreamMessage): void {
    this.#port.postMessage(message)
  }
}
