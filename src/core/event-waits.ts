import type { CompiledWorkflow, RunState, SignalWait } from '../types'

/** How long an emitted event is kept for the waits that begin after it (the default dedupe window). */
export const EVENT_LOG_TTL_MS = 24 * 60 * 60 * 1000

/** One `wait-for-event` task of a run waiting for emitted events (it has a `match`). */
export interface OpenEventWait {
  taskId: string
  attempt: number
  /** The event type it waits for. */
  type: string
  match: string
}

/** The key of an emitted event, in the log and in `RunState.consumedEvents`. */
export function eventKey(type: string, id: string): string {
  return `${type}\u0000${id}`
}

function isEventWait(wait: unknown): wait is SignalWait & { match: string } {
  const w = wait as SignalWait | undefined
  return w?.kind === 'signal' && typeof w.match === 'string'
}

/** Per workflow: its `wait-for-event` tasks with a `match`, in definition order. */
const matchTasks = new WeakMap<CompiledWorkflow, readonly string[]>()

/**
 * The tasks of `wf` that may wait for emitted events, found once per workflow: what is read on
 * every commit of a run is these few, never every task.
 */
function eventWaitTasks(wf: CompiledWorkflow): readonly string[] {
  let ids = matchTasks.get(wf)
  if (ids === undefined) {
    const tasks = wf.definition.tasks
    ids = wf.order.filter((id) => {
      const task = tasks[id]
      const params = task?.params as Record<string, unknown> | undefined
      return task?.action === 'wait-for-event' && params?.match !== undefined
    })
    matchTasks.set(wf, ids)
  }
  return ids
}

/** The run's waiting tasks an emitted event may end, in definition order (the order they take events). */
export function openEventWaits(s: RunState, wf: CompiledWorkflow): OpenEventWait[] {
  const open: OpenEventWait[] = []
  if (s.status !== 'running' && s.status !== 'paused') return open
  for (const taskId of eventWaitTasks(wf)) {
    const t = s.tasks[taskId]!
    if (t.status === 'waiting' && isEventWait(t.wait))
      open.push({ taskId, attempt: t.attempts, type: t.wait.name, match: t.wait.match })
  }
  return open
}

/**
 * The event types the run's open waits take, sorted, without repeats; `undefined` when none.
 * The run record carries them (`RunRecord.eventWaits`, an index), so `emit` finds the runs an
 * event is for without reading any other run.
 */
export function eventWaitTypes(s: RunState, wf: CompiledWorkflow): string[] | undefined {
  if (s.status !== 'running' && s.status !== 'paused') return undefined
  let types: Set<string> | undefined
  for (const id of eventWaitTasks(wf)) {
    const t = s.tasks[id]!
    if (t.status !== 'waiting' || !isEventWait(t.wait)) continue
    types ??= new Set()
    types.add(t.wait.name)
  }
  return types && [...types].sort()
}

/**
 * Whether the emitted event `key` (of type `type`) may end the wait of task `taskId`: the task
 * waits for that type with a `match`, and no wait of the run took the event before.
 */
export function takesEvent(s: RunState, taskId: string, key: string): boolean {
  const t = s.tasks[taskId]
  if (t === undefined || t.status !== 'waiting' || !isEventWait(t.wait)) return false
  return key.startsWith(`${t.wait.name}\u0000`) && s.consumedEvents?.[key] === undefined
}

/**
 * Notes that a wait took the event `key` emitted at `eventAt`; forgets those older than the log
 * keeps (they can never be delivered again). Time comes from the event, so a replay does the same.
 */
export function consumeEvent(s: RunState, key: string, eventAt: number, at: number): void {
  s.consumedEvents ??= {}
  const consumed = s.consumedEvents
  for (const old in consumed) if (consumed[old]! + EVENT_LOG_TTL_MS <= at) delete consumed[old]
  consumed[key] = eventAt
}
