/** A worker serving the scripted engine of `fake-engine.worker.ts`; `storeName` names its BroadcastChannel. */
export function fakeEngineWorker(storeName = `fake-${crypto.randomUUID()}`): Worker {
  return new Worker(new URL('./fake-engine.worker.ts', import.meta.url), { type: 'module', name: storeName })
}
