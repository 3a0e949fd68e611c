import { assign, createActor, setup, toPromise } from 'xstate'
import type { BaselineGraph } from './baseline'

/**
 * The floor of the engine's design: one XState actor per run, fed by plain promises. Each task is
 * an async no-op whose completion is an event to the actor; the actor counts the task's
 * dependents down and starts those that reach 0, and reaches its final state when every task has
 * finished. No store, no journal, no events, no definition: what an actor per run costs at all.
 */
interface FloorContext {
  readonly graph: BaselineGraph
  /** Ends the run with a failure (a promise that should not reject did). */
  readonly fail: (error: unknown) => void
  /** Unfinished dependencies per task; owned by this run and counted down in place. */
  readonly waiting: Int32Array
  left: number
}

type FloorEvent = { type: 'task.done'; task: number }

interface FloorInput {
  readonly graph: BaselineGraph
  readonly fail: (error: unknown) => void
}

const floorMachine = setup({
  types: {
    context: {} as FloorContext,
    input: {} as FloorInput,
    events: {} as FloorEvent,
  },
  actions: {
    startRoots: ({ context, self }) => {
      for (let task = 0; task < context.graph.size; task++) {
        if (context.waiting[task] === 0) startTask(task, self, context.fail)
      }
    },
    // Copying the counters on every event would make the floor quadratic in the run's size, which
    // no real runner pays: the run owns its counters and counts them down in place.
    releaseDependents: ({ context, event, self }) => {
      for (const child of context.graph.children[event.task]!) {
        if (--context.waiting[child]! === 0) startTask(child, self, context.fail)
      }
    },
    countDone: assign({ left: ({ context }) => context.left - 1 }),
  },
  guards: {
    allDone: ({ context }) => context.left === 0,
  },
}).createMachine({
  id: 'xstate-floor',
  context: ({ input }) => ({
    graph: input.graph,
    fail: input.fail,
    waiting: input.graph.inDegree.slice(),
    left: input.graph.size,
  }),
  initial: 'running',
  states: {
    running: {
      entry: 'startRoots',
      always: { guard: 'allDone', target: 'done' },
      on: { 'task.done': { actions: ['countDone', 'releaseDependents'] } },
    },
    done: { type: 'final' },
  },
})

function startTask(
  task: number,
  actor: { send: (event: FloorEvent) => void },
  fail: (error: unknown) => void,
): void {
  noop().then(() => actor.send({ type: 'task.done', task }), fail)
}

async function noop(): Promise<undefined> {
  return undefined
}

/** Runs the graph on a fresh actor; resolves when the actor reaches its final state. */
export async function runXStateFloor(graph: BaselineGraph): Promise<void> {
  let failed: (error: unknown) => void = () => {}
  const failure = new Promise<never>((_, reject) => {
    failed = reject
  })
  const actor = createActor(floorMachine, { input: { graph, fail: (error) => failed(error) } })
  const done = toPromise(actor)
  actor.start()
  try {
    await Promise.race([done, failure])
  } finally {
    actor.stop()
  }
}
