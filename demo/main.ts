/**
 * The demo page: starts the sample workflows in an engine running in a Web Worker and follows
 * their runs. Reloading the page mid-run shows the run carrying on in the new worker.
 */

import { auditTime } from 'rxjs'
import type { DefinitionInfo } from 'spindle'
import { connectEngine } from 'spindle/client'
import { ApprovalsInbox } from './approvals-inbox'
import { DefinitionEditor } from './definition-editor'
import { DefinitionsPanel } from './definitions-panel'
import { el } from './element'
import { errorText } from './format'
import { keepOffline } from './offline'
import { RunList } from './run-list'
import { RunPanel } from './run-panel'
import { type Sample, samples } from './samples'
import { StoragePanel } from './storage-panel'
import { TemplatesGallery } from './templates-gallery'
import { TriggersPanel } from './triggers-panel'
import './style.css'
import './studio.css'

/** Statuses of a run that is not over yet. */
const UNFINISHED = ['running', 'queued', 'paused'] as const

function required(testId: string): HTMLElement {
  const element = document.querySelector<HTMLElement>(`[data-testid="${testId}"]`)
  if (!element) throw new Error(`index.html lacks the element data-testid="${testId}".`)
  return element
}

const appError = required('app-error')
function report(error: unknown): void {
  appError.hidden = false
  appError.textContent = errorText(error)
}

keepOffline(report)

const engine = connectEngine(
  new Worker(new URL('./demo.worker.ts', import.meta.url), { type: 'module', name: 'spindle-demo' }),
)
const panel = new RunPanel(engine, required('run-panel'), (runId) => {
  runs.refresh().then(() => select(runId), report)
})
const names = new Map(
  samples.map((sample) => [sample.definition.id, sample.definition.name ?? sample.definition.id]),
)
const runs = new RunList(engine, required('run-list'), names, select)

function select(runId: string): void {
  runs.select(runId)
  panel.show(runId).catch(report)
}

function sampleButton(sample: Sample): HTMLElement {
  const { id, name, description } = sample.definition
  const button = el(
    'button',
    { type: 'button', class: 'sample', 'data-testid': `start-${id}`, 'aria-describedby': `sample-${id}` },
    el('span', { class: 'sample-name' }, `Start ${name ?? id}`),
    el(
      'span',
      { class: 'sample-about', id: `sample-${id}` },
      el('span', { class: 'sample-shows' }, sample.shows),
      ` ${description ?? ''}`,
    ),
  )
  button.addEventListener('click', () => {
    engine.start(id, sample.input).then(async (run) => {
      await runs.refresh()
      select(run.runId)
    }, report)
  })
  return button
}

async function main(): Promise<void> {
  // Registering a definition that is already stored, unchanged, is a no-op.
  const registered = await Promise.allSettled(samples.map((sample) => engine.register(sample.definition)))
  const refused = registered.find((result) => result.status === 'rejected')
  if (refused) report(refused.reason)
  required('samples').replaceChildren(...samples.map(sampleButton))
  const started = (runId: string) => {
    runs.refresh().then(() => select(runId), report)
  }
  const definitions = new DefinitionsPanel(engine, required('definitions'), started)
  const listed = (infos: DefinitionInfo[]) => runs.definitions([...new Set(infos.map((d) => d.id))])
  const showDefinition = (info: DefinitionInfo) => {
    definitions
      .refresh()
      .then((infos) => {
        listed(infos)
        return definitions.show(info.id)
      })
      .catch(report)
  }
  new DefinitionEditor(engine, required('definition-editor'), showDefinition)
  const openApprovals = required('nav-approvals')
  new ApprovalsInbox(engine, required('approvals'), report, (open) => {
    openApprovals.textContent = String(open)
    openApprovals.dataset.open = String(open)
  })
  const triggers = new TriggersPanel(engine, required('triggers'), started)
  const storage = new StoragePanel(engine, required('storage'))
  const gallery = new TemplatesGallery(engine, required('templates'), showDefinition)
  const [infos] = await Promise.all([
    definitions.refresh(),
    gallery.load(),
    triggers.refresh(),
    storage.refresh(),
  ])
  listed(infos)
  engine.events$.pipe(auditTime(250)).subscribe({ next: () => runs.refresh().catch(report), error: report })
  // Schedules fire and runs write: their lists and the storage figures follow every few seconds.
  engine.events$.pipe(auditTime(2000)).subscribe({
    next: () => Promise.all([triggers.refresh(), storage.refresh()]).catch(report),
    error: report,
  })
  const latest = await runs.refresh()
  const [unfinished] = (await engine.listRuns({ status: [...UNFINISHED], limit: 1 })).runs
  const first = unfinished ?? latest[0]
  if (first) select(first.runId)
  document.body.dataset.ready = 'true'
}

main().catch(report)
