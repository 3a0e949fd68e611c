import type { BuiltinContext, HttpAccess } from '../../src/actions/builtin-context'
import { waitFor } from '../../src/actions/wait'
import { SecretVault } from '../../src/host/secret-vault'
import { MachineRunner } from '../../src/runtime/machine-runner'
import type { Clock } from '../../src/types'

/**
 * A built-in's context made by hand, as the runner builds one for attempt 1 of task `t` in run
 * `r`: no machines, no secrets, child runs and files refused, no network; `fields` replaces any of it.
 */
export function handContext(fields: Partial<BuiltinContext> = {}): BuiltinContext {
  return {
    machines: new MachineRunner(),
    secrets: new SecretVault(),
    files: {
      root: 'none',
      directory: () => Promise.reject(new Error('no files here')),
      exclusive: () => Promise.reject(new Error('no files here')),
    },
    models: { specs: [], onDevice: async () => ({ unavailable: 'no models here' }) },
    runs: { start: () => Promise.reject(new Error('no child runs here')) },
    http: noNetwork,
    signal: new AbortController().signal,
    attempt: 1,
    idempotencyKey: 'r:t',
    runId: 'r',
    taskId: 't',
    state: { get: () => undefined, set: () => {} },
    progress: () => {},
    log: () => {},
    now: () => 0,
    waitFor,
    ...fields,
  }
}

/** An `http` capability that allows no origin and whose fetch rejects, for contexts made by hand. */
export const noNetwork: HttpAccess = {
  allow: [],
  headers: {},
  fetch: () => Promise.reject(new TypeError('no network here')),
  after: () => () => {},
}

/** `noNetwork` whose timers (`after`, e.g. an `ai` task's `timeoutMs`) run on `clock`. */
export function noNetworkOn(clock: Clock): HttpAccess {
  return {
    ...noNetwork,
    after: (ms, callback) => {
      const handle = clock.setTimeout(callback, ms)
      return () => clock.clearTimeout(handle)
    },
  }
}
