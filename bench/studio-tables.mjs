// @ts-check
/**
 * The table of the studio page (bench/studio.bench.ts), printed by `bench/run.mjs`.
 */
import { figure, printRows } from './tables.mjs'

/** @param {any} results the studio page's results */
export function printStudio(results) {
  /** @type {string[][]} */
  const rows = [
    [
      'shape',
      'tasks',
      'weight',
      'layout',
      'layout (ms)',
      'graph + SVG (ms)',
      'by depth (ms)',
      'dagre (ms)',
      'dagre / depth',
    ],
  ]
  for (const row of results.rows ?? []) {
    rows.push([
      row.shape,
      String(row.size),
      String(row.weight),
      row.how,
      figure(row.layoutMs),
      figure(row.graphMs),
      figure(row.depthMs),
      figure(row.dagreMs),
      row.dagreMs === undefined ? '—' : `${figure(row.dagreMs / row.depthMs)}×`,
    ])
  }
  printRows(rows)
  console.log(
    `\nlayout: dagre up to a weight of ${results.dagreLimit} (tasks + 4 × dependencies beyond one per task), by depth above; medians of ${results.settings?.reps} (dagre reference: of up to 3)`,
  )
}
