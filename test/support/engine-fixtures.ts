import { createEngine, type Engine, type EngineOptions, memoryStore, simulatedClock } from 'spindle'
import { afterEach } from 'vitest'
import { tryLockRun } from '../../src/host/locks'

/** An engine on a fresh memory store with a simulated clock. */
export function testEngine(options: EngineOptions = {}) {
  const clock = simulatedClock()
  const store = options.store ?? memoryStore()
  const engine = createEngine({ clock, store, recover: false, random: () => 0.5, ...options })
  return { engine, clock, store }
}

/** The engines every `testEngines` opened and has not closed yet. */
const openEngines = new Set<Engine>()

/**
 * Closes every engine `testEngines` opened that is still open. The clean-up of temporary
 * databases (`tempStores`) calls it first, whatever the order of the hooks: an engine still
 * running (leading schedules, say) would open its database again and block the deletion.
 */
export async function closeTestEngines(): Promise<void> {
  const engines = [...openEngines]
  openEngines.clear()
  await Promise.all(engines.map((e) => e.close()))
}

/** `testEngine` for a describe block: every engine it opens is closed after each test. */
export function testEngines(): typeof testEngine {
  const engines: Engine[] = []
  afterEach(async () => {
    const closing = engines.splice(0)
    for (const engine of closing) openEngines.delete(engine)
    await Promise.all(closing.map((e) => e.close()))
  })
  return (options) => {
    const made = testEngine(options)
    engines.push(made.engine)
    openEngines.add(made.engine)
    return made
  }
}

/** A 2.0 definition with the given tasks. */
export function def(tasks: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return { schemaVersion: '2.0', id: 'wf', version: '1.0.0', tasks, ...extra }
}

/** An action whose calls can be finished by hand. */
export function controllable() {
  const calls: { params: any; ctx: any; resolve(value?: unknown): void; reject(error: unknown): void }[] = []
  const handler = (params: any, ctx: any) =>
    new Promise((resolve, reject) => {
      calls.push({ params, ctx, resolve, reject })
    })
  return { handler, calls }
}

/**
 * Polls until `check` passes, a few ms of real time per try, for what no engine hook reports
 * (another engine's lock handover, a BroadcastChannel delivery, a gated store's progress).
 */
export async function until(check: () => boolean | Promise<boolean>, tries = 400): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  throw new Error('condition not met in time')
}

/** Whether nobody holds the run's Web Lock now (taken and given back at once). */
export async function lockIsFree(db: string, runId: string): Promise<boolean> {
  const lock = await tryLockRun(db, runId)
  await lock?.release()
  return lock !== undefined
}
