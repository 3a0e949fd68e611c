// @ts-check
/**
 * The table of the inbox page (bench/inbox.bench.ts), printed by `bench/run.mjs`.
 */
import { figure, printRows } from './tables.mjs'

/** @param {any} results the inbox page's results */
export function printInbox(results) {
  const {
    settings,
    listOpen,
    listPrincipal,
    listGroup,
    approveOne,
    approveToCompleted,
    heapMB,
    storeCalls,
    fillMs,
  } = results
  /** @type {string[][]} */
  const rows = [['figure', 'value', 'items', 'reps']]
  /**
   * @param {string} label
   * @param {{ medianMs: number, items: number, samplesMs: number[] } | undefined} timing
   */
  const row = (label, timing) => {
    if (timing)
      rows.push([label, figure(timing.medianMs), String(timing.items), String(timing.samplesMs.length)])
  }
  row(`listApprovals({ status: 'open' }) of ${settings.approvals} (ms)`, listOpen)
  row(`listApprovals({ principal, limit: 50 }), 1 in ${10} listed (ms)`, listPrincipal)
  row(`listApprovals({ principal, limit: 50 }), via a group, 1 in 1,000 (ms)`, listGroup)
  row('approve(runId, taskId, { by }) of a passive run, until it resolves (ms)', approveOne)
  row('the same, until the run completed (ms)', approveToCompleted)
  printRows(rows)
  console.log('')
  if (heapMB) {
    console.log(
      `memory (MB, ${heapMB.how}): ${figure(heapMB.beforeEngine)} before the engine, ${figure(heapMB.engineOpen)} with it open and recovered, ${figure(heapMB.holdingList)} holding the open list`,
    )
  }
  if (storeCalls)
    console.log(`store calls of an engine's start and the three listings: ${JSON.stringify(storeCalls)}`)
  if (listOpen) console.log(`open list times (ms): ${listOpen.samplesMs.map(figure).join(' · ')}`)
  console.log(`filling the database took ${figure(fillMs)} ms; settings ${JSON.stringify(settings)}`)
}
