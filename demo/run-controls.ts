import type { Engine, Progress, RunInfo } from 'spindle'
import { el } from './element'
import { errorText } from './format'

/**
 * Pause, resume, cancel and retry for one run. The buttons stay enabled whatever the run's status
 * (retry needs a failed task to name): a call the engine refuses shows its error code and message.
 */
export class RunControls {
  readonly element: HTMLElement
  readonly #engine: Engine
  readonly #runId: string
  readonly #retry: HTMLButtonElement
  readonly #message = el('p', { class: 'control-message', role: 'alert', 'data-testid': 'control-error' })
  #failedTask: string | undefined

  constructor(engine: Engine, runId: string) {
    this.#engine = engine
    this.#runId = runId
    this.#retry = this.#button('retry', 'Retry failed task', () => {
      const taskId = this.#failedTask
      return taskId === undefined ? undefined : this.#engine.retryTask(this.#runId, taskId)
    })
    this.#retry.disabled = true
    this.element = el(
      'div',
      { class: 'controls', role: 'group', 'aria-label': 'Run controls' },
      this.#button('pause', 'Pause', () => this.#engine.pause(this.#runId)),
      this.#button('resume', 'Resume', () => this.#engine.resume(this.#runId)),
      this.#button('cancel', 'Cancel', () => this.#engine.cancel(this.#runId, 'cancelled in the demo')),
      this.#retry,
      this.#message,
    )
  }

  /** Points the retry button at the run's first failed task, if it has one. */
  update(progress: Progress): void {
    this.#failedTask = progress.tasks.find((task) => task.status === 'failed')?.id
    this.#retry.disabled = this.#failedTask === undefined
    this.#retry.textContent =
      this.#failedTask === undefined ? 'Retry failed task' : `Retry ${this.#failedTask}`
  }

  #button(name: string, label: string, call: () => Promise<RunInfo> | undefined): HTMLButtonElement {
    const button = el(
      'button',
      { type: 'button', class: `button button-${name}`, 'data-testid': name },
      label,
    )
    button.addEventListener('click', () => {
      this.#message.textContent = ''
      call()?.catch((error: unknown) => {
        this.#message.textContent = errorText(error)
      })
    })
    return button
  }
}
