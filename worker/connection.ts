import * as Comlink from 'comlink'
import { Observable } from 'rxjs'
import { ArgumentError, EngineClosedError } from '../src/errors'
import type { WorkflowEvent } from '../src/types'
import { clientCounters } from './instrumentation'
import type { ConnectionApi, ConnectMessage, EngineDescription, StreamMessage, WorkerStats } from './protocol'
import { fromWireError } from './wire-error'

/**
 * The page's end of one connection to a worker running `serveEngine`: calls go over a dedicated
 * `MessagePort` with Comlink, each event subscription gets a port of its own.
 */
export class Connection {
  readonly #worker: Worker
  readonly #ownsWorker: boolean
  readonly #port: MessagePort
  readonly #remote: Comlink.Remote<ConnectionApi>
  /** Open event subscriptions, each settled when it ends. */
  readonly #streams = new Set<Promise<void>>()
  #nextSubscription = 1
  #released = false
  #description: EngineDescription | undefined
  #closing: Promise<void> | undefined

  constructor(worker: Worker, ownsWorker: boolean) {
    this.#worker = worker
    this.#ownsWorker = ownsWorker
    const { port1, port2 } = new MessageChannel()
    clientCounters.channelsOpened++
    const connect: ConnectMessage = { type: 'spindle.connect', port: port2 }
    worker.postMessage(connect, [port2])
    this.#port = port1
    this.#remote = Comlink.wrap<ConnectionApi>(port1)
    this.#remote.describe().then((description) => (this.#description = description), reportError)
  }

  /** What the worker told about its engine; undefined until its first answer arrives. */
  get description(): EngineDescription | undefined {
    return this.#description
  }

  get closed(): boolean {
    return this.#closing !== undefined
  }

  /** Calls `engine[method](...args)` in the worker; rejects with the worker's error, rebuilt. */
  async call(method: string, args: unknown[]): Promise<unknown> {
    if (this.closed) throw new EngineClosedError()
    let result: Awaited<ReturnType<ConnectionApi['call']>>
    try {
      result = await this.#remote.call(method, args)
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
  events(): Observable<WorkflowEvent> {
    return new Observable<WorkflowEvent>((subscriber) => {
      if (this.closed) {
        subscriber.error(new EngineClosedError())
        return
      }
      const id = this.#nextSubscription++
      const { port1, port2 } = new MessageChannel()
      clientCounters.channelsOpened++
      let settle!: () => void
      const settled = new Promise<void>((resolve) => (settle = resolve))
      this.#streams.add(settled)
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
      this.#remote.subscribe(id, Comlink.transfer(port2, [port2])).catch((error) => subscriber.error(error))
      return () => {
        settle()
        this.#streams.delete(settled)
        port1.onmessage = null
        port1.close()
        clientCounters.channelsClosed++
        // Once the connection is released the worker drops its subscriptions by itself.
        if (!this.#released) this.#remote.unsubscribe(id).catch(reportError)
      }
    })
  }

  stats(): Promise<WorkerStats> {
    if (this.closed) return Promise.reject(new EngineClosedError())
    return this.#remote.stats()
  }

  /**
   * Closes the engine in the worker and this connection; terminates the worker when the
   * connection created it. Event subscribers get every event published before and complete.
   * Calling it again returns the same promise.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close()
    return this.#closing
  }

  async #close(): Promise<void> {
    // Subscriptions still open get the worker's last batch and its end before close() resolves.
    const streams = [...this.#streams]
    try {
      const result = await this.#remote.close()
      if (!result.ok) throw fromWireError(result.error)
    } finally {
      await Promise.all(streams)
      await this.#remote.disconnect()
      // Releasing tells the worker to drop this connection; Comlink closes the port once the
      // worker acknowledges, which a terminated worker never does, so close it here in that case.
      this.#released = true
      this.#remote[Comlink.releaseProxy]()
      clientCounters.channelsClosed++
      if (this.#ownsWorker) {
        this.#worker.terminate()
        this.#port.close()
      }
    }
  }
}
