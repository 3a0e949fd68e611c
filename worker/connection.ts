import * as Comlink from 'comlink'
import { Observable } from 'rxjs'
import { ArgumentError, EngineClosedError, type SpindleError, WorkerUnavailableError } from '../src/errors'
import type { EngineEvent } from '../src/types'
import { checkCallArguments } from './call-arguments'
import { clientCounters } from './client-counters'
import type {
  CallResult,
  ConnectionApi,
  ConnectMessage,
  EngineDescription,
  StreamMessage,
  WorkerStats,
} from './protocol'
import { fromWireError } from './wire-error'
import { WorkerWatch } from './worker-watch'

/**
 * The page's end of one connection to a worker running `serveEngine`: calls go over a dedicated
 * `MessagePort` with Comlink, each event subscription gets a port of its own.
 *
 * A worker that does not answer its first call within `startTimeoutMs`, fires `error`, or ends
 * (see `WorkerWatch`) makes the connection unavailable: every call waiting on it, every later
 * call and every event subscription fail with `WorkerUnavailableError`.
 */
export class Connection {
  readonly #worker: Worker
  readonly #ownsWorker: boolean
  readonly #port: MessagePort
  readonly #remote: Comlink.Remote<ConnectionApi>
  /** Open event subscriptions, each settled when it ends. */
  readonly #streams = new Set<Promise<void>>()
  /** How to fail each call and subscription still waiting on the worker. */
  readonly #waiting = new Set<(error: SpindleError) => void>()
  readonly #ready: Promise<EngineDescription | undefined>
  readonly #watch: WorkerWatch
  #nextSubscription = 1
  #released = false
  #description: EngineDescription | undefined
  #unavailable: WorkerUnavailableError | undefined
  #closing: Promise<void> | undefined

