import type { OnDeviceModel } from '../actions/builtin-context'

/*
 * Chrome's built-in model is a page global that dedicated workers lack: the pages connected to a
 * worker offer theirs (connectEngine → serveEngine), and the worker's engine reads the offers
 * here. The list lives on globalThis under a registered symbol, so that the worker entry and the
 * engine agree on it even when a bundler gives each its own copy of this module.
 */
const KEY = Symbol.for('spindle.offeredOnDeviceModels')

function offers(): Set<OnDeviceModel> {
  const scope = globalThis as { [KEY]?: Set<OnDeviceModel> }
  scope[KEY] ??= new Set()
  return scope[KEY]
}

/**
 * Offers a page's on-device model to the engines of this realm; the function returned
 * withdraws it (the page disconnected or closed).
 */
export function offerOnDeviceModel(model: OnDeviceModel): () => void {
  offers().add(model)
  return () => {
    offers().delete(model)
  }
}

/** The on-device models pages offer now, the earliest offer first. */
export function offeredOnDeviceModels(): OnDeviceModel[] {
  return [...offers()]
}
