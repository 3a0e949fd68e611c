import type { Engine, WorkflowDefinition } from 'spindle'

/** The `spindle` module. */
export type Spindle = typeof import('spindle')

/**
 * Loads `spindle` apart from the baseline, so the baseline still runs when the engine does not
 * build. Resolves to the reason when it cannot run the engine.
 */
export async function loadEngine(): Promise<Spindle | string> {
  try {
    const spindle = await import('spindle')
    return typeof spindle.createEngine === 'function' ? spindle : "'spindle' does not export createEngine"
  } catch (error) {
    return `'spindle' failed to load: ${error instanceof Error ? error.message : String(error)}`
  }
}

/** An engine on a fresh memory store with the definition registered: the part left out of the timing. */
export async function prepareEngine(spindle: Spindle, definition: WorkflowDefinition): Promise<Engine> {
  const engine = spindle.createEngine({ store: spindle.memoryStore(), recover: false })
  await engine.register(definition)
  return engine
}

/** Starts one run of the definition and waits for it to finish; throws unless it completed. */
export async function runEngine(engine: Engine, definitionId: string): Promise<void> {
  const run = await engine.start(definitionId)
  const view = await engine.wait(run.runId, { timeoutMs: 600_000 })
  if (view.status !== 'completed') {
    const why = view.error ? `${view.error.code}: ${view.error.message}` : 'no error recorded'
    throw new Error(`run ${run.runId} of ${definitionId} ended ${view.status} (${why})`)
  }
}