  /**
   * @param options.preload settles before the first call is sent (with the worker's first answer);
   *   must not reject
   */
  constructor(
    worker: Worker,
    ownsWorker: boolean,
    {
      startTimeoutMs,
      preload,
      principal,
      languageModel,
    }: {
      startTimeoutMs: number
      preload?: () => Promise<void>
      principal?: string
      languageModel?: MessagePort
    },
  ) {
    this.#worker = worker
    this.#ownsWorker = ownsWorker
    const { port1, port2 } = new MessageChannel()
    clientCounters.channelsOpened++
    const lock = `spindle:connection:${crypto.randomUUID()}`
    const connect: ConnectMessage = {
      type: 'spindle.connect',
      port: port2,
      lock,
      ...(principal !== undefined && { principal }),
      ...(languageModel !== undefined && { languageModel }),
    }
    worker.postMessage(connect, languageModel === undefined ? [port2] : [port2, languageModel])
    this.#port = port1
    this.#remote = Comlink.wrap<ConnectionApi>(port1)
    this.#watch = new WorkerWatch(worker, lock, startTimeoutMs, (error) => this.#fail(error))
    this.#ready = this.#guard(Promise.all([this.#remote.describe(), preload?.()])).then(
      ([description]) => {
        this.#description = description
        this.#watch.answered()
        return description
      },
      // A lost worker's error reaches every call through #guard; any other failure loses it here.
      (error: unknown) => {
        if (!(error instanceof WorkerUnavailableError)) {
          this.#fail(
            new WorkerUnavailableError(
              `The engine worker failed its first call (${String(error)}). Does it run serveEngine ` +
                'from this version of spindle/worker?',
              { cause: error },
            ),
          )
        }
        return undefined
      },
    )
  }

  /** What the worker told about its engine; undefined until its first answer arrives. */
  get description(): EngineDescription | undefined {
    return this.#description
  }

  /** Why the worker cannot be reached, once it cannot. */
  get unavailable(): WorkerUnavailableError | undefined {
    return this.#unavailable
  }

  get closed(): boolean {
    return this.#closing !== undefined
  }

  /** Calls `engine[method](...args)` in the worker; rejects with the worker's error, rebuilt. */
  async call(method: string, args: unknown[]): Promise<unknown> {
    if (this.closed) throw new EngineClosedError()
    checkCallArguments(method, args)
    let result: CallResult
    try {
      result = await this.#send<CallResult>(() => this.#remote.call(method, args))
    } catch (error) {
      if (error instanceof DOMException && error.name === 'DataCloneError') {
        throw new ArgumentError(
          `The arguments of ${method}() cannot be sent to the worker: ${error.message} ` +
            'Pass plain data (objects, arrays, strings, numbers, booleans, null, Date, Map, Set); ' +
            'actions are registered in the worker by name, never passed as functions.',
          { value: args, cause: error },
        )
      }
      throw error
    }
    if (!result.ok) throw fromWireError(result.error)
    return result.value
  }

  /**
   * Every event the worker sees. Each subscription opens its own worker subscription: share the
   * result to keep one. Completes when the engine closes.
   */
  events(): Observable<EngineEvent> {
    return new Observable<EngineEvent>((subscriber) => {
      if (this.closed || this.#unavailable) {
        subscriber.error(this.#unavailable ?? new EngineClosedError())
        return
      }
      const id = this.#nextSubscription++
      const { port1, port2 } = new MessageChannel()
      clientCounters.channelsOpened++
      let settle!: () => void
      const settled = new Promise<void>((resolve) => (settle = resolve))
      this.#streams.add(settled)
      const fail = (error: SpindleError) => subscriber.error(error)
      this.#waiting.add(fail)
      port1.onmessage = ({ data }: MessageEvent<StreamMessage>) => {
        switch (data.type) {
          case 'spindle.events':
            clientCounters.batchesReceived++
            clientCounters.eventsReceived += data.events.length
            for (const event of data.events) subscriber.next(event)
            break
          case 'spindle.end':
            subscriber.complete()
            break
          case 'spindle.error':
            subscriber.error(fromWireError(data.error))
            break
        }
      }
      this.#send(() => this.#remote.subscribe(id, Comlink.transfer(port2, [port2]))).catch((error) =>
        subscriber.error(error),
      )
      return () => {
        settle()
        this.#streams.delete(settled)
        this.#waiting.delete(fail)
        port1.onmessage = null
        port1.close()
        clientCounters.channelsClosed++
        // Once the connection is released (or the worker is gone) the worker keeps nothing of it.
        if (!this.#released && !this.#unavailable) {
          this.#send(() => this.#remote.unsubscribe(id)).catch(reportUnlessUnavailable)
        }
      }
    })
  }

  stats(): Promise<WorkerStats> {
    if (this.closed) return Promise.reject(new EngineClosedError())
    return this.#send(() => this.#remote.stats())
  }

  /**
   * Closes the engine in the worker and this connection; terminates the worker when the
   * connection created it. Event subscribers get every event published before and complete.
   * Calling it again returns the same promise. A worker already unavailable has nothing to close.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close()
    return this.#closing
  }

  async #close(): Promise<void> {
    // Subscriptions still open get the worker's last batch and its end before close() resolves.
    const streams = [...this.#streams]
    try {
      if (!this.#unavailable) {
        const result = await this.#send<CallResult>(() => this.#remote.close())
        if (!result.ok) throw fromWireError(result.error)
      }
    } catch (error) {
      if (!(error instanceof WorkerUnavailableError)) throw error
    } finally {
      await Promise.all(streams)
      // The worker frees the connection's lock when it drops it: that is no longer news.
      this.#watch.stop()
      if (!this.#unavailable) await this.#guard(this.#remote.disconnect()).catch(reportUnlessUnavailable)
      // Releasing tells the worker to drop this connection; Comlink closes the port once the
      // worker acknowledges, which a terminated or lost worker never does: close it here then.
      this.#released = true
      // The worker answers nothing more on this connection: calls it still held end here.
      this.#settleWaiting(new EngineClosedError())
      this.#remote[Comlink.releaseProxy]()
      clientCounters.channelsClosed++
      if (this.#ownsWorker) this.#worker.terminate()
      if (this.#ownsWorker || this.#unavailable) this.#port.close()
    }
  }

  /**
   * `send()` once the worker has answered its first call, or the connection's failure if the
   * worker becomes unavailable first. Waiting for that answer puts the watch on the worker's lock
   * in place before anything else is sent, so a worker that ends mid-call is always noticed.
   */
  async #send<T>(send: () => Promise<T>): Promise<T> {
    await this.#ready
    return this.#guard(send())
  }

  /** `promise`, or the connection's failure if the worker becomes unavailable first. */
  #guard<T>(promise: Promise<T>): Promise<T> {
    if (this.#unavailable) return Promise.reject(this.#unavailable)
    return new Promise<T>((resolve, reject) => {
      this.#waiting.add(reject)
      promise.then(
        (value) => {
          this.#waiting.delete(reject)
          resolve(value)
        },
        (error: unknown) => {
          this.#waiting.delete(reject)
          reject(error)
        },
      )
    })
  }

  #fail(error: WorkerUnavailableError): void {
    if (this.#unavailable || this.#released) return
    this.#unavailable = error
    this.#watch.stop()
    this.#settleWaiting(error)
    if (this.#ownsWorker) this.#worker.terminate()
  }

  #settleWaiting(error: SpindleError): void {
    const waiting = [...this.#waiting]
    this.#waiting.clear()
    for (const fail of waiting) fail(error)
  }
}

function reportUnlessUnavailable(error: unknown): void {
  if (!(error instanceof WorkerUnavailableError)) reportError(error)
}
