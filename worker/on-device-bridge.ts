import * as Comlink from 'comlink'
// From their own modules, not '../src/index': the page entry must not pull in the engine.
import type { OnDeviceModel, OnDevicePrompt } from '../src/actions/builtin-context'
import { languageModelAdapter, languageModelGlobal } from '../src/actions/language-model-adapter'

/**
 * What a page exposes to its worker for Chrome's built-in model, over a port of its own: plain
 * data and a proxied `onText` cross; an `AbortSignal` cannot, so a prompt has an id to abort.
 */
export interface OnDeviceBridge {
  availability(): Promise<string>
  prompt(request: OnDevicePrompt, id: string, onText?: (text: string) => void): Promise<string>
  abort(id: string): void
}

/**
 * The page side: when this page has `LanguageModel`, a port that serves it to a worker (to be
 * transferred in the connect message); otherwise undefined. When the worker side closes the
 * bridge, every prompt still running on the page is aborted (its session destroyed).
 */
export function offerPageLanguageModel(): MessagePort | undefined {
  const api = languageModelGlobal()
  if (api === undefined) return undefined
  const model = languageModelAdapter(api)
  const prompts = new Map<string, AbortController>()
  const bridge: OnDeviceBridge & { [Comlink.finalizer](): void } = {
    availability: () => model.availability(),
    async prompt(request, id, onText) {
      const controller = new AbortController()
      prompts.set(id, controller)
      // onText is the worker's callback, proxied: each call is a message, answered by a promise.
      const report = onText && ((text: string) => Promise.resolve(onText(text)).catch(reportError))
      try {
        return await model.prompt(request, controller.signal, report)
      } finally {
        prompts.delete(id)
        ;(onText as Partial<Comlink.Remote<unknown>> | undefined)?.[Comlink.releaseProxy]?.()
      }
    },
    abort(id) {
      prompts.get(id)?.abort(new DOMException('The worker aborted the prompt.', 'AbortError'))
    },
    // Comlink calls this when the worker side releases its proxy (close()): no one waits any more.
    [Comlink.finalizer]() {
      for (const controller of prompts.values()) {
        controller.abort(new DOMException('The worker closed the bridge to this page.', 'AbortError'))
      }
    },
  }
  const { port1, port2 } = new MessageChannel()
  Comlink.expose(bridge, port1)
  return port2
}

/**
 * The worker side: the page's model behind `port` as an {@link OnDeviceModel}. An abort
 * rejects at once with the signal's reason and tells the page to stop the prompt; `close()`
 * (the page disconnected) rejects every call still waiting for it (prompts and availability()),
 * which would never settle, and tells the page to stop its prompts.
 */
export function bridgedOnDeviceModel(port: MessagePort): { model: OnDeviceModel; close(): void } {
  const remote = Comlink.wrap<OnDeviceBridge>(port)
  const waiting = new Set<(error: Error) => void>()
  let closed = false
  const gone = () => new Error('The page that lent its LanguageModel disconnected.')
  // Comlink's release drops the listeners of calls in flight: without this they never settle.
  const untilClosed = <T>(answer: Promise<T>) =>
    new Promise<T>((resolve, reject) => {
      waiting.add(reject)
      // Settles the promise returned above, which carries any failure: this chain cannot reject.
      void answer.then(resolve, reject).finally(() => waiting.delete(reject))
    })
  const model: OnDeviceModel = {
    availability: () => (closed ? Promise.reject(gone()) : untilClosed(remote.availability())),
    prompt(request, signal, onText) {
      signal.throwIfAborted()
      if (closed) return Promise.reject(gone())
      const id = crypto.randomUUID()
      const answer = remote.prompt(request, id, onText === undefined ? undefined : Comlink.proxy(onText))
      return new Promise<string>((resolve, reject) => {
        const onAbort = () => {
          reject(signal.reason)
          remote.abort(id).catch(reportError)
        }
        signal.addEventListener('abort', onAbort, { once: true })
        // As above: untilClosed's failure goes to reject, so this chain cannot reject.
        void untilClosed(answer)
          .then(resolve, reject)
          .finally(() => signal.removeEventListener('abort', onAbort))
      })
    },
  }
  return {
    model,
    close: () => {
      closed = true
      for (const reject of waiting) reject(gone())
      waiting.clear()
      remote[Comlink.releaseProxy]()
      port.close()
    },
  }
}
