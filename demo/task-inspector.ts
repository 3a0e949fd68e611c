import type {
  ApprovalItem,
  Engine,
  Progress,
  RunStatus,
  TaskDefinition,
  TaskView,
  WorkflowDefinition,
  WorkflowEvent,
} from 'spindle'
import { approvalCard } from './approval-card'
import { el } from './element'
import { clockTime, duration, errorText } from './format'

const ENDED: readonly RunStatus[] = ['completed', 'cancelled']
const SKIPPABLE = ['pending', 'running', 'waiting', 'retrying', 'failed']

function json(value: unknown): string {
  return JSON.stringify(value, null, 2) ?? 'undefined'
}

/** The params of the task's latest attempt as its record carries them (resolved), if any. */
interface Resolved {
  attempt?: number
  params?: Record<string, unknown>
  omitted?: 'too-large' | 'not-json'
}

/** Whether params as written hold an expression (`${ }`): only then are resolved ones recorded. */
function hasExpressions(params: unknown): boolean {
  return params !== undefined && JSON.stringify(params).includes('${')
}

const OMITTED: Record<NonNullable<Resolved['omitted']>, string> = {
  'too-large': 'not recorded: larger than 16 KB as JSON',
  'not-json': 'not recorded: not JSON',
}

/**
 * One task of the shown run: its action, the params its attempt got (resolved, as the record
 * ending the attempt carries them) and as written, status, attempts, timing, output, error, the
 * run its cached output came from, what it waits for, Retry / Skip enabled only when the engine
 * would take them, and Approve / Reject when it waits for an approval. Secrets never show:
 * resolved params carry `[secret:name]` (the engine blanks them), params as written
 * `secret('name')`, and outputs and errors are what the engine journaled.
 */
export class TaskInspector {
  readonly element: HTMLElement
  readonly #engine: Engine
  readonly #runId: string
  readonly #definition: WorkflowDefinition | undefined
  readonly #open: (runId: string) => void
  #taskId: string | undefined
  /** `status/attempts` of the shown task when it was last read. */
  #seen: string | undefined
  /** Who decides an approval from the inspector. */
  readonly #principal: HTMLInputElement
  /** Per task, the params of its latest attempt that a record carried (from the run's events). */
  readonly #resolved = new Map<string, Resolved>()
  /** Per task, the child runs it started (from the run's events). */
  readonly #children = new Map<string, string[]>()

