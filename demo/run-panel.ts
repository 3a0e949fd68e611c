import { defer, filter, type Observable, repeat, Subscription, share, take } from 'rxjs'
import { type Engine, isRunEvent, type Progress, type RunStatus, type WorkflowEvent } from 'spindle'
import { el } from './element'
import { EventLog } from './event-log'
import { errorText } from './format'
import { RunControls } from './run-controls'
import { RunGraph } from './run-graph'
import { RunSummary } from './run-summary'
import { RunTimeline } from './run-timeline'
import { TaskInspector } from './task-inspector'
import { TaskList } from './task-list'
import './run-panel.css'

/**
 * Re-subscribes to a run's `progress$` or `health$` when the run moves again after they
 * completed: both complete at a terminal status, and `retryTask` brings a failed run back.
 */
function whileTheRunMoves<T>(
  stream: () => Observable<T>,
  runEvents$: Observable<WorkflowEvent>,
): Observable<T> {
  return defer(stream).pipe(repeat({ delay: () => runEvents$.pipe(take(1)) }))
}

/** The selected run: summary, controls, task list and event log, kept live from the engine's streams. */
export class RunPanel {
  readonly #engine: Engine
  readonly #root: HTMLElement
  readonly #onForked: (runId: string) => void
  #subscription = new Subscription()

  /** `onForked`: shows another run (one forked from a checkpoint, or a child run). */
  constructor(engine: Engine, root: HTMLElement, onForked: (runId: string) => void) {
    this.#engine = engine
    this.#root = root
    this.#onForked = onForked
    this.#root.replaceChildren(el('p', { class: 'empty' }, 'Start a sample or pick a run to follow it here.'))
  }

  /** Follows `runId`, dropping the run shown before. */
  async show(runId: string): Promise<void> {
    this.#subscription.unsubscribe()
    const subscription = new Subscription()
    this.#subscription = subscription
    this.#root.dataset.runId = runId
    delete this.#root.dataset.status
    try {
      await this.#follow(runId, subscription)
    } catch (error) {
      if (!subscription.closed) this.#fail(error)
    }
  }

  async #follow(runId: string, subscription: Subscription): Promise<void> {
    const engine = this.#engine
    const view = await engine.getRun(runId)
    if (subscription.closed) return
    if (!view) {
      this.#root.replaceChildren(el('p', { class: 'empty' }, `Run ${runId} is not in this database.`))
      return
    }
    const definition = await engine.getDefinition(view.definitionId, view.version)
    if (subscription.closed) return
    const summary = new RunSummary(view, definition)
    const controls = new RunControls(engine, runId, this.#onForked)
    const tasks = new TaskList(view, definition)
    const inspector = new TaskInspector(engine, runId, definition, this.#onForked)
    const graph = new RunGraph(view, definition, (taskId) => {
      inspector.show(taskId).catch((error: unknown) => this.#fail(error))
    })
    const log = new EventLog(engine, runId)
    const timeline = new RunTimeline(definition)
    this.#root.replaceChildren(
      summary.element,
      controls.element,
      graph.element,
      inspector.element,
      timeline.element,
      el('div', { class: 'run-body' }, tasks.element, log.element),
    )
    this.#root.dataset.status = view.status
    controls.update(view.progress)

    const runEvents$ = engine.events$.pipe(
      filter((event): event is WorkflowEvent => isRunEvent(event) && event.runId === runId),
      share(),
    )
    const apply = (event: WorkflowEvent) => {
      if (!log.add(event)) return
      tasks.observe(event)
      graph.observe(event)
      inspector.observe(event)
      timeline.add(event)
    }
    // Live events that arrive while the journal is read wait for it, so the log stays in order.
    let backlog: WorkflowEvent[] | undefined = []
    const onError = (error: unknown) => this.#fail(error)
    subscription.add(
      runEvents$.subscribe({
        next: (event) => (backlog ? backlog.push(event) : apply(event)),
        error: onError,
      }),
    )

    let status: RunStatus = view.status
    const onProgress = (progress: Progress) => {
      summary.progress(progress)
      tasks.update(progress)
      graph.update(progress)
      controls.update(progress)
      inspector.update(progress)
      this.#root.dataset.status = progress.status
      if (progress.status === status) return
      status = progress.status
      engine.getRun(runId).then((fresh) => {
        if (fresh && !subscription.closed) summary.view(fresh)
      }, onError)
    }
    subscription.add(
      whileTheRunMoves(() => engine.progress$(runId), runEvents$).subscribe({
        next: onProgress,
        error: onError,
      }),
    )
    subscription.add(
      whileTheRunMoves(() => engine.health$(runId), runEvents$).subscribe({
        next: (health) => summary.health(health),
        error: onError,
      }),
    )

    const history = await engine.history(runId)
    if (subscription.closed) return
    for (const event of history) apply(event)
    const live = backlog
    backlog = undefined
    for (const event of live) apply(event)
  }

  /** Shows what went wrong above the run, replacing the previous message. */
  #fail(error: unknown): void {
    const message =
      this.#root.querySelector('[data-testid="panel-error"]') ??
      el('p', { class: 'control-message', role: 'alert', 'data-testid': 'panel-error' })
    message.textContent = errorText(error)
    this.#root.prepend(message)
  }
}
