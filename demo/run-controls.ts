import type { CheckpointInfo, Engine, Progress, RunInfo, RunStatus } from 'spindle'
import { el } from './element'
import { clockTime, errorText } from './format'

/** The run statuses each call applies to (the engine refuses it in the others). */
const APPLIES: Record<string, readonly RunStatus[]> = {
  pause: ['running'],
  resume: ['paused'],
  cancel: ['queued', 'running', 'paused', 'failed'],
  checkpoint: ['running', 'paused', 'failed'],
  rollback: ['running', 'paused', 'failed', 'completed'],
  fork: ['running', 'paused', 'failed', 'completed', 'cancelled'],
}

/**
 * Pause, resume, cancel, retry and a checkpoint for one run, and its checkpoints with rollback
 * and fork: each button is enabled only in the run statuses its call applies to (retry needs a
 * failed task); a call the engine still refuses (another tab took the run) shows its error.
 */
export class RunControls {
  readonly element: HTMLElement
  readonly #engine: Engine
  readonly #runId: string
  readonly #onForked: (runId: string) => void
  readonly #retry: HTMLButtonElement
  readonly #buttons = new Map<string, HTMLButtonElement>()
  readonly #checkpoints = el('ol', { class: 'checkpoints', 'data-testid': 'checkpoints' })
  readonly #message = el('p', { class: 'control-message', role: 'alert', 'data-testid': 'control-error' })
  #failedTask: string | undefined
  #status: RunStatus | undefined

  constructor(engine: Engine, runId: string, onForked: (runId: string) => void) {
    this.#engine = engine
    this.#runId = runId
    this.#onForked = onForked
    this.#retry = this.#button('retry', 'Retry failed task', () => {
      const taskId = this.#failedTask
      return taskId === undefined ? undefined : this.#engine.retryTask(this.#runId, taskId)
    })
    this.#retry.disabled = true
    this.element = el(
      'div',
      { class: 'run-controls' },
      el(
        'div',
        { class: 'controls', role: 'group', 'aria-label': 'Run controls' },
        this.#button('pause', 'Pause', () => this.#engine.pause(this.#runId)),
        this.#button('resume', 'Resume', () => this.#engine.resume(this.#runId)),
        this.#button('cancel', 'Cancel', () => this.#engine.cancel(this.#runId, 'cancelled in the demo')),
        this.#retry,
        this.#button('checkpoint', 'Checkpoint', () => this.#engine.checkpoint(this.#runId, 'from the demo')),
        this.#message,
      ),
      el('details', { class: 'checkpoint-list' }, el('summary', {}, 'Checkpoints'), this.#checkpoints),
    )
  }

  /** Enables the buttons that apply to the run's status; points retry at its first failed task. */
  update(progress: Progress): void {
    this.#failedTask = progress.tasks.find((task) => task.status === 'failed')?.id
    this.#retry.disabled = this.#failedTask === undefined
    this.#retry.textContent =
      this.#failedTask === undefined ? 'Retry failed task' : `Retry ${this.#failedTask}`
    for (const [name, button] of this.#buttons) {
      if (name !== 'retry') button.disabled = !(APPLIES[name] ?? []).includes(progress.status)
    }
    if (progress.status !== this.#status) {
      this.#status = progress.status
      this.refreshCheckpoints().catch((error: unknown) => this.#show(error))
    }
  }

  /** Reads the run's checkpoints again: each with Rollback and Fork. */
  async refreshCheckpoints(): Promise<void> {
    const checkpoints = await this.#engine.checkpoints(this.#runId)
    this.#checkpoints.replaceChildren(...checkpoints.map((checkpoint) => this.#checkpoint(checkpoint)))
    if (checkpoints.length === 0) this.#checkpoints.append(el('li', { class: 'empty' }, 'None yet.'))
  }

  #checkpoint(checkpoint: CheckpointInfo): HTMLElement {
    const status = this.#status
    const rollback = el('button', { type: 'button', 'data-testid': 'rollback' }, 'Roll back here')
    rollback.disabled = status === undefined || !APPLIES.rollback!.includes(status)
    rollback.addEventListener('click', () => {
      this.#engine
        .rollback(this.#runId, checkpoint.checkpointId)
        .then(() => this.refreshCheckpoints())
        .catch((error: unknown) => this.#show(error))
    })
    const fork = el('button', { type: 'button', 'data-testid': 'fork' }, 'Fork from here')
    fork.disabled = status === undefined || !APPLIES.fork!.includes(status)
    fork.addEventListener('click', () => {
      this.#engine.fork(this.#runId, checkpoint.checkpointId).then(
        (run) => this.#onForked(run.runId),
        (error: unknown) => this.#show(error),
      )
    })
    return el(
      'li',
      { 'data-testid': 'checkpoint-item', 'data-seq': checkpoint.seq },
      `#${checkpoint.seq} ${checkpoint.reason} · ${clockTime(checkpoint.at)} · ${checkpoint.completedTasks.length} tasks done `,
      rollback,
      fork,
    )
  }

  #show(error: unknown): void {
    this.#message.textContent = errorText(error)
  }

  #button(
    name: string,
    label: string,
    call: () => Promise<RunInfo | CheckpointInfo> | undefined,
  ): HTMLButtonElement {
    const button = el(
      'button',
      { type: 'button', class: `button button-${name}`, 'data-testid': name },
      label,
    )
    button.addEventListener('click', () => {
      this.#message.textContent = ''
      call()
        ?.then(() => (name === 'checkpoint' ? this.refreshCheckpoints() : undefined))
        .catch((error: unknown) => this.#show(error))
    })
    this.#buttons.set(name, button)
    return button
  }
}
