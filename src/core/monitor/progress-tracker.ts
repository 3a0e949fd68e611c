import type { Progress, RunState, RunStatus, TaskRef, TaskState, WorkflowEvent } from '../../types'

type Row = Progress['tasks'][number]

/**
 * Follows one run's progress from its events, doing work per changed task rather than per task:
 * `computeProgress` per update makes following a run of n tasks O(n²). Each event names the task
 * it changes; events that change many tasks at once (cancel, failure, rollback, resume, recovery),
 * a change of the run's status and a new state object make it read every task again.
 *
 * Its values equal `computeProgress(state, names, now)` at each call. A value handed out is never
 * changed afterwards: a changed row is a new object, and each value has its own `tasks` array.
 *
 * @example
 * const tracker = new ProgressTracker(names)
 * events$.subscribe((event) => tracker.note(event))
 * // after each burst of events:
 * const progress = tracker.progress(state, clock.now())
 */
export class ProgressTracker {
  readonly #names: ReadonlyMap<string, string | undefined> | undefined
  #rows: Row[] = []
  readonly #index = new Map<string, number>()
  /** Per row: counted as done (completed, skipped, failed and continued past). */
  #done: boolean[] = []
  /** Rows of running tasks, with what their duration grows from. */
  readonly #running = new Map<number, { startedAt?: number }>()
  #completed = 0
  #status: RunStatus | undefined
  #state: RunState | undefined
  #changed = new Set<string>()
  #all = true

  constructor(names?: ReadonlyMap<string, string | undefined>) {
    this.#names = names
  }

  /** Takes note of an event of the run: the next `progress` reads the tasks it changed. */
  note(event: WorkflowEvent): void {
    if (this.#all) return
    if ('taskId' in event) this.#changed.add(event.taskId)
    else if (!QUIET.has(event.type)) this.#all = true
  }

  /** Reads every task again at the next `progress` (after a gap, a reload). */
  invalidate(): void {
    this.#all = true
  }

  /** The run's progress now: the changes noted since the last call applied. */
  progress(state: RunState, now?: number): Progress {
    // Another state object (a run restored again) or another status: many tasks may have changed.
    if (this.#all || state !== this.#state || state.status !== this.#status) this.#readAll(state)
    else for (const id of this.#changed) this.#read(state, id)
    this.#changed.clear()
    this.#all = false
    this.#state = state
    this.#status = state.status
    const tasks = this.#rows.slice()
    const running: TaskRef[] = []
    for (const i of [...this.#running.keys()].sort((a, b) => a - b)) {
      const row = tasks[i]!
      const { startedAt } = this.#running.get(i)!
      const ref: TaskRef = { id: row.id }
      const name = this.#names?.get(row.id)
      if (name !== undefined) ref.name = name
      if (startedAt !== undefined) {
        ref.startedAt = startedAt
        if (now !== undefined && now > startedAt)
          tasks[i] = { ...row, durationMs: row.durationMs + now - startedAt }
      }
      running.push(ref)
    }
    const total = tasks.length
    const percent = total === 0 ? 100 : Math.floor((this.#completed * 100) / total)
    return {
      runId: state.runId,
      status: state.status,
      completed: this.#completed,
      total,
      percent,
      running,
      tasks,
    }
  }

  #readAll(state: RunState): void {
    this.#rows = []
    this.#done = []
    this.#index.clear()
    this.#running.clear()
    this.#completed = 0
    for (const id in state.tasks) {
      this.#index.set(id, this.#rows.length)
      this.#rows.push({ id, status: 'pending', attempts: 0, durationMs: 0 })
      this.#done.push(false)
      this.#set(this.#rows.length - 1, id, state.tasks[id]!)
    }
  }

  #read(state: RunState, id: string): void {
    const i = this.#index.get(id)
    const task = state.tasks[id]
    if (i !== undefined && task) this.#set(i, id, task)
  }

  #set(i: number, id: string, task: TaskState): void {
    const { status } = task
    const done =
      status === 'completed' || status === 'skipped' || (status === 'failed' && task.continued === true)
    if (done !== this.#done[i]) {
      this.#completed += done ? 1 : -1
      this.#done[i] = done
    }
    if (status === 'running') this.#running.set(i, { startedAt: task.startedAt })
    else this.#running.delete(i)
    const row = this.#rows[i]!
    if (row.status !== status || row.attempts !== task.attempts || row.durationMs !== task.runMs) {
      this.#rows[i] = { id, status, attempts: task.attempts, durationMs: task.runMs }
    }
  }
}

/** Run-level events that change no task's row. */
const QUIET = new Set<string>([
  'workflow.queued',
  'workflow.started',
  'workflow.paused',
  'checkpoint.saved',
  'signal.received',
])
