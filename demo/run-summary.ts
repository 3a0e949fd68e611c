import type { Health, Progress, RunView, WorkflowDefinition } from 'spindle'
import { el } from './element'
import { clockTime, errorText } from './format'

/** What the health parts mean (the score is 0.3·time + 0.3·success + 0.25·errors + 0.15·efficiency). */
const HEALTH_PARTS =
  'Score = 0.3·time + 0.3·success + 0.25·errors + 0.15·efficiency, each 0–100. ' +
  'time: 100 up to the expected duration, 0 at three times it; success: completed ÷ finished tasks; ' +
  'errors: 1 − failed attempts ÷ attempts; efficiency: running time ÷ (running + ready-but-waiting time). ' +
  'Paused time counts in none. Healthy from 70, warning from 50, critical below.'

/**
 * The head of the run panel: the run's name and status, its progress bar, its health score and
 * level, and its output or error once it has one.
 */
export class RunSummary {
  readonly element: HTMLElement
  readonly #status = el('span', { class: 'badge', 'data-testid': 'run-status' })
  readonly #bar = el('div', {
    class: 'progress',
    role: 'progressbar',
    'aria-label': 'Run progress',
    'aria-valuemin': 0,
    'aria-valuemax': 100,
    'data-testid': 'progress-bar',
  })
  readonly #fill = el('div', { class: 'progress-fill' })
  readonly #percent = el('span', { class: 'meter-value', 'data-testid': 'progress-percent' })
  readonly #counts = el('span', { class: 'meter-note', 'data-testid': 'progress-counts' })
  readonly #score = el('span', { class: 'meter-value', 'data-testid': 'health-score' })
  readonly #level = el('span', { class: 'badge', 'data-testid': 'health-level' })
  readonly #parts = el('span', { class: 'meter-note', 'data-testid': 'health-parts' })
  readonly #result = el('p', { class: 'result', 'data-testid': 'run-result', hidden: true })

  constructor(view: RunView, definition: WorkflowDefinition | undefined) {
    this.#bar.append(this.#fill)
    this.element = el(
      'header',
      { class: 'run-summary' },
      el(
        'div',
        { class: 'run-title' },
        el('h2', { id: 'run-title' }, definition?.name ?? view.definitionId),
        this.#status,
      ),
      el(
        'p',
        { class: 'run-meta' },
        el('code', { 'data-testid': 'run-id' }, view.runId),
        ` · ${view.definitionId}@${view.version} · started ${clockTime(view.createdAt)}`,
      ),
      el(
        'div',
        { class: 'meters' },
        el(
          'div',
          { class: 'meter' },
          el('span', { class: 'meter-label' }, 'Progress'),
          this.#percent,
          this.#bar,
          this.#counts,
        ),
        el(
          'div',
          { class: 'meter' },
          el('span', { class: 'meter-label' }, 'Health'),
          el('span', { class: 'health' }, this.#score, this.#level),
          this.#parts,
          el(
            'details',
            { class: 'health-about' },
            el('summary', {}, 'What is health?'),
            el('p', { 'data-testid': 'health-about' }, HEALTH_PARTS),
          ),
        ),
      ),
      this.#result,
    )
    this.view(view)
  }

  /** Status, output and error from a fresh `getRun()`. */
  view(view: RunView): void {
    this.progress(view.progress)
    this.health(view.health)
    if (view.status === 'failed' && view.error) this.#show(`Failed: ${errorText(view.error)}`, 'bad')
    else if (view.status === 'paused')
      this.#show(`Paused: ${view.pauseReason?.message ?? 'by request'}`, 'warn')
    else if (view.status === 'cancelled') this.#show('Cancelled: its unfinished tasks will not run.', 'bad')
    else if (view.status === 'completed') this.#show(`Output: ${JSON.stringify(view.output) ?? 'none'}`, 'ok')
    else this.#result.hidden = true
  }

  progress(progress: Progress): void {
    this.#status.textContent = progress.status
    this.#status.className = `badge status-${progress.status}`
    this.#percent.textContent = `${progress.percent}%`
    this.#fill.style.width = `${progress.percent}%`
    this.#bar.setAttribute('aria-valuenow', String(progress.percent))
    this.#bar.setAttribute(
      'aria-valuetext',
      `${progress.percent}%: ${progress.completed} of ${progress.total} tasks done`,
    )
    const running = progress.running.map((task) => task.name ?? task.id)
    this.#counts.textContent =
      `${progress.completed} of ${progress.total} tasks done` +
      (running.length > 0 ? ` · running: ${running.join(', ')}` : '')
  }

  health(health: Health): void {
    const { time, success, errors, efficiency } = health.parts
    this.#score.textContent = String(health.score)
    this.#level.textContent = health.level
    this.#level.className = `badge level-${health.level}`
    this.#parts.textContent =
      `time ${Math.round(time)} · success ${Math.round(success)} · ` +
      `errors ${Math.round(errors)} · efficiency ${Math.round(efficiency)}`
    this.#parts.title = HEALTH_PARTS
  }

  #show(text: string, tone: 'ok' | 'warn' | 'bad'): void {
    this.#result.hidden = false
    this.#result.textContent = text
    this.#result.className = `result result-${tone}`
  }
}