  /** `open`: shows another run (a child run of a `subworkflow` task). */
  constructor(
    engine: Engine,
    runId: string,
    definition: WorkflowDefinition | undefined,
    open: (runId: string) => void,
  ) {
    this.#engine = engine
    this.#runId = runId
    this.#definition = definition
    this.#open = open
    this.element = el('section', {
      class: 'card task-inspector',
      'data-testid': 'task-inspector',
      'aria-label': 'Task',
    })
    this.element.hidden = true
    this.#principal = el('input', {
      id: 'inspector-principal',
      type: 'text',
      value: 'alice',
      'data-testid': 'inspector-principal',
      spellcheck: 'false',
    })
  }

  /** Shows task `taskId`; `refresh()` reads it again. */
  async show(taskId: string): Promise<void> {
    this.#taskId = taskId
    await this.refresh()
  }

  /** Reads the shown task again when the run's progress says its status or attempts changed. */
  update(progress: Progress): void {
    const task = progress.tasks.find((t) => t.id === this.#taskId)
    const seen = task && `${task.status}/${task.attempts}`
    if (seen === undefined || seen === this.#seen) return
    this.#seen = seen
    this.refresh().catch((error: unknown) => {
      this.element.replaceChildren(el('p', { class: 'call-status', role: 'alert' }, errorText(error)))
    })
  }

  /**
   * Takes one event of the run (the run panel hands it each once, journal first, then live): the
   * params an attempt got and the child runs a task started are kept from them, so the inspector
   * never reads the run's history. The shown task is read again when one concerns it.
   */
  observe(event: WorkflowEvent): void {
    let taskId: string
    if (event.type === 'child.started') {
      taskId = event.taskId
      this.#children.set(taskId, [...(this.#children.get(taskId) ?? []), event.childRunId])
    } else if ('taskId' in event && ('params' in event || 'paramsOmitted' in event)) {
      const { params, paramsOmitted } = event as {
        params?: Record<string, unknown>
        paramsOmitted?: Resolved['omitted']
      }
      taskId = event.taskId
      this.#resolved.set(taskId, {
        ...('attempt' in event ? { attempt: event.attempt } : {}),
        ...(params ? { params } : {}),
        ...(paramsOmitted ? { omitted: paramsOmitted } : {}),
      })
    } else return
    if (taskId === this.#taskId && !this.element.hidden)
      this.refresh().catch((error: unknown) => {
        this.element.replaceChildren(el('p', { class: 'call-status', role: 'alert' }, errorText(error)))
      })
  }

  async refresh(): Promise<void> {
    const taskId = this.#taskId
    if (taskId === undefined) return
    const view = await this.#engine.getRun(this.#runId)
    const task = view?.tasks[taskId]
    if (!view || !task || taskId !== this.#taskId) return
    const spec = this.#definition?.tasks[taskId]
    const approvals =
      task.waiting?.kind === 'approval'
        ? (await this.#engine.listApprovals({ runId: this.#runId, status: 'open' })).filter(
            (item) => item.taskId === taskId,
          )
        : []
    if (taskId !== this.#taskId) return
    this.#render(taskId, task, view.status, spec, this.#children.get(taskId) ?? [], {
      resolved: this.#resolved.get(taskId),
      approvals,
    })
  }

  #render(
    taskId: string,
    task: TaskView,
    runStatus: RunStatus,
    spec: TaskDefinition | undefined,
    children: string[],
    { resolved, approvals }: { resolved: Resolved | undefined; approvals: ApprovalItem[] },
  ): void {
    const status = el('p', { class: 'call-status', role: 'status', 'data-testid': 'inspector-status' })
    const call = (run: () => Promise<unknown>) => () => {
      run()
        .then(() => this.refresh())
        .catch((error: unknown) => {
          status.textContent = errorText(error)
        })
    }
    const retry = el('button', { type: 'button', 'data-testid': 'inspector-retry' }, 'Retry task')
    retry.disabled = task.status !== 'failed'
    retry.addEventListener(
      'click',
      call(() => this.#engine.retryTask(this.#runId, taskId)),
    )
    const skip = el('button', { type: 'button', 'data-testid': 'inspector-skip' }, 'Skip task')
    skip.disabled = ENDED.includes(runStatus) || runStatus === 'queued' || !SKIPPABLE.includes(task.status)
    skip.addEventListener(
      'click',
      call(() => this.#engine.skipTask(this.#runId, taskId)),
    )
    const facts: [string, string][] = [
      ['Action', spec?.action ?? '?'],
      ['Status', task.status],
      ['Attempts', String(task.attempts)],
    ]
    if (task.startedAt !== undefined) facts.push(['Started', clockTime(task.startedAt)])
    if (task.startedAt !== undefined && task.endedAt !== undefined)
      facts.push(['Took', duration(task.endedAt - task.startedAt)])
    if (task.cached)
      facts.push(['Cached from', `${task.cached.fromRunId.slice(0, 8)} · ${task.cached.taskId}`])
    if (task.waiting)
      facts.push([
        'Waits for',
        task.waiting.kind === 'approval'
          ? 'an approval (decide it below or in the inbox)'
          : task.waiting.kind,
      ])
    const block = (title: string, value: unknown, testid: string, open = true) =>
      el(
        'details',
        open ? { open: true } : {},
        el('summary', {}, title),
        el('pre', { 'data-testid': testid, tabindex: 0 }, json(value)),
      )
    const params: HTMLElement[] = []
    if (resolved?.params)
      params.push(
        block(
          `Params (resolved${resolved.attempt ? `, attempt ${resolved.attempt}` : ''})`,
          resolved.params,
          'inspector-resolved',
        ),
      )
    else if (hasExpressions(spec?.params))
      params.push(
        el(
          'p',
          { class: 'muted', 'data-testid': 'inspector-resolved-note' },
          resolved?.omitted
            ? `Resolved params ${OMITTED[resolved.omitted]}.`
            : 'Resolved params are recorded when an attempt ends or starts to wait.',
        ),
      )
    if (spec?.params)
      params.push(block('Params (as written)', spec.params, 'inspector-params', !resolved?.params))
    const decide =
      approvals.length === 0
        ? []
        : [
            el(
              'div',
              { class: 'field' },
              el('label', { for: 'inspector-principal' }, 'Decide as'),
              this.#principal,
            ),
            el(
              'ul',
              { class: 'inbox', 'aria-label': 'Approval of this task' },
              ...approvals.map((item) =>
                approvalCard(this.#engine, item, () => this.#principal.value.trim(), 'inspector'),
              ),
            ),
          ]
    this.element.replaceChildren(
      el('h3', {}, `Task ${spec?.name ?? taskId}`),
      el(
        'dl',
        { class: 'storage-facts' },
        ...facts.flatMap(([term, value]) => [el('dt', {}, term), el('dd', {}, value)]),
      ),
      ...params,
      ...(task.output !== undefined ? [block('Output', task.output, 'inspector-output')] : []),
      ...(task.error ? [block('Error', task.error, 'inspector-error')] : []),
      el(
        'div',
        { class: 'controls', role: 'group', 'aria-label': `Controls of task ${taskId}` },
        retry,
        skip,
        ...children.map((childRunId) => {
          const open = el(
            'button',
            { type: 'button', 'data-testid': 'open-child' },
            `Open child run ${childRunId.slice(0, 8)}`,
          )
          open.addEventListener('click', () => this.#open(childRunId))
          return open
        }),
      ),
      status,
      ...decide,
    )
    this.element.dataset.taskId = taskId
    this.element.dataset.status = task.status
    this.element.hidden = false
  }
}
